-- Themes of each open question (including region_could_do): per wave and question, the
-- respondents whose answer was coded to each theme (a theme counts its sub-themes) of those
-- who answered the question; 'uncoded' counts answers no theme's keywords matched.
with answers as (
    select wave, question_id, respondent_key, option_code as theme
    from {{ ref('fct_survey_answers') }}
    where answer_kind = 'open'
),
base as (
    select wave, question_id, count(distinct respondent_key) as base from answers group by all
),
themes as (
    select distinct wave, question_id,
        array_to_string(string_split(theme, '/')[1:k], '/') as theme_path, k as theme_level
    from (select wave, question_id, theme, unnest(range(1, len(string_split(theme, '/')) + 1)) as k
          from answers where theme is not null) as theme_levels
    union all
    select distinct wave, question_id, 'uncoded', 1 from answers
),
coded as (
    select t.wave, t.question_id, t.theme_path, count(distinct a.respondent_key) as n
    from themes as t
    inner join answers as a
        on a.wave = t.wave and a.question_id = t.question_id
        and (a.theme = t.theme_path or starts_with(a.theme, t.theme_path || '/'))
    group by all
),
uncoded as (
    select wave, question_id, 'uncoded' as theme_path, count(distinct respondent_key) as n
    from answers as a
    where not exists (select 1 from answers as b where b.wave = a.wave and b.question_id = a.question_id
                      and b.respondent_key = a.respondent_key and b.theme is not null)
    group by all
)
select
    t.wave,
    t.question_id,
    q.question_text,
    q.question_order,
    t.theme_path,
    t.theme_level,
    lower(trim(regexp_replace(t.theme_path, '[^A-Za-z0-9]+', '_', 'g'), '_')) as theme_key,  -- as fct_theme_prevalence
    coalesce(c.n, u.n, 0)::integer as n,
    b.base::integer as base,
    100.0 * coalesce(c.n, u.n, 0) / b.base as percent
from themes as t
inner join base as b using (wave, question_id)
inner join {{ ref('stg_survey__questions') }} as q using (wave, question_id)
left join coded as c using (wave, question_id, theme_path)
left join uncoded as u using (wave, question_id, theme_path)
