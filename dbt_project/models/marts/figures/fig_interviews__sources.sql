-- The raw rows behind interview and theme figures: the codings (or survey answer cells)
-- counted for a theme, all codings / free-text answer cells of the group for a base,
-- and the codings of double-coded interviews for agreement.
with codings as (
    select c.*, i.gender, i.tier, i.coders
    from {{ ref('stg_interviews__codings') }} as c
    inner join {{ ref('int_interviews__interviews') }} as i using (wave, interview_id)
),
coding_groups as (
    select wave, theme_path as coded_path, _row_uid, 'all' as group_type, 'all' as group_value, coders from codings
    union all
    select wave, theme_path, _row_uid, 'gender', gender, coders from codings where gender is not null
    union all
    select wave, theme_path, _row_uid, 'tier', tier, coders from codings where tier is not null
),
answers as (
    select a.wave, a.option_code as coded_path, a._row_uid, r.gender, r.tier
    from {{ ref('fct_survey_answers') }} as a
    inner join {{ ref('int_survey__respondents') }} as r using (wave, respondent_key)
    where a.answer_kind = 'open'
),
answer_groups as (
    select wave, coded_path, _row_uid, 'all' as group_type, 'all' as group_value from answers
    union all
    select wave, coded_path, _row_uid, 'gender', gender from answers where gender is not null
    union all
    select wave, coded_path, _row_uid, 'tier', tier from answers where tier is not null
),
rows_by_source as (
    select 'interviews' as source, wave, coded_path, _row_uid, group_type, group_value from coding_groups
    union all
    select 'survey', wave, coded_path, _row_uid, group_type, group_value from answer_groups
),
prevalence as (
    select source, wave, group_type, group_value, theme_path, theme_key,
        source || '.' || wave || '.' || group_type || '.' || group_value as stem
    from {{ ref('fct_theme_prevalence') }}
),
matched as (
    select distinct p.stem, p.theme_key, r._row_uid
    from prevalence as p
    inner join rows_by_source as r using (source, wave, group_type, group_value)
    where r.coded_path = p.theme_path or starts_with(r.coded_path, p.theme_path || '/')
)
select 'themes.percent.' || stem || '.' || theme_key as figure_id, _row_uid from matched
union all
select 'themes.n.' || stem || '.' || theme_key, _row_uid from matched
union all
select distinct 'themes.base.' || p.stem, r._row_uid
from (select distinct source, wave, group_type, group_value, stem from prevalence) as p
inner join rows_by_source as r using (source, wave, group_type, group_value)
union all
select 'interviews.n.' || wave, _row_uid from codings
union all
select 'interviews.double_coded.' || wave, _row_uid from codings where coders >= 2
union all
select distinct 'agreement.' || k.kind || '.' || a.wave || '.' || a.theme_key, c._row_uid
from {{ ref('fct_interview_agreement') }} as a
cross join (select unnest(['kappa', 'alpha']) as kind) as k
inner join codings as c on c.wave = a.wave and c.coders >= 2
    and (c.theme_path = a.theme_path or starts_with(c.theme_path, a.theme_path || '/'))
union all
select distinct 'agreement.units.' || a.wave, c._row_uid
from {{ ref('fct_interview_agreement') }} as a
inner join codings as c on c.wave = a.wave and c.coders >= 2
