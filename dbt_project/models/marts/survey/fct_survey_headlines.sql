-- Combined headlines per wave, overall and by gender and tier: "likely or planning to apply"
-- (the 2019 study's headline: the two most positive answers to intent_to_apply) and
-- "satisfied" (fairly satisfied or satisfied with the current role).
with measures as (
    select * from (values
        ('likely_or_planning', 'intent_to_apply', ['likely', 'planning']),
        ('satisfied', 'satisfaction', ['fairly_satisfied', 'satisfied'])
    ) as m (measure, question_id, options)  -- the alias names the columns -- noqa: AL05
),
groups as (
    select * from {{ ref('int_survey__respondent_groups') }}
),
answers as (
    select wave, respondent_key, question_id, option_code
    from {{ ref('fct_survey_answers') }}
    where answer_kind = 'option'
)
select
    g.wave,
    w.region_code,
    m.measure,
    m.question_id,
    g.group_type,
    g.group_value,
    count(distinct a.respondent_key) filter (where list_contains(m.options, a.option_code))::integer as n,
    count(distinct a.respondent_key)::integer as base,
    100.0 * count(distinct a.respondent_key) filter (where list_contains(m.options, a.option_code))
        / count(distinct a.respondent_key) as percent
from measures as m
inner join answers as a on a.question_id = m.question_id
inner join groups as g using (wave, respondent_key)
inner join {{ ref('int_survey__waves') }} as w on w.wave = g.wave
group by all
