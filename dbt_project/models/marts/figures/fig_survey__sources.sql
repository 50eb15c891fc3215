-- The raw rows behind each survey figure: the answer cells counted (n, percent), every
-- answer cell to the question or item (base), every response row (respondents).
with d as (
    select wave, question_id, item_code, option_code, option_key,
        wave || '.' || question_id || coalesce('.' || item_code, '') as stem
    from {{ ref('fct_survey_distributions') }}
),
a as (
    select a.*, case when a.question_type = 'matrix' then a.item_code end as item_key
    from {{ ref('fct_survey_answers') }} as a
),
chosen as (
    select d.stem, d.option_key, a._row_uid
    from d
    inner join a on a.wave = d.wave and a.question_id = d.question_id
        and a.item_key is not distinct from d.item_code and a.option_code = d.option_code
)
select distinct 'survey.percent.' || stem || '.' || option_key as figure_id, _row_uid from chosen
union all
select distinct 'survey.n.' || stem || '.' || option_key, _row_uid from chosen
union all
select distinct 'survey.base.' || d.stem, a._row_uid
from (select distinct wave, question_id, item_code, stem from d) as d
inner join a on a.wave = d.wave and a.question_id = d.question_id and a.item_key is not distinct from d.item_code
union all
select 'survey.respondents.' || wave, _row_uid from {{ ref('dim_survey_respondents') }}
