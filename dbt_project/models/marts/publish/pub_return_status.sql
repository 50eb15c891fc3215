-- Which LAs returned data each quarter (status only; no personal data).
select
    q.time_period,
    q.time_identifier,
    'Local authority' as geographic_level,
    'E92000001' as country_code,
    s.region_code,
    s.region_name,
    s.new_la_code,
    s.old_la_code,
    s.la_name,
    s.due_date,
    s.date_submitted,
    s.submissions,
    s.files_quarantined,
    s.status
from {{ ref('fct_return_status') }} as s
inner join {{ ref('int_quarters') }} as q on q.quarter = s.quarter
