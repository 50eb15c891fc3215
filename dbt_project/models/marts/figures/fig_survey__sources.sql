{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind each survey figure: the answer cells counted (n; a percentage's
-- numerator), every answer cell to the question or item (base; a percentage's
-- denominator, stored as a reference to the base), every response row (respondents).
-- Each names the column it read (the question) and the value found there (the option's label as the export shows it;
-- free text is never stored, and a respondent id only as its pseudonym, so neither is).
with d as (
    select wave, question_id, item_code, option_code, option_key,
        {{ survey_figure_id("'base'", 'wave', 'question_id', 'item_code') }} as base_id
    from {{ ref('fct_survey_distributions') }}
),
labels as (
    select wave, question_id, option_code, any_value(option_label order by item_code nulls first) as option_label
    from {{ ref('stg_survey__options') }}
    group by all
),
a as (
    select
        a.*,
        case when a.question_type = 'matrix' then a.item_code end as item_key,
        case when a.answer_kind = 'option' then l.option_label end as shown_value
    from {{ ref('fct_survey_answers') }} as a
    left join labels as l using (wave, question_id, option_code)
),
chosen as (
    select d.wave, d.item_code, d.option_key, a._row_uid, a.question_id, a.shown_value
    from d
    inner join a on a.wave = d.wave and a.question_id = d.question_id
        and a.item_key is not distinct from d.item_code and a.option_code = d.option_code
),
answered as (
    select distinct d.base_id, a._row_uid, a.question_id, a.shown_value
    from (select distinct wave, question_id, item_code, base_id from d) as d
    inner join a on a.wave = d.wave and a.question_id = d.question_id and a.item_key is not distinct from d.item_code
)
select distinct {{ survey_figure_id("'percent'", 'wave', 'question_id', 'item_code', 'option_key') }} as figure_id, _row_uid,
    'numerator' as role, question_id as source_column, shown_value as source_value, null::varchar as via_figure_id
from chosen
union all
-- a percentage's denominator is every row of its base figure: stored once, as a reference to the
-- base (audit.fct_figure_source_rows; audit.fct_figure_sources expands it), not once per option
select distinct {{ survey_figure_id("'percent'", 'c.wave', 'c.question_id', 'c.item_code', 'c.option_key') }},
    null, 'denominator', null, null, c.base_id
from (select distinct wave, question_id, item_code, option_key, base_id from d) as c
where c.base_id in (select base_id from answered)
union all
select distinct {{ survey_figure_id("'n'", 'wave', 'question_id', 'item_code', 'option_key') }}, _row_uid, 'counted', question_id, shown_value,
    null
from chosen
union all
select base_id, _row_uid, 'counted', question_id, shown_value, null from answered
union all
select {{ figure_id(["'survey'", "'respondents'", 'wave']) }}, _row_uid, 'counted', 'respondent_key', null, null
from {{ ref('dim_survey_respondents') }}
