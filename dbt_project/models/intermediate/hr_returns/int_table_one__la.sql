-- Table one per LA, tier and quarter for every current return (zeros where nothing counted).
with grid as (
    select s.la_code, s.quarter, t.tier, i.indicator, i.aggregation
    from {{ ref('int_hr_returns__submissions') }} as s
    cross join (select unnest(['1', '2']) as tier) as t
    cross join {{ ref('ref_indicators') }} as i
    where s.is_current and i.table_id = 'table_one'
),
aggregated as (
    select
        la_code, quarter, tier, indicator,
        count(distinct counted_key) as counted,
        sum(amount) as amount,
        count(*) as contributing_rows
    from {{ ref('int_table_one__contributions') }}
    group by all
)
select
    g.la_code,
    g.quarter,
    g.tier,
    g.indicator,
    case
        when g.indicator = 'active_contacts' then a.amount
        when g.aggregation = 'ratio_of_sums' then coalesce(a.amount, 0)
        else coalesce(a.counted, 0)
    end::double as numerator,
    case when g.aggregation = 'ratio_of_sums' then coalesce(a.counted, 0) end::double as denominator,
    coalesce(a.contributing_rows, 0) as contributing_rows
from grid as g
left join aggregated as a using (la_code, quarter, tier, indicator)
