-- Table one per quarter, tier and indicator at LA, region and England level.
-- Aggregates are ratios of sums (sum of numerators / sum of denominators), never
-- averages of LA averages.
with la_level as (
    select t.*, la.new_la_code, la.la_name, la.region_code, la.region_name
    from {{ ref('int_table_one__la') }} as t
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = t.la_code
),
levels as (
    select
        quarter, tier, indicator, 'Local authority' as geographic_level,
        region_code, region_name, new_la_code, la_code as old_la_code, la_name,
        numerator, denominator, 1 as las_reporting
    from la_level
    union all
    select
        quarter, tier, indicator, 'Regional', region_code, region_name, null, null, null,
        sum(numerator), sum(denominator), count(distinct la_code)
    from la_level
    group by quarter, tier, indicator, region_code, region_name
    union all
    select
        quarter, tier, indicator, 'National', null, null, null, null, null,
        sum(numerator), sum(denominator), count(distinct la_code)
    from la_level
    group by quarter, tier, indicator
)
select
    l.quarter,
    q.time_period,
    q.time_identifier,
    l.geographic_level,
    'E92000001' as country_code,
    'England' as country_name,
    l.region_code,
    l.region_name,
    l.new_la_code,
    l.old_la_code,
    l.la_name,
    l.tier,
    l.indicator,
    i.unit,
    l.numerator,
    l.denominator,
    case
        when i.aggregation = 'ratio_of_sums' then l.numerator / nullif(l.denominator, 0)
        else l.numerator
    end as value,
    l.las_reporting::integer as las_reporting
from levels as l
inner join {{ ref('int_quarters') }} as q on q.quarter = l.quarter
inner join {{ ref('ref_indicators') }} as i on i.indicator = l.indicator
