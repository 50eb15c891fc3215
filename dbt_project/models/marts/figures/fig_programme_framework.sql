-- Figures for the partnership agreement's commitments that Table one and the four levels do
-- not cover (framework annex and "Evaluating the strategy and its impact"), before disclosure
-- control (fct_figures). Ids:
--   aspirant_dcs.<people_quarter|people_fytd|people_to_date>.<quarter key>.<region>.<status>[.<route>]
--   diversity.<n|base>.<quarter key>.<region>.<dimension>[.<category>]   (counts only: a count of 1
--       or 2 is suppressed, and one more cell with it, so the base cannot reveal it)
--   la_support.<measure>.<quarter key>.<region>
--   vfm.<measure>.<quarter key>.<region>            (cost per ...: unit 'rate', base = the divisor,
--       so a cost per outcome on fewer than 5 outcomes is suppressed and cannot reveal the count)
--   supply_demand.<pool_fytd|applications_fytd|aspirants_started_fytd>.<quarter key>.<region>.tier_<n>
{% set rq = "'region_code = ''' || region_code || ''' and quarter = ''' || quarter || ''''" %}
with f as (
    -- head: the id's stem; part1, part2: its breakdown parts after the region (null: none)
    select 'aspirant_dcs.' || m.measure as head,
        {{ id_part('a.status') }} as part1, case when a.route <> 'all' then {{ id_part('a.route') }} end as part2,
        'aspirant_dcs' as table_id, m.measure as indicator, 'count' as unit, a.quarter, a.region_code,
        {{ id_part('a.status') }} || case when a.route = 'all' then '' else '.' || {{ id_part('a.route') }} end as breakdown,
        m.value::double as value, null::double as base, null::double as numerator, null::double as denominator,
        null::varchar as total_part,
        'fct_aspirant_dcs' as source_model,
        {{ rq }} || ' and status = ''' || a.status || ''' and route = ''' || a.route || '''' as source_filter
    from {{ ref('fct_aspirant_dcs') }} as a
    cross join lateral (select unnest(['people_quarter', 'people_fytd', 'people_to_date']) as measure,
                               unnest([a.people_quarter, a.people_fytd, a.people_to_date]) as value) as m
    union all
    select 'diversity.n', d.dimension, {{ id_part('d.category') }}, 'diversity', 'n', 'count', d.quarter, d.region_code,
        d.dimension || '.' || {{ id_part('d.category') }}, d.n, null, null, null, d.dimension,
        'fct_leadership_diversity', {{ rq }} || ' and dimension = ''' || d.dimension || ''' and category = ''' || d.category || ''''
    from {{ ref('fct_leadership_diversity') }} as d
    union all
    select distinct 'diversity.base', d.dimension, null, 'diversity', 'base', 'count', d.quarter, d.region_code,
        d.dimension, d.base, null, null, null, null,
        'fct_leadership_diversity', {{ rq }} || ' and dimension = ''' || d.dimension || ''''
    from {{ ref('fct_leadership_diversity') }} as d
    union all
    select 'la_support.' || m.measure, null, null, 'la_support', m.measure, m.unit, s.quarter, s.region_code, null,
        m.value, m.base, m.numerator, m.base, null, 'fct_la_support', {{ rq }}
    from {{ ref('fct_la_support') }} as s
    cross join lateral (
        select unnest(['las_in_region', 'las_supported_fytd', 'las_participating_fytd', 'las_reached_fytd', 'las_reached_rate',
                       'support_contacts_fytd', 'opportunities_fytd']) as measure,
               unnest(['organisations', 'organisations', 'organisations', 'organisations', 'percent', 'organisations', 'count']) as unit,
               unnest([s.las_in_region, s.las_supported_fytd, s.las_participating_fytd, s.las_reached_fytd, s.las_reached_rate,
                       s.support_contacts_fytd, s.opportunities_fytd]::double[]) as value,
               unnest([null, null, null, null, s.las_in_region, null, null]::double[]) as base,
               unnest([null, null, null, null, s.las_reached_fytd, null, null]::double[]) as numerator
    ) as m
    union all
    select 'vfm.' || m.measure, null, null, 'value_for_money', m.measure, m.unit, v.quarter, v.region_code, null,
        m.value, m.base, case when m.base is not null then v.spent_fytd end, m.base, null, 'fct_value_for_money', {{ rq }}
    from {{ ref('fct_value_for_money') }} as v
    cross join lateral (
        select unnest(['spent_fytd', 'activity_cost_fytd', 'participants_fytd', 'activities_fytd', 'outcomes_fytd',
                       'cost_per_participant', 'cost_per_activity', 'cost_per_outcome']) as measure,
               unnest(['gbp', 'gbp', 'count', 'count', 'count', 'rate', 'rate', 'rate']) as unit,
               unnest([v.spent_fytd, v.activity_cost_fytd, v.participants_fytd, v.activities_fytd, v.outcomes_fytd,
                       v.cost_per_participant, v.cost_per_activity, v.cost_per_outcome]::double[]) as value,
               unnest([null, null, null, null, null, v.participants_fytd, v.activities_fytd, v.outcomes_fytd]::double[]) as base
    ) as m
    union all
    select 'supply_demand.' || m.measure, 'tier_' || s.tier, null, 'supply_demand', m.measure, 'count', s.quarter, s.region_code,
        'tier_' || s.tier, m.value, null, null, null, null, 'fct_supply_demand', {{ rq }} || ' and tier = ''' || s.tier || ''''
    from {{ ref('fct_supply_demand') }} as s
    cross join lateral (
        -- the programme's pipeline only: demand and candidates come from Table one's own figures
        -- (publishing applicants beside posts advertised would reveal a suppressed average)
        select unnest(['pool_fytd', 'applications_fytd', 'aspirants_started_fytd']) as measure,
               unnest([s.pool_fytd, s.applications_fytd, s.aspirants_started_fytd]::double[]) as value
    ) as m
    where m.value is not null or m.measure <> 'aspirants_started_fytd'
)
select
    {{ regional_figure_id('f.head', 'q.quarter_key', 'f.region_code', [['f.part1'], ['f.part2']]) }} as figure_id,
    f.table_id,
    f.indicator,
    f.unit,
    f.quarter as period,
    q.time_period,
    q.time_identifier,
    'Regional' as geographic_level,
    'E92000001' as country_code,
    f.region_code,
    r.region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    f.breakdown,
    f.value::double as value,
    f.base::double as base,
    f.numerator::double as numerator,
    f.denominator::double as denominator,
    -- Disclosure fields (macros/disclosure.sql; docs/DISCLOSURE.md):
    --   people  aspirants, leaders' diversity, the pipeline's people, participants and outcomes
    --           (and a cost per participant or outcome, which gives back its divisor: suppressed with it);
    --   public  money, activities and organisations (LA support, its opportunities).
    -- An aspirant status's routes add up to the status and each quarter to the year to date and
    -- the total to date: a two-way series with no independent total, so one region's routes of a
    -- status are one group, withheld whole when any of its cells is small, and the status's own
    -- series another (a status total is small only if a route is, so its routes go with it).
    -- Diversity categories add up to their dimension's base (the group's shown total).
    case
        when f.table_id in ('aspirant_dcs', 'diversity', 'supply_demand') then 'people'
        when f.indicator in ('participants_fytd', 'outcomes_fytd', 'cost_per_participant', 'cost_per_outcome') then 'people'
        else 'public'
    end::varchar as disclosure_class,
    case when f.total_part is not null then {{ regional_figure_id("'diversity.base'", 'q.quarter_key', 'f.region_code', 'f.total_part') }} end::varchar
        as disclosure_total_id,
    case
        when f.total_part is not null then {{ regional_figure_id("'diversity.base'", 'q.quarter_key', 'f.region_code', 'f.total_part') }}
        when f.table_id = 'aspirant_dcs' then 'aspirant_dcs.' || f.region_code || '.' || split_part(f.breakdown, '.', 1)
            || case when f.breakdown like '%.%' then '.routes' else '' end
    end::varchar as disclosure_group,
    case f.indicator
        when 'cost_per_participant' then {{ regional_figure_id("'vfm.participants_fytd'", 'q.quarter_key', 'f.region_code') }}
        when 'cost_per_outcome' then {{ regional_figure_id("'vfm.outcomes_fytd'", 'q.quarter_key', 'f.region_code') }}
    end::varchar as disclosure_count_id,
    case f.indicator
        when 'cost_per_participant' then {{ regional_figure_id("'vfm.participants_fytd'", 'q.quarter_key', 'f.region_code') }}
        when 'cost_per_outcome' then {{ regional_figure_id("'vfm.outcomes_fytd'", 'q.quarter_key', 'f.region_code') }}
    end::varchar as disclosure_base_id,
    f.source_model,
    f.source_filter
from f
inner join {{ ref('int_quarters') }} as q on q.quarter = f.quarter
inner join {{ ref('ref_regions') }} as r on r.region_code = f.region_code
