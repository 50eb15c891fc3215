{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind each survey-framework figure: the answer cells of the question counted
-- (headlines, breakdowns and changes: every answer to the question by the group's respondents;
-- themes: the open answers), and the response rows (method and response).
with a as (
    select a.*, r.gender, r.tier
    from {{ ref('fct_survey_answers') }} as a
    inner join {{ ref('int_survey__respondents') }} as r using (wave, respondent_key)
),
-- Each branch below is free of duplicates by construction, so no distinct runs over the
-- union: at 153 LAs x 40 quarters that union holds ~14 M rows and a distinct over it did
-- not fit DuckDB's memory limit even at 1 GB (an answer row of a multi-select question
-- is one raw row, so its answers share a _row_uid: they are collapsed here, before any
-- branch multiplies rows by groups or options).
question_rows as (
    -- each respondent's row once per question (any answer kind)
    select distinct wave, question_id, question_type, answer_kind, _row_uid, gender, tier from a
),
rows_any_kind as (
    select distinct wave, question_id, question_type, _row_uid, gender, tier from question_rows
),
option_rows as (
    -- the options a row counts for (an answer without an option code counts as 'other')
    select distinct wave, question_id, question_type, coalesce(option_code, 'other') as option_code, _row_uid, gender, tier
    from a
),
grp as (
    -- grp: the group's id part (gender_<value>, tier_<value>), null for everyone
    select unnest([null, 'gender', 'tier']) as grp_kind
),
headline_questions as (
    select * from (values ('likely_or_planning', 'intent_to_apply'), ('satisfied', 'satisfaction')) as h (measure, question_id)  -- the alias names the columns -- noqa: AL05
),
candidates as (
    select {{ survey_headline_figure_id('k.kind', 'x.wave', 'h.measure', "case g.grp_kind when 'gender' then 'gender_' || coalesce(x.gender, '-') when 'tier' then 'tier_' || coalesce(x.tier, '-') end") }} as figure_id, x._row_uid, null as role
    from question_rows as x
    cross join grp as g
    inner join headline_questions as h using (question_id)
    cross join (select unnest(['percent', 'base']) as kind) as k
    where x.answer_kind = 'option'
    union all
    select distinct {{ survey_change_figure_id('k.kind', 'c.wave', 'c.measure') }}, x._row_uid, null
    from {{ ref('fct_survey_wave_change') }} as c
    inner join headline_questions as h using (measure)
    inner join question_rows as x on x.question_id = h.question_id and x.wave in (c.wave, c.previous_wave) and x.answer_kind = 'option'
    cross join (select unnest(['change_pp', 'change_low_pp', 'change_high_pp']) as kind) as k
    union all
    select {{ survey_by_figure_id("'base'", 'x.wave', 'x.question_id', "case g.grp_kind when 'gender' then 'gender_' || coalesce(x.gender, '-') when 'tier' then 'tier_' || coalesce(x.tier, '-') end") }}, x._row_uid, null
    from rows_any_kind as x
    cross join grp as g
    where g.grp_kind is not null and x.question_type in ('single', 'multi')
    union all
    select {{ survey_by_figure_id("'percent'", 'x.wave', 'x.question_id', "case g.grp_kind when 'gender' then 'gender_' || coalesce(x.gender, '-') when 'tier' then 'tier_' || coalesce(x.tier, '-') end", 'd.option_key') }}, x._row_uid, 'numerator'
    from option_rows as x
    cross join grp as g
    inner join (select distinct wave, question_id, option_code, option_key from {{ ref('fct_survey_distributions') }}) as d
        on d.wave = x.wave and d.question_id = x.question_id and d.option_code = x.option_code
    where g.grp_kind is not null and x.question_type in ('single', 'multi')
    union all
    select distinct {{ survey_theme_figure_id('k.kind', 't.wave', 't.question_id', 't.theme_key') }}, a._row_uid,
        case when k.kind = 'percent' then 'numerator' end
    from {{ ref('fct_survey_open_themes') }} as t
    inner join a on a.wave = t.wave and a.question_id = t.question_id and a.answer_kind = 'open'
        and (a.option_code = t.theme_path or starts_with(a.option_code, t.theme_path || '/')
             or (t.theme_path = 'uncoded' and a.option_code is null))
    cross join (select unnest(['n', 'percent']) as kind) as k
    union all
    select {{ survey_theme_figure_id("'base'", 'x.wave', 'x.question_id') }}, x._row_uid, null
    from question_rows as x where x.answer_kind = 'open'
    union all
    -- the response rate: respondents over the workforce surveyed
    select {{ survey_response_figure_id('m.measure', 'r.wave') }}, r._row_uid,
        case when m.measure = 'response_rate' then 'numerator' end
    from {{ ref('dim_survey_respondents') }} as r
    cross join (select unnest(['respondents', 'respondents_online', 'respondents_other', 'collectors', 'response_rate']) as measure) as m
    union all
    -- the workforce: second- and third-tier post rows of the LAs' current returns for the quarter
    select distinct {{ survey_response_figure_id('m.measure', 'r.wave') }}, wf._row_uid,
        case when m.measure = 'response_rate' then 'denominator' end
    from {{ ref('fct_survey_response') }} as r
    inner join {{ ref('int_hr_returns__submissions') }} as s on s.quarter = r.workforce_quarter and s.is_current
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = s.la_code and la.region_code = r.region_code
    inner join {{ ref('stg_hr_returns__workforce') }} as wf on wf._file_sha256 = s.file_sha256 and wf.tier in ('2', '3')
    cross join (select unnest(['workforce', 'response_rate']) as measure) as m
),
-- A percent's denominator is every row of its base figure, so it is stored once, as a reference
-- to that base (via_figure_id, _row_uid null), not as the base's rows again per option or theme:
-- at 153 LAs x 40 quarters those copies were 31.6 M of fct_figure_sources' 48.8 M rows.
-- audit.fct_figure_sources expands the reference into the base's rows, so readers see the same
-- rows as before. A percent has a denominator only where its base has rows, as before.
group_bases as (
    -- the groups (gender_<value>, tier_<value>) with answers to a question, each with its base
    select distinct x.wave, x.question_id,
        case g.grp_kind when 'gender' then 'gender_' || coalesce(x.gender, '-') when 'tier' then 'tier_' || coalesce(x.tier, '-') end as grp
    from rows_any_kind as x
    cross join grp as g
    where g.grp_kind is not null and x.question_type in ('single', 'multi')
),
references_to_bases as (
    -- an option's percent in a group is of the group's answers to the question: its base
    select {{ survey_by_figure_id("'percent'", 'b.wave', 'b.question_id', 'b.grp', 'd.option_key') }} as figure_id,
        'denominator' as role,
        {{ survey_by_figure_id("'base'", 'b.wave', 'b.question_id', 'b.grp') }} as via_figure_id
    from group_bases as b
    inner join (select distinct wave, question_id, option_key from {{ ref('fct_survey_distributions') }}) as d
        on d.wave = b.wave and d.question_id = b.question_id
    union all
    -- a theme's percent is of everyone who answered the question: those answers are its base
    select {{ survey_theme_figure_id("'percent'", 't.wave', 't.question_id', 't.theme_key') }}, 'denominator',
        {{ survey_theme_figure_id("'base'", 't.wave', 't.question_id') }}
    from {{ ref('fct_survey_open_themes') }} as t
    where exists (
        select 1 from question_rows as x
        where x.wave = t.wave and x.question_id = t.question_id and x.answer_kind = 'open'
    )
)
select c.figure_id, c._row_uid, c.role::varchar as role, null::varchar as via_figure_id
from candidates as c
where c._row_uid is not null
  and c.figure_id in (select figure_id from {{ ref('fig_survey_framework') }})
union all
select r.figure_id, null::varchar, r.role::varchar, r.via_figure_id
from references_to_bases as r
where r.figure_id in (select figure_id from {{ ref('fig_survey_framework') }})
