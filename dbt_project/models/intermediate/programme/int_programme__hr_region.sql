-- Level 4 inputs beyond Table one, per region and quarter, from current HR returns, as
-- numerator and denominator: the rows and their definitions are in int_programme__hr_region_rows.
select
    region_code,
    quarter,
    indicator,
    unit,
    sum(numerator)::double as numerator,
    (count(*) filter (where in_base))::double as denominator
from {{ ref('int_programme__hr_region_rows') }}
group by all
