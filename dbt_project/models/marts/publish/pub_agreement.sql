-- Inter-rater agreement per code as published (build/figures/agreement.csv).
select
    {{ dfe_geography_columns('k') }},
    a.wave,
    a.theme_path,
    a.coders,
    a.interviews,
    u.value_shown as units,
    k.value_shown as kappa,
    al.value_shown as alpha
from {{ ref('fct_interview_agreement') }} as a
inner join {{ ref('fct_figures') }} as k on k.figure_id = {{ agreement_figure_id("'kappa'", 'a.wave', 'a.theme_key') }}
inner join {{ ref('fct_figures') }} as al on al.figure_id = {{ agreement_figure_id("'alpha'", 'a.wave', 'a.theme_key') }}
inner join {{ ref('fct_figures') }} as u on u.figure_id = {{ agreement_figure_id("'units'", 'a.wave') }}
