-- Interview and theme figures (before disclosure control, which fct_figures applies):
--   themes.percent.<source>.<wave>.<group_type>.<group_value>.<theme>   share coded to the theme
--   themes.n.<source>.<wave>.<group_type>.<group_value>.<theme>         interviews / respondents coded
--   themes.base.<source>.<wave>.<group_type>.<group_value>              interviews / respondents with free text
--   interviews.n.<wave>, interviews.double_coded.<wave>                 interviews held, double-coded
--   agreement.kappa|alpha.<wave>.<theme>                                 inter-rater agreement (coefficient)
--   agreement.units.<wave>                                              segments double-coded
-- <source> is `interviews` or `survey` (free-text answers coded by keyword).
with waves as (
    select wave, max(region_code) as region_code from (
        select wave, region_code from {{ ref('stg_interviews__codebook') }}
        union all
        select wave, region_code from {{ ref('int_survey__waves') }}
    ) group by wave
),
geo as (
    select
        w.wave,
        w.region_code,
        r.region_name,
        {{ financial_year_time_period(wave_financial_year('w.wave')) }} as time_period,
        'Financial year' as time_identifier,
        case when w.region_code is null then 'National' else 'Regional' end as geographic_level
    from waves as w
    left join {{ ref('ref_regions') }} as r using (region_code)
),
p as (
    select
        t.*,
        {{ themes_figure_id("'percent'", 't.source', 't.wave', 't.group_type', 't.group_value', 't.theme_key') }} as percent_id,
        {{ themes_figure_id("'n'", 't.source', 't.wave', 't.group_type', 't.group_value', 't.theme_key') }} as n_id,
        {{ themes_figure_id("'base'", 't.source', 't.wave', 't.group_type', 't.group_value') }} as base_id,
        'source = ''' || t.source || ''' and wave = ''' || t.wave || ''' and group_type = ''' || t.group_type
            || ''' and group_value = ''' || t.group_value || '''' as filter
    from {{ ref('fct_theme_prevalence') }} as t
),
unioned as (
    select percent_id as figure_id, 'theme_prevalence' as table_id, 'percent' as indicator,
        'percent' as unit, wave, group_type || '.' || group_value || '.' || theme_key as breakdown,
        percent as value, base::double as base, n::double as numerator, base::double as denominator,
        'fct_theme_prevalence' as source_model, filter || ' and theme_path = ''' || replace(theme_path, '''', '''''') || '''' as source_filter,
        n_id as count_id, base_id
    from p
    union all
    select n_id, 'theme_prevalence', 'n', 'people', wave,
        group_type || '.' || group_value || '.' || theme_key, n::double, null, null, null,
        'fct_theme_prevalence', filter || ' and theme_path = ''' || replace(theme_path, '''', '''''') || '''', null, null
    from p
    union all
    select distinct base_id, 'theme_prevalence', 'base', 'people', wave,
        group_type || '.' || group_value, base::double, null, null, null, 'fct_theme_prevalence', filter, null, null
    from p
    union all
    select {{ figure_id(["'interviews'", "'n'", 'wave']) }}, 'interviews', 'interviews', 'people', wave, null, count(*)::double,
        null, null, null, 'fct_interviews', 'wave = ''' || wave || '''', null, null
    from {{ ref('fct_interviews') }} group by wave
    union all
    select {{ figure_id(["'interviews'", "'double_coded'", 'wave']) }}, 'interviews', 'double_coded', 'people', wave, null,
        count(*) filter (where double_coded)::double, null, null, null,
        'fct_interviews', 'wave = ''' || wave || ''' and double_coded', null, null
    from {{ ref('fct_interviews') }} group by wave
    union all
    select {{ agreement_figure_id("'kappa'", 'wave', 'theme_key') }}, 'agreement', 'kappa', 'coefficient', wave, theme_key,
        kappa, null, null, null, 'fct_interview_agreement', 'wave = ''' || wave || ''' and theme_path = ''' || replace(theme_path, '''', '''''') || '''',
        null, null
    from {{ ref('fct_interview_agreement') }}
    union all
    select {{ agreement_figure_id("'alpha'", 'wave', 'theme_key') }}, 'agreement', 'alpha', 'coefficient', wave, theme_key,
        alpha, null, null, null, 'fct_interview_agreement', 'wave = ''' || wave || ''' and theme_path = ''' || replace(theme_path, '''', '''''') || '''',
        null, null
    from {{ ref('fct_interview_agreement') }}
    union all
    select distinct {{ agreement_figure_id("'units'", 'wave') }}, 'agreement', 'units', 'count', wave, null,
        units::double, null, null, null, 'fct_interview_agreement', 'wave = ''' || wave || '''', null, null
    from {{ ref('fct_interview_agreement') }}
)
select
    u.figure_id::varchar as figure_id,
    u.table_id::varchar as table_id,
    u.indicator::varchar as indicator,
    u.unit::varchar as unit,
    u.wave::varchar as period,
    g.time_period::varchar as time_period,
    g.time_identifier::varchar as time_identifier,
    g.geographic_level::varchar as geographic_level,
    'E92000001'::varchar as country_code,
    g.region_code::varchar as region_code,
    g.region_name::varchar as region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    u.breakdown::varchar as breakdown,
    u.value::double as value,
    u.base::double as base,
    u.numerator::double as numerator,
    u.denominator::double as denominator,
    -- themes count people (interviewees, respondents); interviews held and coder agreement
    -- describe the method. Themes overlap and groups do not partition: no additive group.
    case when u.table_id = 'theme_prevalence' then 'people' else 'public' end::varchar as disclosure_class,
    null::varchar as disclosure_total_id,
    null::varchar as disclosure_group,
    u.count_id::varchar as disclosure_count_id,  -- a theme's percent reveals its n and its base
    u.base_id::varchar as disclosure_base_id,
    u.source_model::varchar as source_model,
    u.source_filter::varchar as source_filter
from unioned as u
inner join geo as g using (wave)
