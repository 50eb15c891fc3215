-- England totals for the national overview (the National College's view of every region),
-- before disclosure control (fct_figures). Table one already has England figures
-- (fig_table_one); these add the rest of the overview, summed over the regions:
--   returns.<expected|received|on_time|late|quarantined|missing>.<quarter key>.E92000001
--   grant.<grant_gbp|annual_plan|spent_this_quarter|spent_to_date|received_to_date>.<quarter key>.E92000001
--   survey.national.<percent|base>.<financial year>.<measure>   pooled over the regions' waves of the year
with returns as (
    select quarter, status, count(*) as n
    from {{ ref('fct_return_status') }}
    group by all
),
return_rows as (
    select quarter, 'expected' as indicator, sum(n) as value from returns group by all
    union all
    select quarter, 'received', sum(n) filter (where status in ('on time', 'late')) from returns group by all
    union all
    select r.quarter, {{ id_part('s.status') }}, coalesce(sum(r.n) filter (where r.status = s.status), 0)
    from returns as r
    cross join (select unnest(['on time', 'late', 'quarantined', 'missing']) as status) as s
    group by all
),
grant_rows as (
    select g.quarter, m.measure as indicator, sum(m.value) as value
    from {{ ref('fct_grant_spend') }} as g
    cross join lateral (
        select unnest(['grant_gbp', 'annual_plan', 'spent_this_quarter', 'spent_to_date', 'received_to_date']) as measure,
               unnest([g.grant_gbp, g.annual_plan, g.spent_this_quarter, g.spent_to_date, g.received_to_date]::double[]) as value
    ) as m
    where g.budget_line = 'all'
    group by all
),
survey as (
    select {{ wave_financial_year('h.wave') }} as financial_year, h.measure, sum(h.n) as n, sum(h.base) as base
    from {{ ref('fct_survey_headlines') }} as h
    where h.group_type = 'all' and h.region_code is not null
    group by all
),
f as (
    select {{ returns_figure_id('r.indicator', 'r.quarter', "'E92000001'") }} as figure_id, 'returns' as table_id, r.indicator,
        'organisations' as unit, r.quarter as period, q.time_period, q.time_identifier, r.value::double as value,
        null::double as base, null::double as numerator, 'fct_return_status' as source_model,
        'quarter = ''' || r.quarter || '''' as source_filter
    from return_rows as r inner join {{ ref('int_quarters') }} as q using (quarter)
    union all
    select {{ regional_figure_id("'grant.' || g.indicator", 'q.quarter_key', "'E92000001'") }}, 'grant', g.indicator, 'gbp', g.quarter,
        q.time_period, q.time_identifier, g.value, null, null, 'fct_grant_spend',
        'quarter = ''' || g.quarter || ''' and budget_line = ''all'''
    from grant_rows as g inner join {{ ref('int_quarters') }} as q using (quarter)
    union all
    select {{ survey_national_figure_id('m.kind', 's.financial_year', 's.measure') }}, 'survey_headlines', s.measure, m.unit,
        s.financial_year, {{ financial_year_time_period('s.financial_year') }}, 'Financial year', m.value, m.base, m.numerator,
        'fct_survey_headlines', 'left(wave, 7) = ''' || s.financial_year || ''' and measure = ''' || s.measure
            || ''' and group_type = ''all'' and region_code is not null'
    from survey as s
    cross join lateral (
        select unnest(['percent', 'base']) as kind, unnest(['percent', 'people']) as unit,
               unnest([100.0 * s.n / nullif(s.base, 0), s.base]::double[]) as value,
               unnest([s.base, null]::double[]) as base, unnest([s.n, null]::double[]) as numerator
    ) as m
)
select
    f.figure_id::varchar as figure_id,
    f.table_id::varchar as table_id,
    f.indicator::varchar as indicator,
    f.unit::varchar as unit,
    f.period::varchar as period,
    f.time_period::varchar as time_period,
    f.time_identifier::varchar as time_identifier,
    'National'::varchar as geographic_level,
    'E92000001'::varchar as country_code,
    null::varchar as region_code,
    null::varchar as region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    null::varchar as breakdown,
    f.value::double as value,
    f.base::double as base,
    f.numerator::double as numerator,
    f.base::double as denominator,
    -- Disclosure: returns and grant are organisations and money ('public'); the England survey
    -- headline counts people, its regions' overall headlines (fig_survey_framework) add up to it
    -- (their group's total), and its percent is suppressed with its base.
    case when f.table_id = 'survey_headlines' then 'people' else 'public' end::varchar as disclosure_class,
    null::varchar as disclosure_total_id,
    null::varchar as disclosure_group,
    -- England's n is the regions' headline n's: it goes with any of them (their group)
    case when f.figure_id like 'survey.national.percent.%' then f.figure_id end::varchar as disclosure_count_id,
    case when f.figure_id like 'survey.national.percent.%'
        then replace(f.figure_id, 'survey.national.percent.', 'survey.national.base.') end::varchar as disclosure_base_id,
    f.source_model::varchar as source_model,
    f.source_filter::varchar as source_filter
from f
