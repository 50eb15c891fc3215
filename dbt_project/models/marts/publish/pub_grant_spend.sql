-- Grant received and spent by budget line against plan (build/figures/grant_spend.csv),
-- per region and quarter; budget_line 'all' is the total. Values as shown (whole pounds).
{% set measures = ['planned_this_quarter', 'spent_this_quarter', 'planned_to_date', 'spent_to_date', 'variance_to_date',
                   'annual_plan', 'remaining_plan', 'received_this_quarter', 'received_to_date', 'grant_gbp', 'remaining_grant'] %}
select
    {{ dfe_geography_columns() }},
    coalesce(replace(breakdown, 'line_', ''), 'all') as budget_line,
    {% for m in measures %}
    coalesce(max(value_shown) filter (where indicator = '{{ m }}'), 'z') as {{ m }}{{ "," if not loop.last }}
    {% endfor %}
from {{ ref('fct_figures') }}
where table_id = 'grant'
group by all
