-- Survey figures (before disclosure control, which fct_figures applies):
--   survey.respondents.<wave>                                   respondents in the wave
--   survey.base.<wave>.<question>[.<item>]                      respondents who answered
--   survey.n.<wave>.<question>[.<item>].<option>                respondents choosing the option
--   survey.percent.<wave>.<question>[.<item>].<option>          n as a percentage of the base
-- Percentages have the base as their base, so fct_figures suppresses those on fewer than 5.
-- Disclosure: every survey figure counts people. The options of a question (or matrix row)
-- answered once each add up to its base: one disclosure group, total = the base. A percent
-- reveals its n, so it is suppressed with it (disclosure_count_id).
with d as (
    select
        d.*,
        w.time_period,
        w.time_identifier,
        w.geographic_level,
        w.region_name,
        'wave = ''' || d.wave || ''' and question_id = ''' || d.question_id || ''''
            || coalesce(' and item_code = ''' || d.item_code || '''', ' and item_code is null') as filter,
        ' and option_code = ''' || replace(d.option_code, '''', '''''') || '''' as option_filter
    from {{ ref('fct_survey_distributions') }} as d
    inner join {{ ref('int_survey__waves') }} as w using (wave)
),
fig_rows as (
    select {{ survey_figure_id("'percent'", 'wave', 'question_id', 'item_code', 'option_key') }} as figure_id, 'percent' as indicator, 'percent' as unit,
        wave, time_period, time_identifier, geographic_level, region_code, region_name,
        question_id || coalesce('.' || item_code, '') || '.' || option_key as breakdown,
        percent as value, base::double as fig_base, n::double as numerator, base::double as denominator,
        'fct_survey_distributions' as source_model, filter || option_filter as source_filter,
        null as disclosure_group, {{ survey_figure_id("'n'", 'wave', 'question_id', 'item_code', 'option_key') }} as disclosure_count_id,
        {{ survey_figure_id("'base'", 'wave', 'question_id', 'item_code') }} as disclosure_base_id
    from d
    union all
    select {{ survey_figure_id("'n'", 'wave', 'question_id', 'item_code', 'option_key') }}, 'n', 'people',
        wave, time_period, time_identifier, geographic_level, region_code, region_name,
        question_id || coalesce('.' || item_code, '') || '.' || option_key,
        n::double, null::double, null::double, null::double,
        'fct_survey_distributions', filter || option_filter,
        case when question_type <> 'multi' then {{ survey_figure_id("'base'", 'wave', 'question_id', 'item_code') }} end, null, null
    from d
    union all
    select distinct {{ survey_figure_id("'base'", 'wave', 'question_id', 'item_code') }}, 'base', 'people',
        wave, time_period, time_identifier, geographic_level, region_code, region_name,
        question_id || coalesce('.' || item_code, ''),
        base::double, null::double, null::double, null::double,
        'fct_survey_distributions', filter, null, null, null
    from d
),
respondents as (
    select
        {{ figure_id(["'survey'", "'respondents'", 'w.wave']) }} as figure_id, 'respondents' as indicator, 'people' as unit,
        w.wave, w.time_period, w.time_identifier, w.geographic_level, w.region_code, w.region_name,
        null::varchar as breakdown,
        count(r.respondent_key)::double as value, null::double as fig_base, null::double as numerator, null::double as denominator,
        'dim_survey_respondents' as source_model, 'wave = ''' || w.wave || '''' as source_filter,
        null as disclosure_group, null as disclosure_count_id, null as disclosure_base_id
    from {{ ref('int_survey__waves') }} as w
    left join {{ ref('dim_survey_respondents') }} as r using (wave)
    group by all
),
unioned as (
    select * from fig_rows
    union all
    select * from respondents
)
select
    figure_id::varchar as figure_id,
    'survey'::varchar as table_id,
    indicator::varchar as indicator,
    unit::varchar as unit,
    wave::varchar as period,
    time_period::varchar as time_period,
    time_identifier::varchar as time_identifier,
    geographic_level::varchar as geographic_level,
    'E92000001'::varchar as country_code,
    region_code::varchar as region_code,
    region_name::varchar as region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    breakdown::varchar as breakdown,
    value::double as value,
    fig_base::double as base,
    numerator::double as numerator,
    denominator::double as denominator,
    'people'::varchar as disclosure_class,
    disclosure_group::varchar as disclosure_total_id,
    disclosure_group::varchar as disclosure_group,
    disclosure_count_id::varchar as disclosure_count_id,
    disclosure_base_id::varchar as disclosure_base_id,
    source_model::varchar as source_model,
    source_filter::varchar as source_filter
from unioned
