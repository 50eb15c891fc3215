-- Table one as published: DfE open-data layout, one row per quarter, geography and tier,
-- one column per indicator, values as shown (c = suppressed, z = not applicable).
{% set indicators = ['vacancies', 'posts_advertised', 'avg_applicants', 'avg_shortlisted',
                     'filled_permanent', 'advertised_not_filled', 'readvertised', 'active_contacts'] %}
select
    {{ dfe_geography_columns() }},
    new_la_code,
    old_la_code,
    la_name,
    replace(breakdown, 'tier_', '') as tier,
    {% for i in indicators %}
    max(value_shown) filter (where indicator = '{{ i }}') as {{ i }}{{ "," if not loop.last }}
    {% endfor %}
from {{ ref('fct_figures') }}
where table_id = 'table_one'
group by all
