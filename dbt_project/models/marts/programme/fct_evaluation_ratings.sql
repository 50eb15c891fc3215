-- Each evaluation indicator per region and programme quarter against the target in the plan
-- for that financial year, rated by the one rule in macros/rate_against_target.sql:
-- met / near (within 10% of target) / not met / no target / no data.
-- actual_figure_id / target_figure_id name the registered figures a report prints.
-- Level 3 counts are financial year to date, compared with the year's target.
with levels as (
    select * from (values
        ('mean_rating', 1, 'score'), ('response_rate', 1, 'percent'),
        ('skill_gain', 2, 'score'), ('audit_coverage', 2, 'percent'),
        ('applied', 3, 'count'), ('shortlisted', 3, 'count'), ('appointed', 3, 'count'), ('acting_up', 3, 'count'),
        ('moved_authority', 3, 'count'), ('secondment', 3, 'count'),
        ('permanent_fill_rate', 4, 'percent'), ('readvertisement_rate', 4, 'percent'), ('time_to_fill', 4, 'days'),
        ('interim_cover_rate', 4, 'percent'), ('filled_permanent', 4, 'count'), ('readvertised', 4, 'count'),
        ('vacancies', 4, 'count'), ('posts_advertised', 4, 'count'), ('advertised_not_filled', 4, 'count'),
        ('external_appointee_rate', 4, 'percent'), ('retirement_risk_rate', 4, 'percent'), ('aged_55_plus_rate', 4, 'percent'),
        ('talent_pool_female_rate', 4, 'percent'), ('talent_pool_ethnic_minority_rate', 4, 'percent')
    ) as t (indicator, level, unit)  -- the alias names the columns -- noqa: AL05
),
q as (
    select * from {{ ref('int_programme__quarters') }}
),
actuals as (
    select region_code, quarter, 'mean_rating' as indicator, mean_rating as actual, responses::double as base,
           'evaluation.level1.mean_rating' as prefix
    from {{ ref('fct_evaluation_reaction') }} where activity_type = 'all'
    union all
    select region_code, quarter, 'response_rate', response_rate, attendances, 'evaluation.level1.response_rate'
    from {{ ref('fct_evaluation_reaction') }} where activity_type = 'all'
    union all
    select region_code, quarter, 'skill_gain', mean_change, paired_participants, 'evaluation.level2.skill_gain'
    from {{ ref('fct_evaluation_learning') }} where competency = 'all'
    union all
    select region_code, quarter, 'audit_coverage', audit_coverage, cohort_participants, 'evaluation.level2.audit_coverage'
    from {{ ref('fct_evaluation_learning') }} where competency = 'all'
    union all
    select region_code, quarter, {{ id_part('event_type') }}, events_fytd, null, 'evaluation.level3.events_fytd'
    from {{ ref('fct_evaluation_behaviour') }}
    union all
    select region_code, quarter, indicator, value, denominator, 'evaluation.level4.' || indicator
    from {{ ref('fct_evaluation_results') }}
),
actual_ids as (
    select a.region_code, a.quarter, a.indicator, a.actual, a.base,
        {{ regional_figure_id('a.prefix', 'q.quarter_key', 'a.region_code',
                              "case when a.prefix = 'evaluation.level3.events_fytd' then a.indicator end") }} as actual_figure_id
    from actuals as a
    inner join q using (region_code, quarter)
),
targets as (
    select q.region_code, q.quarter, t.indicator, t.baseline, t.target, t.direction
    from q
    inner join {{ ref('stg_programme__plan_targets') }} as t
        on t.region_code = q.region_code and t.financial_year = q.financial_year
),
keyed as (
    select region_code, quarter, indicator from actual_ids
    union
    select region_code, quarter, indicator from targets
)
select
    k.region_code,
    k.quarter,
    q.financial_year,
    l.level::integer as level,
    k.indicator,
    l.unit,
    a.actual::double as actual,
    a.base::double as base,
    t.baseline::double as baseline,
    t.target::double as target,
    t.direction,
    a.actual_figure_id,
    case when t.target is not null then {{ regional_figure_id("'evaluation.target.' || k.indicator", 'q.quarter_key', 'k.region_code') }} end
        as target_figure_id,
    case when t.baseline is not null then {{ regional_figure_id("'evaluation.baseline.' || k.indicator", 'q.quarter_key', 'k.region_code') }} end
        as baseline_figure_id,
    {{ rate_against_target('a.actual', 't.target', 't.direction') }} as rating
from keyed as k
inner join q using (region_code, quarter)
inner join levels as l using (indicator)
left join actual_ids as a using (region_code, quarter, indicator)
left join targets as t using (region_code, quarter, indicator)
