-- The four-level evaluation as published (build/figures/evaluation.csv): one row per
-- evaluation figure with its unit, value and base as shown, and for rated indicators the
-- plan's target and the rating (met / near / not met / no target / no data).
select
    {{ dfe_geography_columns('f') }},
    replace(f.table_id, 'evaluation_level', '')::varchar as level,
    f.indicator,
    coalesce(f.breakdown, 'all') as breakdown,
    f.unit,
    f.value_shown as value,
    -- a suppressed figure's base and rating are suppressed with it (docs/DISCLOSURE.md)
    case when f.suppressed then 'c' when f.base is null then 'z' else printf('%d', f.base::bigint) end as base,
    coalesce(t.value_shown, 'z') as target,
    coalesce(r.published_rating, 'z') as rating,
    f.figure_id
from {{ ref('fct_figures') }} as f
left join {{ ref('fct_evaluation_ratings_shown') }} as r on r.actual_figure_id = f.figure_id
left join {{ ref('fct_figures') }} as t on t.figure_id = r.target_figure_id
where f.table_id like 'evaluation_level%'
