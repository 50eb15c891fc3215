-- Raw files: loaded, quarantined (with reasons), replaced or withdrawn; and for HR returns
-- whether a later submission supersedes them.
select
    f.source,
    f.partition_key,
    f.file_path,
    f.file_sha256,
    f.status,
    f.problem_count,
    f.problems,
    f.rows_read,
    f.rows_loaded,
    f.rows_rejected,
    f.column_letters,
    f.run_id,
    f.loaded_at,
    s.superseded_by
from {{ ref('int_files') }} as f
left join {{ ref('int_hr_returns__submissions') }} as s
    on s.file_sha256 = f.file_sha256 and f.source = 'hr_returns'
