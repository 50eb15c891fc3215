-- Answers long: one row per respondent x question x (matrix item) x option chosen.
-- Open answers appear once per theme their text was coded to (theme in option_code);
-- the free text itself never reaches the warehouse.
with answers as (
    select a.*, q.question_type
    from {{ ref('stg_survey__answers') }} as a
    inner join {{ ref('stg_survey__questions') }} as q using (wave, question_id)
    where q.question_type <> 'personal'
)
select
    wave,
    respondent_key,
    question_id,
    question_type,
    item_code,
    answer_kind,
    option_code,
    _row_uid
from answers
where answer_kind in ('option', 'other')
union all
select
    wave,
    respondent_key,
    question_id,
    question_type,
    item_code,
    answer_kind,
    unnest(string_split(themes, '|')) as option_code,
    _row_uid
from answers
where answer_kind = 'open' and themes is not null
union all
select
    wave,
    respondent_key,
    question_id,
    question_type,
    item_code,
    answer_kind,
    null as option_code,
    _row_uid
from answers
where answer_kind = 'open' and themes is null
