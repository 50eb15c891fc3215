{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind each framework figure (kept only where the figure exists): for a year-to-
-- date figure, the rows of the financial year up to its quarter; for "to date", every earlier row.
with q as (
    select * from {{ ref('int_programme__quarters') }}
),
-- every (figure quarter, row quarter) pair of a region: same quarter, year to date, to date
spans as (
    select q.region_code, q.quarter, q.quarter_key, q1.quarter as row_quarter,
        q1.quarter = q.quarter as same_quarter, q1.financial_year = q.financial_year as same_year
    from q
    inner join q as q1 on q1.region_code = q.region_code and q1.quarter_start <= q.quarter_start
),
candidates as (
    select {{ regional_figure_id("'aspirant_dcs.' || m.measure", 's.quarter_key', 'a.region_code', [id_part('a.status'), ['r.route']]) }}
        as figure_id,
        a._row_uid, null as role
    from {{ ref('stg_programme__aspirant_dcs') }} as a
    inner join spans as s on s.region_code = a.region_code and s.row_quarter = a.quarter
    cross join (select unnest(['people_quarter', 'people_fytd', 'people_to_date']) as measure) as m
    cross join lateral (select unnest([null, {{ id_part('a.route') }}]) as route) as r
    where (m.measure = 'people_quarter' and s.same_quarter) or (m.measure = 'people_fytd' and s.same_year)
       or m.measure = 'people_to_date'
    union all
    select {{ regional_figure_id("'diversity.' || k.kind", 's.quarter_key', 'p.region_code',
                                 ['d.dimension', ["case when k.kind = 'n' then " ~ id_part('d.category') ~ " end"]]) }},
        p._row_uid, null
    from {{ ref('stg_programme__participant_profiles') }} as p
    inner join spans as s on s.region_code = p.region_code and s.row_quarter = p.quarter and s.same_year
    cross join lateral (
        select unnest(['career_background', 'gender', 'ethnic_group', 'first_generation']) as dimension,
               unnest([p.career_background, p.gender, p.ethnic_group, p.first_generation]) as category
    ) as d
    cross join (select unnest(['n', 'base']) as kind) as k
    union all
    -- a rate's rows are its numerator (LAs reached); its base is the region's LAs (reference data)
    select {{ regional_figure_id("'la_support.' || m.measure", 's.quarter_key', 'l.region_code') }}, l._row_uid,
        case when m.measure = 'las_reached_rate' then 'numerator' end
    from {{ ref('stg_programme__la_support') }} as l
    inner join spans as s on s.region_code = l.region_code and s.row_quarter = l.quarter and s.same_year
    cross join (select unnest(['las_supported_fytd', 'las_reached_fytd', 'las_reached_rate', 'support_contacts_fytd', 'opportunities_fytd']) as measure) as m
    union all
    select {{ regional_figure_id('m.figure_stem', 's.quarter_key', 't.region_code', 'm.part') }}, t._row_uid, m.role
    from {{ ref('stg_programme__attendance') }} as t
    inner join spans as s on s.region_code = t.region_code and s.row_quarter = t.quarter and s.same_year
    cross join lateral (
        select unnest(['la_support.las_participating_fytd', 'la_support.las_reached_fytd', 'la_support.las_reached_rate',
                       'vfm.participants_fytd', 'vfm.cost_per_participant', 'supply_demand.pool_fytd']) as figure_stem,
               unnest([null, null, null, null, null, 'tier_' || (t.tier::integer - 1)::varchar]) as part,
               unnest([null, null, 'numerator', null, 'denominator', null]) as role
    ) as m
    union all
    select {{ regional_figure_id("'vfm.' || m.measure", 's.quarter_key', 'a.region_code') }}, a._row_uid,
        case when m.measure = 'cost_per_activity' then 'denominator' end
    from {{ ref('stg_programme__activities') }} as a
    inner join spans as s on s.region_code = a.region_code and s.row_quarter = a.quarter and s.same_year
    cross join (select unnest(['activities_fytd', 'activity_cost_fytd', 'cost_per_activity']) as measure) as m
    union all
    select {{ regional_figure_id("'vfm.' || m.measure", 's.quarter_key', 'g.region_code') }}, g._row_uid,
        case when m.measure like 'cost_per_%' then 'numerator' end  -- the money spent, divided by ...
    from {{ ref('stg_programme__grant_ledger') }} as g
    inner join spans as s on s.region_code = g.region_code and s.row_quarter = g.quarter and s.same_year
    cross join (select unnest(['spent_fytd', 'cost_per_participant', 'cost_per_activity', 'cost_per_outcome']) as measure) as m
    where g.entry_type = 'spent'
    union all
    select {{ regional_figure_id('m.figure_stem', 's.quarter_key', 'e.region_code', 'm.part') }}, e._row_uid, m.role
    from {{ ref('stg_programme__career_events') }} as e
    inner join spans as s on s.region_code = e.region_code and s.row_quarter = e.quarter and s.same_year
    cross join lateral (
        select unnest(['vfm.outcomes_fytd', 'vfm.cost_per_outcome', 'supply_demand.applications_fytd']) as figure_stem,
               unnest([null, null, 'tier_' || e.tier]) as part,
               unnest([e.event_type in ('appointed', 'acting up'), e.event_type in ('appointed', 'acting up'), e.event_type = 'applied']) as applies,
               unnest([null, 'denominator', null]) as role
    ) as m
    where m.applies
    union all
    select {{ regional_figure_id("'supply_demand.aspirants_started_fytd'", 's.quarter_key', 'a.region_code', "'tier_1'") }}, a._row_uid, null
    from {{ ref('stg_programme__aspirant_dcs') }} as a
    inner join spans as s on s.region_code = a.region_code and s.row_quarter = a.quarter and s.same_year
    where a.status = 'started'
)
select distinct c.figure_id, c._row_uid, c.role::varchar as role
from candidates as c
where c._row_uid is not null
  and c.figure_id in (select figure_id from {{ ref('fig_programme_framework') }})
