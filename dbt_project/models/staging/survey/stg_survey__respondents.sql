select
    wave::varchar as wave,
    respondent_key::varchar as respondent_key,
    collector_id::varchar as collector_id,
    started_at::timestamp as started_at,
    ended_at::timestamp as ended_at,
    questions_answered::integer as questions_answered,
    {{ lineage_columns() }}
from {{ source('survey', 'respondents') }}
