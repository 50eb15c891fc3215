-- The financial-quarter calendar (Q1 Apr-Jun ... Q4 Jan-Mar). Python defines the same
-- calendar in succession/periods.py; tests/test_periods.py checks that they agree.
with years as (
    select unnest(range(2010, 2041)) as fy
),
quarters as (
    select fy, q from years cross join (select unnest([1, 2, 3, 4]) as q) as quarter_numbers
),
labelled as (
    select
        fy,
        q,
        fy::varchar || '-' || lpad(((fy + 1) % 100)::varchar, 2, '0') || ' Q' || q::varchar as quarter,
        make_date(fy + (q = 4)::integer, [4, 7, 10, 1][q], 1) as quarter_start
    from quarters
)
select
    quarter,
    {{ quarter_key('quarter') }} as quarter_key,
    fy as financial_year_start,
    q as quarter_number,
    quarter_start,
    (quarter_start + interval 3 month - interval 1 day)::date as quarter_end,
    fy::varchar || lpad(((fy + 1) % 100)::varchar, 2, '0') as time_period,
    'Financial year Q' || q::varchar as time_identifier,
    lag(quarter) over (order by fy, q) as previous_quarter,
    lag(quarter, 4) over (order by fy, q) as year_before_quarter
from labelled
