-- Each region and quarter the programme has records for, with its financial year and dates.
with seen as (
    select distinct region_code, quarter from {{ ref('stg_programme__activities') }}
    union select distinct region_code, quarter from {{ ref('stg_programme__grant_ledger') }}
    union select distinct region_code, quarter from {{ ref('stg_programme__narrative') }}
    union select distinct region_code, quarter from {{ ref('stg_programme__career_events') }}
    union select distinct region_code, quarter from {{ ref('stg_programme__skills_audit') }}
)
select
    s.region_code,
    r.region_name,
    s.quarter,
    q.quarter_key,
    split_part(s.quarter, ' ', 1) as financial_year,
    q.quarter_number,
    q.quarter_start,
    q.quarter_end,
    q.time_period,
    q.time_identifier
from seen as s
inner join {{ ref('int_quarters') }} as q on q.quarter = s.quarter
inner join {{ ref('ref_regions') }} as r on r.region_code = s.region_code
