select
    wave::varchar as wave,
    question_id::varchar as question_id,
    question_order::integer as question_order,
    question_text::varchar as question_text,
    question_type::varchar as question_type,
    is_likert::boolean as is_likert,
    {{ lineage_columns() }}
from {{ source('survey', 'questions') }}
