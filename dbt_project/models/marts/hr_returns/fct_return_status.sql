{# One setting (succession.settings: SUCCESSION_RETURN_DEADLINE_DAYS, passed as --vars), else the project var. #}
{% set deadline_days = var('return_deadline_days') %}
-- Which LAs returned data for each quarter: on time, late, quarantined or missing.
-- Expected: every LA of each region that has sent any return in any quarter.
with regions as (
    select distinct la.region_code
    from {{ ref('int_hr_returns__submissions') }} as s
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = s.la_code
),
quarters as (
    select distinct q.*
    from {{ ref('int_quarters') }} as q
    inner join {{ ref('stg_hr_returns__files') }} as f on f.partition_key = q.quarter
    -- current files only: a quarter whose returns were all withdrawn is not expected, as in a
    -- build from scratch of the same raw folder (the ledger keeps withdrawn files as history)
    where f.status in ('loaded', 'quarantined')
),
expected as (
    select q.quarter, q.quarter_end, la.*
    from quarters as q
    cross join {{ ref('dim_local_authorities') }} as la
    where la.region_code in (select region_code from regions)
),
current as (
    select * from {{ ref('int_hr_returns__submissions') }} where is_current
),
quarantined as (
    select
        partition_key as quarter,
        regexp_extract(file_path, '/(\d{3})_[^/]*$', 1) as la_code,
        count(*) as files_quarantined
    from {{ ref('stg_hr_returns__files') }}
    where status = 'quarantined'
    group by all
)
select
    e.quarter,
    e.region_code,
    e.region_name,
    e.old_la_code,
    e.new_la_code,
    e.la_name,
    (e.quarter_end + to_days({{ deadline_days }}))::date as due_date,
    c.date_submitted,
    c.file_path,
    coalesce(c.submissions, 0)::integer as submissions,
    coalesce(qu.files_quarantined, 0)::integer as files_quarantined,
    case
        when c.file_path is null and qu.files_quarantined > 0 then 'quarantined'
        when c.file_path is null then 'missing'
        when c.date_submitted > e.quarter_end + to_days({{ deadline_days }}) then 'late'
        else 'on time'
    end as status
from expected as e
left join current as c on c.la_code = e.old_la_code and c.quarter = e.quarter
left join quarantined as qu on qu.la_code = e.old_la_code and qu.quarter = e.quarter
