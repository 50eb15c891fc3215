-- Vacancy rows of current (not superseded) returns, with their quarter's dates.
select
    s.la_code,
    s.quarter,
    q.quarter_start,
    q.quarter_end,
    v.*
from {{ ref('stg_hr_returns__vacancies') }} as v
inner join {{ ref('int_hr_returns__submissions') }} as s
    on v._file_sha256 = s.file_sha256 and s.is_current
inner join {{ ref('int_quarters') }} as q on q.quarter = s.quarter
