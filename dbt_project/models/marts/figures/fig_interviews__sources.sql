{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind interview and theme figures: the codings (or survey answer cells)
-- counted for a theme, all codings / free-text answer cells of the group for a base,
-- and the codings of double-coded interviews for agreement. Each names its role in the
-- arithmetic (a percentage's numerator; its denominator is a reference to its base), the
-- column it read (the theme code, the interview id) and the coded value; free-text answers
-- are never stored.
with codings as (
    select c.*, i.gender, i.tier, i.coders
    from {{ ref('stg_interviews__codings') }} as c
    inner join {{ ref('int_interviews__interviews') }} as i using (wave, interview_id)
),
coding_groups as (
    select wave, theme_path as coded_path, _row_uid, 'all' as group_type, 'all' as group_value, coders, 'theme_path' as source_column from codings
    union all
    select wave, theme_path, _row_uid, 'gender', gender, coders, 'theme_path' from codings where gender is not null
    union all
    select wave, theme_path, _row_uid, 'tier', tier, coders, 'theme_path' from codings where tier is not null
),
answers as (
    select a.wave, a.option_code as coded_path, a._row_uid, r.gender, r.tier, a.question_id as source_column
    from {{ ref('fct_survey_answers') }} as a
    inner join {{ ref('int_survey__respondents') }} as r using (wave, respondent_key)
    where a.answer_kind = 'open'
),
answer_groups as (
    select wave, coded_path, _row_uid, 'all' as group_type, 'all' as group_value, source_column from answers
    union all
    select wave, coded_path, _row_uid, 'gender', gender, source_column from answers where gender is not null
    union all
    select wave, coded_path, _row_uid, 'tier', tier, source_column from answers where tier is not null
),
rows_by_source as (
    -- the coded value is the theme code for a coding; an open answer's cell holds free text (not stored)
    select 'interviews' as source, wave, coded_path, _row_uid, group_type, group_value, source_column, coded_path as source_value from coding_groups
    union all
    select 'survey', wave, coded_path, _row_uid, group_type, group_value, source_column, null from answer_groups
),
prevalence as (
    select source, wave, group_type, group_value, theme_path,
        {{ themes_figure_id("'percent'", 'source', 'wave', 'group_type', 'group_value', 'theme_key') }} as percent_id,
        {{ themes_figure_id("'n'", 'source', 'wave', 'group_type', 'group_value', 'theme_key') }} as n_id,
        {{ themes_figure_id("'base'", 'source', 'wave', 'group_type', 'group_value') }} as base_id
    from {{ ref('fct_theme_prevalence') }}
),
matched as (
    select distinct p.percent_id, p.n_id, p.base_id, r._row_uid, r.source_column, r.source_value
    from prevalence as p
    inner join rows_by_source as r using (source, wave, group_type, group_value)
    where r.coded_path = p.theme_path or starts_with(r.coded_path, p.theme_path || '/')
),
base as (
    select distinct p.base_id, r._row_uid, r.source_column, r.source_value
    from (select distinct source, wave, group_type, group_value, base_id from prevalence) as p
    inner join rows_by_source as r using (source, wave, group_type, group_value)
)
select percent_id as figure_id, _row_uid, 'numerator' as role, source_column, source_value, null::varchar as via_figure_id
from matched
union all
-- a percentage's denominator is every row of its base figure: stored once, as a reference to the
-- base (audit.fct_figure_source_rows; audit.fct_figure_sources expands it), not once per theme
-- (a matched row is a row of its base, so the base has rows)
select distinct percent_id, null, 'denominator', null, null, base_id from matched
union all
select n_id, _row_uid, 'counted', source_column, source_value, null from matched
union all
select base_id, _row_uid, 'counted', source_column, source_value, null from base
union all
select {{ figure_id(["'interviews'", "'n'", 'wave']) }}, _row_uid, 'counted', 'interview_id', interview_id, null from codings
union all
select {{ figure_id(["'interviews'", "'double_coded'", 'wave']) }}, _row_uid, 'counted', 'interview_id', interview_id, null
from codings where coders >= 2
union all
select distinct {{ agreement_figure_id('k.kind', 'a.wave', 'a.theme_key') }}, c._row_uid, 'compared', 'theme_path', c.theme_path, null
from {{ ref('fct_interview_agreement') }} as a
cross join (select unnest(['kappa', 'alpha']) as kind) as k
inner join codings as c on c.wave = a.wave and c.coders >= 2
    and (c.theme_path = a.theme_path or starts_with(c.theme_path, a.theme_path || '/'))
union all
select distinct {{ agreement_figure_id("'units'", 'a.wave') }}, c._row_uid, 'counted', 'theme_path', c.theme_path, null
from {{ ref('fct_interview_agreement') }} as a
inner join codings as c on c.wave = a.wave and c.coders >= 2
