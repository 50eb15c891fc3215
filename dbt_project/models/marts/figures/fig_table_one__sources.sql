{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind each Table one figure: an LA's own contributing rows; a region's
-- or England's are all their LAs' rows. Each contribution names its role in the
-- arithmetic, the column that held it and the value found there (the audit trail's cell):
--   counts        counted:     the post or campaign reference each row is counted by
--   averages      numerator:   the applicants / shortlisted cell summed
--                 denominator: the campaign reference of each campaign counted
--   KPI figures   summed:      the KPIs cell (its lineage names the cell already)
with c as (
    select c.*, la.new_la_code, la.region_code, i.aggregation
    from {{ ref('int_table_one__contributions') }} as c
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = c.la_code
    inner join {{ ref('ref_indicators') }} as i using (indicator)
),
roles as (
    select
        c.*,
        case when aggregation = 'ratio_of_sums' then 'denominator' else 'counted' end as role,
        case when indicator = 'vacancies' then 'post_ref' else 'campaign_ref' end as source_column,
        counted_key as source_value
    from c
    where counted_key is not null
    union all
    select
        c.*,
        case when aggregation = 'ratio_of_sums' then 'numerator' else 'summed' end,
        case indicator when 'avg_applicants' then 'applicants' when 'avg_shortlisted' then 'shortlisted' else 'value' end,
        {{ value_text('amount') }}
    from c
    where amount is not null
),
places as (
    -- an LA's figure, its region's and England's
    select r.*, p.place
    from roles as r
    cross join lateral (select unnest([r.new_la_code, r.region_code, 'E92000001']) as place) as p
)
select distinct
    {{ table_one_figure_id('indicator', 'quarter', 'place', 'tier') }} as figure_id, _row_uid, role, source_column, source_value
from places
