-- How many LAs returned data for a quarter, per region (administrative counts of
-- organisations, not people: not subject to disclosure control).
with counts as (
    select quarter, region_code, region_name, status, count(*) as n
    from {{ ref('fct_return_status') }}
    group by all
),
expected as (
    select quarter, region_code, region_name, 'expected' as status, count(*) as n
    from {{ ref('fct_return_status') }}
    group by all
),
received as (
    select quarter, region_code, region_name, 'received' as status, count(*) filter (where status in ('on time', 'late')) as n
    from {{ ref('fct_return_status') }}
    group by all
),
disagreements as (
    -- KPIs-sheet figures that disagree with Table one computed from the vacancy rows
    select e.quarter, e.region_code, e.region_name, 'disagreements' as status,
        count(r.la_code) as n
    from expected as e
    left join {{ ref('dim_local_authorities') }} as la on la.region_code = e.region_code
    left join {{ ref('fct_table_one_reconciliation') }} as r
        on r.la_code = la.old_la_code and r.quarter = e.quarter and not r.agrees
    group by all
),
all_statuses as (
    select * from expected
    union all select * from disagreements
    union all select * from received
    union all
    select e.quarter, e.region_code, e.region_name, s.status, coalesce(c.n, 0)
    from expected as e
    cross join (select unnest(['on time', 'late', 'quarantined', 'missing']) as status) as s
    left join counts as c on c.quarter = e.quarter and c.region_code = e.region_code and c.status = s.status
)
select
    {{ returns_figure_id('a.status', 'a.quarter', 'a.region_code') }} as figure_id,
    'returns' as table_id,
    {{ id_part('a.status') }} as indicator,
    'organisations' as unit,
    a.quarter as period,
    q.time_period,
    q.time_identifier,
    'Regional' as geographic_level,
    'E92000001' as country_code,
    a.region_code,
    a.region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    null::varchar as breakdown,
    a.n::double as value,
    null::double as base,
    null::double as numerator,
    null::double as denominator,
    'public' as disclosure_class,
    null::varchar as disclosure_total_id,
    null::varchar as disclosure_group,
    null::varchar as disclosure_count_id,
    null::varchar as disclosure_base_id,
    case when a.status = 'disagreements' then 'fct_table_one_reconciliation' else 'fct_return_status' end as source_model,
    'quarter = ''' || a.quarter || ''' and region_code = ''' || a.region_code || ''''
        || case when a.status = 'disagreements' then ' and not agrees' when a.status in ('expected') then '' when a.status = 'received' then ' and status in (''on time'', ''late'')' else ' and status = ''' || a.status || '''' end as source_filter
from all_statuses as a
inner join {{ ref('int_quarters') }} as q on q.quarter = a.quarter
