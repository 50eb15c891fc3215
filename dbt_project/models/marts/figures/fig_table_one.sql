-- Table one figures (before disclosure control, which fct_figures applies).
-- Disclosure fields (macros/disclosure.sql, docs/DISCLOSURE.md):
--   class: applicants, shortlisted and contacts are people; the other indicators count
--   posts (public adverts and appointments) and are published in full;
--   group/total: LA cells add up to their region total, region cells to England's
--   (for averages the numerators add up), so complementary cells are chosen there.
select
    {{ table_one_figure_id('t.indicator', 't.quarter', 'coalesce(t.new_la_code, t.region_code, t.country_code)', 't.tier') }} as figure_id,
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
    -- the n behind an average; a count has no base (publishing it would publish the count)
    t.denominator as base,
    t.numerator,
    t.denominator,
    case when t.indicator in ('avg_applicants', 'avg_shortlisted', 'active_contacts') then 'people' else 'posts' end as disclosure_class,
    case t.geographic_level
        when 'Local authority' then {{ table_one_figure_id('t.indicator', 't.quarter', 't.region_code', 't.tier') }}
        when 'Regional' then {{ table_one_figure_id('t.indicator', 't.quarter', 't.country_code', 't.tier') }}
    end as disclosure_total_id,
    disclosure_total_id as disclosure_group,
    null::varchar as disclosure_count_id,
    null::varchar as disclosure_base_id,  -- campaigns closed: posts
    'fct_table_one' as source_model,
    'quarter = ''' || t.quarter || ''' and tier = ''' || t.tier || ''' and indicator = ''' || t.indicator
        || ''' and geographic_level = ''' || t.geographic_level || ''''
        || coalesce(' and new_la_code = ''' || t.new_la_code || '''', ' and region_code = ''' || t.region_code || '''', '') as source_filter
from {{ ref('fct_table_one') }} as t
