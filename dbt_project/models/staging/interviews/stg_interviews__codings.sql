select
    wave::varchar as wave,
    interview_id::varchar as interview_id,
    coder::varchar as coder,
    section::varchar as section,
    segment_id::varchar as segment_id,
    theme_path::varchar as theme_path,
    excerpt_chars::integer as excerpt_chars,
    excerpt_sha256::varchar as excerpt_sha256,
    participant_gender::varchar as participant_gender,
    participant_tier::varchar as participant_tier,
    source_format::varchar as source_format,
    {{ lineage_columns() }}
from {{ source('interviews', 'codings') }}
