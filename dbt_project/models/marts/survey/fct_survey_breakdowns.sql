-- Answers to the single- and multiple-choice questions broken down by the respondent's
-- gender and tier (the 2019 study's main finding was unequal barriers for women): per wave,
-- question, group and option, those choosing the option (n) of those in the group who
-- answered the question (base). Published under the same disclosure rules as the totals.
with groups as (
    select * from {{ ref('int_survey__respondent_groups') }} where group_type <> 'all'
),
answered as (
    select distinct a.wave, a.question_id, a.respondent_key
    from {{ ref('fct_survey_answers') }} as a
    where a.question_type in ('single', 'multi') and a.answer_kind in ('option', 'other')
),
chosen as (
    select distinct a.wave, a.question_id, a.respondent_key, coalesce(a.option_code, 'other') as option_code
    from {{ ref('fct_survey_answers') }} as a
    where a.question_type in ('single', 'multi') and a.answer_kind in ('option', 'other')
),
options as (
    select distinct wave, question_id, option_code, option_key, option_label, option_order, question_order, question_text
    from {{ ref('fct_survey_distributions') }}
    where question_type in ('single', 'multi') and item_code is null
),
base as (
    select g.wave, a.question_id, g.group_type, g.group_value, count(*) as base
    from groups as g
    inner join answered as a using (wave, respondent_key)
    group by all
),
n as (
    select g.wave, c.question_id, g.group_type, g.group_value, c.option_code, count(*) as n
    from groups as g
    inner join chosen as c using (wave, respondent_key)
    group by all
)
select
    b.wave,
    b.question_id,
    o.question_text,
    o.question_order,
    b.group_type,
    b.group_value,
    o.option_code,
    o.option_key,
    o.option_label,
    o.option_order,
    coalesce(n.n, 0)::integer as n,
    b.base::integer as base,
    100.0 * coalesce(n.n, 0) / b.base as percent
from base as b
inner join options as o using (wave, question_id)
left join n using (wave, question_id, group_type, group_value, option_code)
