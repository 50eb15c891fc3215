-- Leadership diversity of the programme's participants (framework annex: "promote leadership
-- diversity in terms of career backgrounds, and social and ethnic characteristics"): the
-- enrolment profiles of the financial year's participants to date, per region and quarter,
-- by dimension and category. base = profiles completed (the form is voluntary).
with profiles as (
    select p.region_code, p.participant_id, q.financial_year, q.quarter_start, d.dimension, d.category
    from {{ ref('stg_programme__participant_profiles') }} as p
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = p.region_code and q.quarter = p.quarter
    cross join lateral (
        select unnest(['career_background', 'gender', 'ethnic_group', 'first_generation']) as dimension,
               unnest([p.career_background, p.gender, p.ethnic_group, p.first_generation]) as category
    ) as d
),
categories as (
    select distinct dimension, category from profiles
),
grid as (
    select q.region_code, q.quarter, q.financial_year, q.quarter_start, c.dimension, c.category
    from {{ ref('int_programme__quarters') }} as q
    cross join categories as c
),
base as (
    select q.region_code, q.quarter, p.dimension, count(distinct p.participant_id) as base
    from {{ ref('int_programme__quarters') }} as q
    inner join profiles as p
        on p.region_code = q.region_code and p.financial_year = q.financial_year and p.quarter_start <= q.quarter_start
    group by all
),
counted as (
    select g.region_code, g.quarter, g.financial_year, g.dimension, g.category, count(distinct p.participant_id) as n
    from grid as g
    left join profiles as p
        on p.region_code = g.region_code and p.financial_year = g.financial_year and p.quarter_start <= g.quarter_start
        and p.dimension = g.dimension and p.category = g.category
    group by all
)
select
    c.region_code,
    c.quarter,
    c.financial_year,
    c.dimension,
    c.category,
    c.n::integer as n,
    coalesce(b.base, 0)::integer as base,
    100.0 * c.n / nullif(b.base, 0) as percent
from counted as c
left join base as b on b.region_code = c.region_code and b.quarter = c.quarter and b.dimension = c.dimension
