-- Theme prevalence as published (build/figures/theme_prevalence.csv): share of interviews
-- and of survey free-text respondents coded to each theme, overall and by gender and tier.
select
    {{ dfe_geography_columns('f') }},
    t.source,
    t.wave,
    t.group_type,
    t.group_value,
    t.theme_path,
    t.theme_level,
    n.value_shown as n,
    b.value_shown as base,
    f.value_shown as percent
from {{ ref('fct_theme_prevalence') }} as t
inner join {{ ref('fct_figures') }} as f
    on f.figure_id = {{ themes_figure_id("'percent'", 't.source', 't.wave', 't.group_type', 't.group_value', 't.theme_key') }}
inner join {{ ref('fct_figures') }} as n
    on n.figure_id = {{ themes_figure_id("'n'", 't.source', 't.wave', 't.group_type', 't.group_value', 't.theme_key') }}
inner join {{ ref('fct_figures') }} as b
    on b.figure_id = {{ themes_figure_id("'base'", 't.source', 't.wave', 't.group_type', 't.group_value') }}
