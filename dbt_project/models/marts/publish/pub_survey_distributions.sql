-- Survey distributions as published (build/figures/survey_distributions.csv): n, base and
-- percent of those who answered, as shown after disclosure control (c = suppressed).
select
    {{ dfe_geography_columns('f') }},
    d.wave,
    d.question_id,
    d.question_text,
    d.question_type,
    d.item_code,
    d.item_label,
    d.option_code,
    d.option_label,
    d.option_order,
    n.value_shown as n,
    b.value_shown as base,
    f.value_shown as percent
from {{ ref('fct_survey_distributions') }} as d
inner join {{ ref('fct_figures') }} as f
    on f.figure_id = {{ survey_figure_id("'percent'", 'd.wave', 'd.question_id', 'd.item_code', 'd.option_key') }}
inner join {{ ref('fct_figures') }} as n
    on n.figure_id = {{ survey_figure_id("'n'", 'd.wave', 'd.question_id', 'd.item_code', 'd.option_key') }}
inner join {{ ref('fct_figures') }} as b
    on b.figure_id = {{ survey_figure_id("'base'", 'd.wave', 'd.question_id', 'd.item_code') }}
