-- Theme prevalence: the share of interviews, and of survey respondents who gave free-text
-- answers, coded to each theme (a theme counts its sub-themes), overall and by gender and tier.
with codebook as (
    select wave, theme_path, theme_level from {{ ref('stg_interviews__codebook') }}
),
-- interviews -------------------------------------------------------------------------
interview_groups as (
    select wave, interview_id, 'all' as group_type, 'all' as group_value from {{ ref('int_interviews__interviews') }}
    union all
    select wave, interview_id, 'gender', gender from {{ ref('int_interviews__interviews') }} where gender is not null
    union all
    select wave, interview_id, 'tier', tier from {{ ref('int_interviews__interviews') }} where tier is not null
),
interview_coded as (
    select distinct c.wave, c.interview_id, cb.theme_path
    from {{ ref('stg_interviews__codings') }} as c
    inner join codebook as cb
        on cb.wave = c.wave and (c.theme_path = cb.theme_path or starts_with(c.theme_path, cb.theme_path || '/'))
),
interview_base as (
    select wave, group_type, group_value, count(distinct interview_id) as base
    from interview_groups group by all
),
interview_n as (
    select g.wave, g.group_type, g.group_value, ic.theme_path, count(distinct g.interview_id) as n
    from interview_groups as g
    inner join interview_coded as ic using (wave, interview_id)
    group by all
),
interviews as (
    select 'interviews' as source, b.wave, cb.theme_path, cb.theme_level, b.group_type, b.group_value,
        coalesce(n.n, 0) as n, b.base
    from interview_base as b
    inner join codebook as cb using (wave)
    left join interview_n as n using (wave, group_type, group_value, theme_path)
),
-- survey free text ----------------------------------------------------------------------
open_answers as (
    select a.wave, a.respondent_key, a.option_code as theme, a._row_uid
    from {{ ref('fct_survey_answers') }} as a
    where a.answer_kind = 'open'
),
survey_themes as (
    select distinct wave, theme_path, theme_level
    from (
        select
            o.wave,
            array_to_string(string_split(o.option_code, '/')[1:k], '/') as theme_path,
            k as theme_level
        from (
            select wave, option_code, unnest(range(1, len(string_split(option_code, '/')) + 1)) as k
            from {{ ref('stg_survey__options') }}
            inner join {{ ref('stg_survey__questions') }} using (wave, question_id)
            where question_type = 'open'
        ) as o
    )
),
survey_groups as (
    select wave, respondent_key, 'all' as group_type, 'all' as group_value from {{ ref('int_survey__respondents') }}
    union all
    select wave, respondent_key, 'gender', gender from {{ ref('int_survey__respondents') }} where gender is not null
    union all
    select wave, respondent_key, 'tier', tier from {{ ref('int_survey__respondents') }} where tier is not null
),
survey_base as (
    select g.wave, g.group_type, g.group_value, count(distinct g.respondent_key) as base
    from survey_groups as g
    where exists (select 1 from open_answers as a where a.wave = g.wave and a.respondent_key = g.respondent_key)
    group by all
),
survey_n as (
    select g.wave, g.group_type, g.group_value, t.theme_path, count(distinct g.respondent_key) as n
    from survey_groups as g
    inner join open_answers as a using (wave, respondent_key)
    inner join survey_themes as t on t.wave = a.wave and (a.theme = t.theme_path or starts_with(a.theme, t.theme_path || '/'))
    group by all
),
survey as (
    select 'survey' as source, b.wave, t.theme_path, t.theme_level, b.group_type, b.group_value,
        coalesce(n.n, 0) as n, b.base
    from survey_base as b
    inner join survey_themes as t using (wave)
    left join survey_n as n using (wave, group_type, group_value, theme_path)
),
unioned as (
    select * from interviews
    union all
    select * from survey
)
select
    u.source,
    u.wave,
    coalesce(w.region_code, cb_region.region_code) as region_code,
    u.theme_path,
    lower(trim(regexp_replace(u.theme_path, '[^A-Za-z0-9]+', '_', 'g'), '_')) as theme_key,
    u.theme_level::integer as theme_level,
    u.group_type,
    u.group_value,
    u.n::integer as n,
    u.base::integer as base,
    case when u.base > 0 then 100.0 * u.n / u.base end::double as percent
from unioned as u
left join {{ ref('int_survey__waves') }} as w on w.wave = u.wave and u.source = 'survey'
left join (
    select wave, max(region_code) as region_code from {{ ref('stg_interviews__codebook') }} group by wave
) as cb_region on cb_region.wave = u.wave and u.source = 'interviews'
