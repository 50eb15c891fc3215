-- One row per respondent with the demographic answers used to break results down.
with demo as (
    select
        a.wave,
        a.respondent_key,
        max(a.option_code) filter (where a.question_id = 'gender') as gender,
        max(a.option_code) filter (where a.question_id = 'tier') as tier,
        max(a.option_code) filter (where a.question_id = 'years_in_management') as years_in_management,
        max(a.option_code) filter (where q.question_type = 'la') as la_code
    from {{ ref('stg_survey__answers') }} as a
    inner join {{ ref('stg_survey__questions') }} as q using (wave, question_id)
    where a.answer_kind = 'option'
    group by all
)
select
    r.wave,
    r.respondent_key,
    r.collector_id,
    r.started_at,
    r.ended_at,
    r.questions_answered,
    d.gender,
    d.tier,
    d.years_in_management,
    d.la_code,
    la.region_code as la_region_code,
    r._row_uid
from {{ ref('stg_survey__respondents') }} as r
left join demo as d using (wave, respondent_key)
left join {{ ref('dim_local_authorities') }} as la on la.old_la_code = d.la_code
