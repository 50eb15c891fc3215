-- Survey figures for a section at least as full as the 2019 study's (before disclosure
-- control, which fct_figures applies; percentages on a base under 5 are suppressed):
--   survey.response.<measure>.<wave>                                  method and response vs the workforce
--   survey.headline.<percent|base>.<wave>.<measure>[.<group>_<value>]  combined headlines, overall/gender/tier
--   survey.change.<change_pp|change_low_pp|change_high_pp>.<wave>.<measure>   since the previous wave
--       (base = the smaller of the two waves' bases; 95% interval, Newcombe)
--   survey.by.<percent|base>.<wave>.<question>.<group>_<value>[.<option>]     answers by gender and tier
--   survey.theme.<percent|n|base>.<wave>.<question>[.<theme>]         every open question's themes
-- Disclosure (macros/disclosure.sql; docs/DISCLOSURE.md): every figure here counts people,
-- except the collectors (organisations) and the workforce surveyed (posts). Groups that add
-- up to a shown total: online + other respondents = respondents; a headline's bases and
-- percents (their n) by gender or by tier = at most the overall one; the regions' overall
-- headlines = the England headline of the year (fig_national); a breakdown's options by
-- group (withheld whole when small: a two-way table); the bases of one grouping = at most the question's base (fig_survey). A percent is
-- suppressed with its base (and a theme's with its n); a change since the previous wave with
-- either wave's headline.
{% set headline_total -%}
case
    when h.group_type <> 'all' then {{ survey_headline_figure_id('m.kind', 'h.wave', 'h.measure') }}
    when h.region_code is not null then {{ survey_national_figure_id('m.kind', wave_financial_year('h.wave'), 'h.measure') }}
end
{%- endset %}
{% set by_base = survey_by_figure_id("'base'", 'b.wave', 'b.question_id', "b.group_type || '_' || b.group_value") %}
with w as (
    select * from {{ ref('int_survey__waves') }}
),
f as (
    select {{ survey_response_figure_id('m.measure', 'r.wave') }} as figure_id, 'survey_response' as table_id, m.measure as indicator,
        m.unit, r.wave, null::varchar as breakdown, m.value, m.base, m.numerator, m.base as denominator,
        'fct_survey_response' as source_model, 'wave = ''' || r.wave || '''' as source_filter,
        case m.measure when 'collectors' then 'public' when 'workforce' then 'posts' else 'people' end as dclass,
        case when m.measure in ('respondents_online', 'respondents_other') then {{ survey_response_figure_id("'respondents'", 'r.wave') }} end
            as dtotal,
        case when m.measure in ('respondents_online', 'respondents_other') then {{ survey_response_figure_id("'respondents'", 'r.wave') }} end
            as dgroup,
        case when m.measure = 'response_rate' then {{ survey_response_figure_id("'respondents'", 'r.wave') }} end as dcount,
        case when m.measure = 'response_rate' then {{ survey_response_figure_id("'workforce'", 'r.wave') }} end as dbase
    from {{ ref('fct_survey_response') }} as r
    cross join lateral (
        select unnest(['respondents', 'respondents_online', 'respondents_other', 'collectors', 'workforce', 'response_rate']) as measure,
               unnest(['people', 'people', 'people', 'organisations', 'people', 'percent']) as unit,
               unnest([r.respondents, r.respondents_online, r.respondents_other, r.collectors, r.workforce, r.response_rate]::double[]) as value,
               unnest([null, null, null, null, null, r.workforce]::double[]) as base,
               unnest([null, null, null, null, null, r.respondents]::double[]) as numerator
    ) as m
    union all
    select {{ survey_headline_figure_id('m.kind', 'h.wave', 'h.measure', "case when h.group_type <> 'all' then h.group_type || '_' || h.group_value end") }},
        'survey_headlines', h.measure, m.unit, h.wave,
        case when h.group_type = 'all' then null else h.group_type || '_' || h.group_value end,
        m.value, m.base, m.numerator, m.base, 'fct_survey_headlines',
        'wave = ''' || h.wave || ''' and measure = ''' || h.measure || ''' and group_type = ''' || h.group_type
            || ''' and group_value = ''' || h.group_value || '''',
        'people',
        {{ headline_total }},
        {{ headline_total }} || case when h.group_type <> 'all' then '#' || h.group_type else '' end,
        -- a headline's n is two options' n: it goes with any suppressed option of the question
        -- (fig_survey's group of options), or of the question's breakdown by the same grouping
        case
            when m.kind <> 'percent' then null
            when h.group_type = 'all' then {{ survey_figure_id("'base'", 'h.wave', 'h.question_id', 'null') }}
            else 'survey.by.' || h.wave || '.' || h.question_id || '#' || h.group_type
        end,
        case when m.kind = 'percent' then {{ survey_headline_figure_id("'base'", 'h.wave', 'h.measure', "case when h.group_type <> 'all' then h.group_type || '_' || h.group_value end") }} end
    from {{ ref('fct_survey_headlines') }} as h
    cross join lateral (
        select unnest(['percent', 'base']) as kind, unnest(['percent', 'people']) as unit,
               unnest([h.percent, h.base]::double[]) as value, unnest([h.base, null]::double[]) as base,
               unnest([h.n, null]::double[]) as numerator
    ) as m
    union all
    select {{ survey_change_figure_id('m.kind', 'c.wave', 'c.measure') }}, 'survey_change', c.measure, 'percent', c.wave,
        'since_' || c.previous_wave, m.value, least(c.base, c.previous_base), null, null, 'fct_survey_wave_change',
        'wave = ''' || c.wave || ''' and measure = ''' || c.measure || '''',
        -- a change gives back either wave's headline from the other: suppressed with either
        'people', null, null, {{ survey_headline_figure_id("'percent'", 'c.wave', 'c.measure') }},
        {{ survey_headline_figure_id("'percent'", 'c.previous_wave', 'c.measure') }}
    from {{ ref('fct_survey_wave_change') }} as c
    cross join lateral (
        select unnest(['change_pp', 'change_low_pp', 'change_high_pp']) as kind,
               unnest([c.change_pp, c.change_low_pp, c.change_high_pp]) as value
    ) as m
    union all
    select {{ survey_by_figure_id("'percent'", 'b.wave', 'b.question_id', "b.group_type || '_' || b.group_value", 'b.option_key') }},
        'survey_breakdowns', 'percent', 'percent', b.wave, b.group_type || '_' || b.group_value || '.' || b.option_key,
        b.percent, b.base, b.n, b.base, 'fct_survey_breakdowns',
        'wave = ''' || b.wave || ''' and question_id = ''' || b.question_id || ''' and group_type = ''' || b.group_type
            || ''' and group_value = ''' || b.group_value || ''' and option_code = ''' || b.option_code || '''',
        -- options x groups is a two-way table whose margins are both shown (the group's base here,
        -- the option's n in fig_survey): one complementary cell cannot protect it, so a question's
        -- grouping is one group with no total, withheld whole when any cell is small
        -- grouping is one group with no total, withheld whole when any cell is small. An option
        -- nobody chose is published as 0 overall (survey.n): every group's n is that zero, so the
        -- cell stands outside the group and rests on that published count
        'people', null,
        case when o.n is null or o.n <> 0 then 'survey.by.' || b.wave || '.' || b.question_id || '#' || b.group_type end,
        case when o.n = 0 then {{ survey_figure_id("'n'", 'b.wave', 'b.question_id', 'null', 'b.option_key') }} end, {{ by_base }}
    from {{ ref('fct_survey_breakdowns') }} as b
    left join {{ ref('fct_survey_distributions') }} as o
        on o.wave = b.wave and o.question_id = b.question_id and o.item_code is null and o.option_code = b.option_code
    union all
    select distinct {{ by_base }},
        'survey_breakdowns', 'base', 'people', b.wave, b.group_type || '_' || b.group_value,
        b.base, null, null, null, 'fct_survey_breakdowns',
        'wave = ''' || b.wave || ''' and question_id = ''' || b.question_id || ''' and group_type = ''' || b.group_type
            || ''' and group_value = ''' || b.group_value || '''',
        -- the bases of one grouping add up to at most the question's base (fig_survey)
        'people', {{ survey_figure_id("'base'", 'b.wave', 'b.question_id', 'null') }},
        'survey.by.base.' || b.wave || '.' || b.question_id || '#' || b.group_type, null, null
    from {{ ref('fct_survey_breakdowns') }} as b
    union all
    select {{ survey_theme_figure_id('m.kind', 't.wave', 't.question_id', 't.theme_key') }},
        'survey_open_themes', m.kind, m.unit, t.wave, t.question_id || '.' || t.theme_key,
        m.value, m.base, m.numerator, m.base, 'fct_survey_open_themes',
        'wave = ''' || t.wave || ''' and question_id = ''' || t.question_id || ''' and theme_path = ''' || t.theme_path || '''',
        -- themes overlap: no group; a percent gives back its n
        'people', null, null,
        case when m.kind = 'percent' then {{ survey_theme_figure_id("'n'", 't.wave', 't.question_id', 't.theme_key') }} end,
        case when m.kind = 'percent' then {{ survey_theme_figure_id("'base'", 't.wave', 't.question_id') }} end
    from {{ ref('fct_survey_open_themes') }} as t
    cross join lateral (
        select unnest(['percent', 'n']) as kind, unnest(['percent', 'people']) as unit,
               unnest([t.percent, t.n]::double[]) as value, unnest([t.base, null]::double[]) as base,
               unnest([t.n, null]::double[]) as numerator
    ) as m
    union all
    select distinct {{ survey_theme_figure_id("'base'", 't.wave', 't.question_id') }}, 'survey_open_themes', 'base', 'people', t.wave,
        t.question_id, t.base, null, null, null, 'fct_survey_open_themes',
        'wave = ''' || t.wave || ''' and question_id = ''' || t.question_id || '''',
        'people', null, null, null, null
    from {{ ref('fct_survey_open_themes') }} as t
)
select
    f.figure_id::varchar as figure_id,
    f.table_id::varchar as table_id,
    f.indicator::varchar as indicator,
    f.unit::varchar as unit,
    f.wave::varchar as period,
    w.time_period::varchar as time_period,
    w.time_identifier::varchar as time_identifier,
    w.geographic_level::varchar as geographic_level,
    'E92000001'::varchar as country_code,
    w.region_code::varchar as region_code,
    w.region_name::varchar as region_name,
    null::varchar as new_la_code,
    null::varchar as old_la_code,
    null::varchar as la_name,
    f.breakdown::varchar as breakdown,
    f.value::double as value,
    f.base::double as base,
    f.numerator::double as numerator,
    f.denominator::double as denominator,
    f.dclass::varchar as disclosure_class,
    f.dtotal::varchar as disclosure_total_id,
    f.dgroup::varchar as disclosure_group,
    f.dcount::varchar as disclosure_count_id,
    f.dbase::varchar as disclosure_base_id,
    f.source_model::varchar as source_model,
    f.source_filter::varchar as source_filter
from f
inner join w using (wave)
