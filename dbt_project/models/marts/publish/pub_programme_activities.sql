-- Programme activities as published (build/figures/programme_activities.csv): per region,
-- quarter and activity type ('all' = every type), values as shown after disclosure control.
{% set measures = ['activities', 'attendances', 'participants', 'las_reached', 'cost_gbp'] %}
select
    {{ dfe_geography_columns() }},
    coalesce(replace(replace(breakdown, 'type_', ''), '_', ' '), 'all') as activity_type,
    {% for m in measures %}
    coalesce(max(value_shown) filter (where indicator = '{{ m }}'), 'z') as {{ m }}{{ "," if not loop.last }}
    {% endfor %}
from {{ ref('fct_figures') }}
where table_id = 'programme_activities'
group by all
