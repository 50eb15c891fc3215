-- Respondents (keyed pseudonyms only) with the demographics used for breakdowns.
select
    wave,
    respondent_key,
    collector_id,
    started_at,
    ended_at,
    questions_answered,
    gender,
    tier,
    years_in_management,
    la_code,
    la_region_code,
    _row_uid
from {{ ref('int_survey__respondents') }}
