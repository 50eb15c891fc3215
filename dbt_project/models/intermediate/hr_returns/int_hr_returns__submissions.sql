-- One row per loaded return. A corrected return for the same LA and quarter supersedes
-- the earlier one (latest date submitted, then highest _vN, then file name); both are kept.
with loaded as (
    select * from {{ ref('stg_hr_returns__files') }} where status = 'loaded'
),
about as (
    select * from {{ ref('stg_hr_returns__about') }}
),
joined as (
    select
        about.la_code,
        about.quarter,
        about.date_submitted,
        loaded.file_path,
        loaded.file_sha256,
        coalesce(try_cast(json_extract_string(loaded.meta, '$.version') as integer), 1) as version,
        loaded.run_id,
        loaded.loaded_at,
        about._row_uid as about_row_uid
    from about
    inner join loaded on about._file_sha256 = loaded.file_sha256
),
ranked as (
    select
        *,
        row_number() over w as submission_rank,
        count(*) over (partition by la_code, quarter) as submissions,
        first_value(file_path) over w as current_file_path
    from joined
    window w as (partition by la_code, quarter order by date_submitted desc, version desc, file_path desc)
)
select
    *,
    submission_rank = 1 as is_current,
    case when submission_rank > 1 then current_file_path end as superseded_by
from ranked
