-- Level 4 (results) per region and quarter: Table one (regional rows, first and second tier
-- together) and rates built from it, time to fill, interim cover, diversity of appointees
-- and of the talent pool (third tier), and age and retirement risk of current post-holders.
-- permanent_fill_rate = filled_permanent / (filled_permanent + advertised_not_filled);
-- readvertisement_rate = readvertised / posts_advertised.
with t1 as (
    select region_code, quarter, indicator, sum(numerator) as n
    from {{ ref('fct_table_one') }}
    where geographic_level = 'Regional' and unit = 'count'
    group by all
),
w as (
    pivot t1 on indicator in ('vacancies', 'posts_advertised', 'filled_permanent', 'advertised_not_filled', 'readvertised') using sum(n)
),
long as (
    select region_code, quarter, 'vacancies' as indicator, 'count' as unit, vacancies as numerator, null::double as denominator from w
    union all select region_code, quarter, 'posts_advertised', 'count', posts_advertised, null from w
    union all select region_code, quarter, 'filled_permanent', 'count', filled_permanent, null from w
    union all select region_code, quarter, 'advertised_not_filled', 'count', advertised_not_filled, null from w
    union all select region_code, quarter, 'readvertised', 'count', readvertised, null from w
    union all select region_code, quarter, 'permanent_fill_rate', 'percent', 100.0 * filled_permanent, filled_permanent + advertised_not_filled from w
    union all select region_code, quarter, 'readvertisement_rate', 'percent', 100.0 * readvertised, posts_advertised from w
    union all select region_code, quarter, indicator, unit, numerator, denominator from {{ ref('int_programme__hr_region') }}
)
select
    region_code,
    quarter,
    indicator,
    unit,
    numerator::double as numerator,
    denominator::double as denominator,
    case when denominator is null then numerator else numerator / nullif(denominator, 0) end::double as value
from long
