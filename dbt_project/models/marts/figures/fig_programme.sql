-- Programme and evaluation figures (regional), before disclosure control (fct_figures).
-- Ids: programme.<indicator>.<quarter key>.<region>[.<activity type>]
--      evaluation.level<n>.<indicator>.<quarter key>.<region>[.<breakdown>]
--      evaluation.target|baseline.<indicator>.<quarter key>.<region>
--      grant.<measure>.<quarter key>.<region>[.line_<budget line>]
-- base = the n behind a rate or mean, so small bases are suppressed. Counts of people or of
-- activities use unit 'count', so a regional count of 1 or 2 is suppressed too.
-- Disclosure fields (macros/disclosure.sql): dclass people | posts | public; dkind how the
-- figure adds up: 'breakdown' (by activity type, adds up to the figure with no type),
-- 'ratings' (rating counts add up to all responses and make the mean rating: two relations,
-- so one complementary cell cannot protect them; withheld whole), 'series' (level 3 events with their
-- year-to-date and to-date sums: withheld whole when any is small); dcount the figure whose
-- count this rate reveals (suppressed with it).
{% set rq = "'region_code = ''' || region_code || ''' and quarter = ''' || quarter || ''''" %}
with q as (
    select * from {{ ref('int_quarters') }}
),
activities as (
    select *, case when activity_type <> 'all' then {{ id_part('activity_type') }} end as tail,
        case when activity_type = 'all' then null else 'type_' || replace(activity_type, ' ', '_') end as bd,
        {{ rq }} || ' and activity_type = ''' || activity_type || '''' as flt
    from {{ ref('fct_programme_activities') }}
),
reaction as (
    select *, case when activity_type <> 'all' then {{ id_part('activity_type') }} end as tail,
        case when activity_type = 'all' then null else 'type_' || replace(activity_type, ' ', '_') end as bd,
        {{ rq }} || ' and activity_type = ''' || activity_type || '''' as flt
    from {{ ref('fct_evaluation_reaction') }}
),
learning as (
    select *, case when competency <> 'all' then competency end as tail,
        case when competency = 'all' then null else competency end as bd,
        {{ rq }} || ' and competency = ''' || competency || '''' as flt
    from {{ ref('fct_evaluation_learning') }}
),
behaviour as (
    select *, {{ id_part('event_type') }} as tail, {{ id_part('event_type') }} as bd,
        {{ rq }} || ' and event_type = ''' || event_type || '''' as flt
    from {{ ref('fct_evaluation_behaviour') }}
),
grant_lines as (
    select *, case when budget_line <> 'all' then 'line_' || budget_line end as tail,
        case when budget_line = 'all' then null else 'line_' || budget_line end as bd,
        {{ rq }} || ' and budget_line = ''' || budget_line || '''' as flt
    from {{ ref('fct_grant_spend') }}
),
f as (
    {% for measure, unit in [('activities', 'count'), ('attendances', 'count'), ('participants', 'count'), ('las_reached', 'organisations'), ('cost_gbp', 'gbp')] %}
    select 'programme.{{ measure }}' as head, tail, 'programme_activities' as table_id, '{{ measure }}' as indicator, '{{ unit }}' as unit,
           quarter, region_code, bd as breakdown, {{ measure }}::double as value, null::double as base, null::double as numerator, null::double as denominator,
           'fct_programme_activities' as source_model, flt as source_filter,
           {{ "'people'" if measure in ('attendances', 'participants') else "'public'" }} as dclass,
           {{ "case when tail is not null then 'breakdown' end" if measure == 'attendances' else 'null' }} as dkind, null as dcount, null as dbase
    from activities {% if measure == 'las_reached' %}where activity_type = 'all'{% endif %}
    union all
    {% endfor %}
    select 'evaluation.level1.mean_rating', tail, 'evaluation_level1', 'mean_rating', 'score', quarter, region_code, bd,
           mean_rating, responses, mean_rating * responses, responses, 'fct_evaluation_reaction', flt,
           'people', case when tail is not null then 'breakdown' end, null, 'evaluation.level1.responses'
    from reaction
    union all
    select 'evaluation.level1.response_rate', tail, 'evaluation_level1', 'response_rate', 'percent', quarter, region_code, bd,
           response_rate, attendances, responses, attendances, 'fct_evaluation_reaction', flt,
           'people', null, 'evaluation.level1.responses', 'programme.attendances'
    from reaction
    union all
    select 'evaluation.level1.responses', tail, 'evaluation_level1', 'responses', 'count', quarter, region_code, bd,
           responses, null, null, null, 'fct_evaluation_reaction', flt,
           'people', case when tail is not null then 'breakdown' end, null, null
    from reaction
    union all
    {% for n in range(1, 6) %}
    select 'evaluation.level1.rating_share', 'rating_{{ n }}', 'evaluation_level1', 'rating_share', 'percent', quarter, region_code, 'rating_{{ n }}',
           100.0 * rating_{{ n }} / nullif(responses, 0), responses, rating_{{ n }}, responses, 'fct_evaluation_reaction', flt,
           'people', 'ratings', null, 'evaluation.level1.responses'
    from reaction where activity_type = 'all'
    union all
    {% endfor %}
    {% for measure, col in [('skill_before', 'mean_before'), ('skill_after', 'mean_after'), ('skill_gain', 'mean_change')] %}
    select 'evaluation.level2.{{ measure }}', tail, 'evaluation_level2', '{{ measure }}', 'score', quarter, region_code, bd,
           {{ col }}, paired_participants, null, paired_participants, 'fct_evaluation_learning', flt,
           'people', null, null, 'evaluation.level2.paired_participants'
    from learning
    union all
    {% endfor %}
    select 'evaluation.level2.paired_participants', tail, 'evaluation_level2', 'paired_participants', 'count', quarter, region_code, bd,
           paired_participants, null, null, null, 'fct_evaluation_learning', flt,
           'people', null, null, null
    from learning
    union all
    select 'evaluation.level2.audit_coverage', null, 'evaluation_level2', 'audit_coverage', 'percent', quarter, region_code, null,
           audit_coverage, cohort_participants, paired_participants, cohort_participants, 'fct_evaluation_learning', flt,
           'people', null, 'evaluation.level2.paired_participants', null
    from learning where competency = 'all'
    union all
    {% for measure in ['events', 'events_fytd', 'events_to_date'] %}
    select 'evaluation.level3.{{ measure }}', tail, 'evaluation_level3', '{{ measure }}', 'count', quarter, region_code, bd,
           {{ measure }}, null, null, null, 'fct_evaluation_behaviour', flt,
           'people', 'series', null, null
    from behaviour
    union all
    {% endfor %}
    select 'evaluation.level4.' || indicator, null, 'evaluation_level4', indicator, unit, quarter, region_code, null,
           value, denominator, case when denominator is not null then numerator end, denominator,
           'fct_evaluation_results', {{ rq }} || ' and indicator = ''' || indicator || '''',
           -- appointees' background and the post-holders' age, retirement intent and diversity
           -- are about people; the Table one counts and post rates describe posts
           case when indicator in ('external_appointee_rate', 'retirement_risk_rate', 'aged_55_plus_rate',
                                   'talent_pool_female_rate', 'talent_pool_ethnic_minority_rate') then 'people' else 'posts' end,
           null, null, null
    from {{ ref('fct_evaluation_results') }}
    union all
    -- targets and baselines are plan values, not data about people ('public'), printed in the
    -- unit of the indicator they target (a count's target is whole: "12", not "12.0")
    select 'evaluation.target.' || indicator, null, 'evaluation_targets', indicator, unit, quarter, region_code, 'target',
           target, null, null, null, 'fct_evaluation_ratings', {{ rq }} || ' and indicator = ''' || indicator || '''',
           'public', null, null, null
    from {{ ref('fct_evaluation_ratings') }} where target is not null
    union all
    select 'evaluation.baseline.' || indicator, null, 'evaluation_targets', indicator, unit, quarter, region_code, 'baseline',
           baseline, null, null, null, 'fct_evaluation_ratings', {{ rq }} || ' and indicator = ''' || indicator || '''',
           'public', null, null, null
    from {{ ref('fct_evaluation_ratings') }} where baseline is not null
    {% for measure in ['planned_this_quarter', 'spent_this_quarter', 'planned_to_date', 'spent_to_date', 'variance_to_date', 'annual_plan', 'remaining_plan'] %}
    union all
    select 'grant.{{ measure }}', tail, 'grant', '{{ measure }}', 'gbp', quarter, region_code, bd,
           {{ measure }}, null, null, null, 'fct_grant_spend', flt,
           'public', null, null, null
    from grant_lines
    {% endfor %}
    {% for measure in ['received_this_quarter', 'received_to_date', 'grant_gbp', 'remaining_grant'] %}
    union all
    select 'grant.{{ measure }}', null, 'grant', '{{ measure }}', 'gbp', quarter, region_code, null,
           {{ measure }}, null, null, null, 'fct_grant_spend', flt,
           'public', null, null, null
    from grant_lines where budget_line = 'all'
    {% endfor %}
),
bounds as (
    -- what an attacker knows of a count at risk before any cell is shown: a mean rating's sum
    -- of ratings lies between 1 and 5 per response, and responses are at most attendances
    -- (fct_figures picks complements with room to move inside these bounds)
    select
        f.*,
        case when f.head = 'evaluation.level1.mean_rating' then 1.0 * f.base end as dlower,
        case
            when f.head = 'evaluation.level1.mean_rating' then 5.0 * f.base
            when f.head = 'evaluation.level1.responses' then r.attendances
        end as dupper
    from f
    left join reaction as r
        on
            f.head = 'evaluation.level1.responses'
            and r.quarter = f.quarter
            and r.region_code = f.region_code
            and r.tail is not distinct from f.tail
)
select
    {{ regional_figure_id('f.head', 'q.quarter_key', 'f.region_code', 'f.tail') }} as figure_id,
    f.table_id,
    f.indicator,
    f.unit,
    f.quarter as period,
    q.time_period,
    q.time_identifier,
    'Regional' as geographic_level,
    'E92000001' as country_code,
    f.region_code,
    r.region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    f.breakdown,
    f.value::double as value,
    f.base::double as base,
    f.numerator::double as numerator,
    f.denominator::double as denominator,
    f.dclass::varchar as disclosure_class,
    case f.dkind
        when 'breakdown' then {{ regional_figure_id('f.head', 'q.quarter_key', 'f.region_code') }}
    end::varchar as disclosure_total_id,  -- ratings: none, as the mean rating ties them too
    case f.dkind
        when 'breakdown' then {{ regional_figure_id('f.head', 'q.quarter_key', 'f.region_code') }}
        when 'ratings' then {{ regional_figure_id("'evaluation.level1.responses'", 'q.quarter_key', 'f.region_code') }} || '#ratings'
        when 'series' then 'evaluation.level3.' || f.region_code || coalesce('.' || f.tail, '')
    end::varchar as disclosure_group,
    {{ regional_figure_id('f.dcount', 'q.quarter_key', 'f.region_code', 'f.tail') }}::varchar as disclosure_count_id,
    -- rating shares are shares of all responses (no activity-type suffix)
    {{ regional_figure_id('f.dbase', 'q.quarter_key', 'f.region_code', "case when f.dkind = 'ratings' then null else f.tail end") }}::varchar
        as disclosure_base_id,
    f.dlower::double as disclosure_lower,
    f.dupper::double as disclosure_upper,
    f.source_model,
    f.source_filter
from bounds as f
inner join q on q.quarter = f.quarter
inner join {{ ref('ref_regions') }} as r on r.region_code = f.region_code
