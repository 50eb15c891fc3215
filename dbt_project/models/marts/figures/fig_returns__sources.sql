{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- A returns count rests on the About sheet of each current return it counts (the LA
-- code is what is counted); a disagreements count on the KPIs cell that disagrees.
select
    {{ returns_figure_id('r.status', 'r.quarter', 'r.region_code') }} as figure_id,
    s.about_row_uid as _row_uid,
    'counted' as role,
    'la_code' as source_column,
    s.la_code as source_value
from {{ ref('fct_return_status') }} as r
inner join {{ ref('int_hr_returns__submissions') }} as s
    on s.file_path = r.file_path and s.is_current
union all
select
    {{ returns_figure_id("'received'", 'r.quarter', 'r.region_code') }},
    s.about_row_uid,
    'counted',
    'la_code',
    s.la_code
from {{ ref('fct_return_status') }} as r
inner join {{ ref('int_hr_returns__submissions') }} as s
    on s.file_path = r.file_path and s.is_current
where r.status in ('on time', 'late')
union all
select
    {{ returns_figure_id("'disagreements'", 'r.quarter', 'la.region_code') }},
    r.reported_row_uid,
    'counted',
    'value',
    {{ value_text('r.reported_value') }}
from {{ ref('fct_table_one_reconciliation') }} as r
inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = r.la_code
where not r.agrees
