-- Table one figures (before disclosure control, which fct_figures applies).
-- LA cells of a count share a disclosure group with their region total, so a
-- single suppressed LA cell is protected by secondary suppression.
select
    'table_one.' || t.indicator || '.' || replace(t.quarter, ' ', '_') || '.'
        || coalesce(t.new_la_code, t.region_code, t.country_code) || '.tier_' || t.tier as figure_id,
    'table_one' as table_id,
    t.indicator,
    t.unit,
    t.quarter as period,
    t.time_period,
    t.time_identifier,
    t.geographic_level,
    t.country_code,
    t.region_code,
    t.region_name,
    t.new_la_code,
    t.old_la_code,
    t.la_name,
    'tier_' || t.tier as breakdown,
    t.value,
    coalesce(t.denominator, t.numerator) as base,
    t.numerator,
    t.denominator,
    case when t.geographic_level = 'Local authority' and t.unit = 'count'
        then 'table_one.' || t.indicator || '.' || replace(t.quarter, ' ', '_') || '.' || t.region_code || '.tier_' || t.tier
    end as disclosure_total_id,
    'fct_table_one' as source_model,
    'quarter = ''' || t.quarter || ''' and tier = ''' || t.tier || ''' and indicator = ''' || t.indicator
        || ''' and geographic_level = ''' || t.geographic_level || ''''
        || coalesce(' and new_la_code = ''' || t.new_la_code || '''', ' and region_code = ''' || t.region_code || '''', '') as source_filter
from {{ ref('fct_table_one') }} as t
