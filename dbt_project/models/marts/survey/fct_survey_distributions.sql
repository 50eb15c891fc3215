-- Distribution of answers per question (and matrix item): n choosing each option, the
-- base (respondents who answered the question or item) and n as a percentage of it.
-- LA and personal questions are not distributed (disclosure).
with questions as (
    select q.*
    from {{ ref('stg_survey__questions') }} as q
    where q.question_type not in ('personal', 'la')
),
options as (
    select o.*
    from {{ ref('stg_survey__options') }} as o
    inner join questions using (wave, question_id)
),
bases as (
    select wave, question_id, case when question_type = 'matrix' then item_code end as item_code,
        count(distinct respondent_key) as base
    from {{ ref('fct_survey_answers') }}
    group by all
),
counts as (
    select wave, question_id, item_code, option_code, count(distinct respondent_key) as n
    from {{ ref('fct_survey_answers') }}
    where option_code is not null
    group by all
)
select
    o.wave,
    w.region_code,
    q.question_id,
    q.question_order,
    q.question_text,
    q.question_type,
    q.is_likert,
    o.item_code,
    o.item_label,
    o.item_order,
    o.option_code,
    lower(trim(regexp_replace(o.option_code, '[^A-Za-z0-9]+', '_', 'g'), '_')) as option_key,
    o.option_label,
    o.option_order,
    o.likert_score,
    coalesce(c.n, 0)::integer as n,
    coalesce(b.base, 0)::integer as base,
    case when coalesce(b.base, 0) > 0 then 100.0 * coalesce(c.n, 0) / b.base end::double as percent
from options as o
inner join questions as q using (wave, question_id)
inner join {{ ref('int_survey__waves') }} as w using (wave)
left join bases as b
    on b.wave = o.wave and b.question_id = o.question_id and b.item_code is not distinct from o.item_code
left join counts as c
    on c.wave = o.wave and c.question_id = o.question_id and c.item_code is not distinct from o.item_code
    and c.option_code = o.option_code
