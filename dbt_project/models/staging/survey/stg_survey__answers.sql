select
    wave::varchar as wave,
    respondent_key::varchar as respondent_key,
    question_id::varchar as question_id,
    item_code::varchar as item_code,
    answer_kind::varchar as answer_kind,
    option_code::varchar as option_code,
    themes::varchar as themes,
    text_chars::integer as text_chars,
    text_sha256::varchar as text_sha256,
    {{ lineage_columns() }}
from {{ source('survey', 'answers') }}
