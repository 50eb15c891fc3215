-- Supply and demand for 1st and 2nd tier posts (framework annex: "gather and maintain data
-- about supply and demand for 1st and 2nd tier posts"), per region, quarter and tier.
-- Demand: the region's Table one vacancies and posts advertised in the quarter. Supply: the
-- applicants and shortlisted candidates for those posts (Table one), and the pipeline the
-- programme builds in the financial year to date: participants one tier below, participants'
-- applications for posts of the tier, and (tier 1) people started on the Aspirant DCS programme.
with q as (
    select * from {{ ref('int_programme__quarters') }}
),
tiers as (
    select unnest(['1', '2']) as tier
),
table_one as (
    select region_code, quarter, tier,
        max(value) filter (where indicator = 'vacancies') as vacancies,
        max(value) filter (where indicator = 'posts_advertised') as posts_advertised,
        max(numerator) filter (where indicator = 'avg_applicants') as applicants,
        max(numerator) filter (where indicator = 'avg_shortlisted') as shortlisted
    from {{ ref('fct_table_one') }}
    where geographic_level = 'Regional'
    group by all
),
pool as (
    select q.region_code, q.quarter, (t.tier::integer - 1)::varchar as for_tier, count(distinct t.participant_id) as pool_fytd
    from q
    inner join q as q1 on q1.region_code = q.region_code and q1.financial_year = q.financial_year and q1.quarter_start <= q.quarter_start
    inner join {{ ref('stg_programme__attendance') }} as t on t.region_code = q1.region_code and t.quarter = q1.quarter
    where t.tier in ('2', '3')
    group by all
),
applied as (
    select q.region_code, q.quarter, e.tier, count(*) as applications_fytd
    from q
    inner join q as q1 on q1.region_code = q.region_code and q1.financial_year = q.financial_year and q1.quarter_start <= q.quarter_start
    inner join {{ ref('stg_programme__career_events') }} as e on e.region_code = q1.region_code and e.quarter = q1.quarter
    where e.event_type = 'applied'
    group by all
),
aspirants as (
    select region_code, quarter, '1' as tier, people_fytd as aspirants_started_fytd
    from {{ ref('fct_aspirant_dcs') }}
    where status = 'started' and route = 'all'
)
select
    q.region_code,
    q.quarter,
    t.tier,
    o.vacancies,
    o.posts_advertised,
    o.applicants,
    o.shortlisted,
    coalesce(p.pool_fytd, 0)::integer as pool_fytd,
    coalesce(a.applications_fytd, 0)::integer as applications_fytd,
    case when t.tier = '1' then coalesce(asp.aspirants_started_fytd, 0) end::integer as aspirants_started_fytd
from q
cross join tiers as t
left join table_one as o on o.region_code = q.region_code and o.quarter = q.quarter and o.tier = t.tier
left join pool as p on p.region_code = q.region_code and p.quarter = q.quarter and p.for_tier = t.tier
left join applied as a on a.region_code = q.region_code and a.quarter = q.quarter and a.tier = t.tier
left join aspirants as asp on asp.region_code = q.region_code and asp.quarter = q.quarter and asp.tier = t.tier
