-- The grant per region and quarter of the plan's year, by budget line and in total ('all'):
-- planned and spent this quarter and to date (financial year to date), the year's plan,
-- what is left of it; for the total also the grant received and what remains of the grant.
-- Money is summed as DECIMAL(18,2) (exact pence: a double sum can land just under a half
-- pound and round the wrong way). The differences printed beside their operands (variance,
-- what is left of the plan and of the grant) are differences of the whole pounds shown, so
-- a reader who subtracts the printed figures gets the printed difference.
with quarters as (
    select * from {{ ref('int_programme__quarters') }}
),
lines as (
    select distinct region_code, financial_year, budget_line, label from {{ ref('stg_programme__plan_budget') }}
    union
    select distinct l.region_code, split_part(l.quarter, ' ', 1), l.budget_line, l.budget_line
    from {{ ref('stg_programme__grant_ledger') }} as l
    where l.entry_type = 'spent' and not exists (
        select 1 from {{ ref('stg_programme__plan_budget') }} as b
        where b.region_code = l.region_code and b.budget_line = l.budget_line and b.financial_year = split_part(l.quarter, ' ', 1))
),
grid as (
    select q.region_code, q.quarter, q.financial_year, q.quarter_start, l.budget_line, l.label
    from quarters as q
    inner join lines as l using (region_code, financial_year)
),
spent as (
    select region_code, quarter, budget_line, sum(amount_gbp::decimal(18, 2)) as spent
    from {{ ref('stg_programme__grant_ledger') }} where entry_type = 'spent' group by all
),
received as (
    select region_code, quarter, sum(amount_gbp::decimal(18, 2)) as received
    from {{ ref('stg_programme__grant_ledger') }} where entry_type = 'received' group by all
),
by_line as (
    select
        g.region_code, g.quarter, g.financial_year, g.quarter_start, g.budget_line, g.label,
        coalesce(b.planned_gbp::decimal(18, 2), 0) as planned_this_quarter,
        coalesce(s.spent, 0::decimal(18, 2)) as spent_this_quarter,
        (select coalesce(sum(b2.planned_gbp::decimal(18, 2)), 0) from {{ ref('stg_programme__plan_budget') }} as b2
          where b2.region_code = g.region_code and b2.financial_year = g.financial_year and b2.budget_line = g.budget_line) as annual_plan,
        -- the plan's quarters up to this one, whether or not the programme has records for each
        -- (a quarter with no activity or ledger entry is not a row of the grid, but its plan counts)
        (select coalesce(sum(b3.planned_gbp::decimal(18, 2)), 0) from {{ ref('stg_programme__plan_budget') }} as b3
          inner join {{ ref('int_quarters') }} as q3 on q3.quarter = b3.quarter
          where b3.region_code = g.region_code and b3.financial_year = g.financial_year and b3.budget_line = g.budget_line
            and q3.quarter_start <= g.quarter_start) as planned_to_date
    from grid as g
    left join {{ ref('stg_programme__plan_budget') }} as b
        on b.region_code = g.region_code and b.quarter = g.quarter and b.budget_line = g.budget_line
    left join spent as s on s.region_code = g.region_code and s.quarter = g.quarter and s.budget_line = g.budget_line
),
to_date as (
    select *,
        sum(spent_this_quarter) over w as spent_to_date
    from by_line
    window w as (partition by region_code, financial_year, budget_line order by quarter_start)
),
with_total as (
    select region_code, quarter, financial_year, quarter_start, budget_line, label,
           planned_this_quarter, spent_this_quarter, planned_to_date, spent_to_date, annual_plan
    from to_date
    union all
    select region_code, quarter, financial_year, quarter_start, 'all', 'All budget lines',
           sum(planned_this_quarter), sum(spent_this_quarter), sum(planned_to_date), sum(spent_to_date), sum(annual_plan)
    from to_date group by region_code, quarter, financial_year, quarter_start
),
rec as (
    select q.region_code, q.quarter, q.financial_year,
           coalesce(r.received, 0) as received_this_quarter,
           sum(coalesce(r.received, 0)) over (partition by q.region_code, q.financial_year order by q.quarter_start) as received_to_date
    from quarters as q
    left join received as r using (region_code, quarter)
)
select
    t.region_code,
    t.quarter,
    t.financial_year,
    t.budget_line,
    t.label,
    t.planned_this_quarter::double as planned_this_quarter,
    t.spent_this_quarter::double as spent_this_quarter,
    t.planned_to_date::double as planned_to_date,
    t.spent_to_date::double as spent_to_date,
    (round(t.spent_to_date) - round(t.planned_to_date))::double as variance_to_date,
    t.annual_plan::double as annual_plan,
    (round(t.annual_plan) - round(t.spent_to_date))::double as remaining_plan,
    case when t.budget_line = 'all' then r.received_this_quarter end::double as received_this_quarter,
    case when t.budget_line = 'all' then r.received_to_date end::double as received_to_date,
    case when t.budget_line = 'all' then p.grant_gbp end::double as grant_gbp,
    case when t.budget_line = 'all' then round(p.grant_gbp::decimal(18, 2)) - round(t.spent_to_date) end::double as remaining_grant
from with_total as t
left join rec as r using (region_code, quarter)
left join {{ ref('stg_programme__plans') }} as p on p.region_code = t.region_code and p.financial_year = t.financial_year
