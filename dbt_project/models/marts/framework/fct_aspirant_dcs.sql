-- Promotion of the National College's Aspirant DCS programme (framework annex: the regional
-- DCS group will "promote formal leadership development opportunities, including the
-- Aspirant DCS programme"): distinct people reaching each step, per region and quarter, in
-- the quarter, the financial year to date and the programme to date; route 'all' and by the
-- route through which the region brought them to it.
with steps as (
    select a.region_code, a.participant_id, a.status, a.route, q.quarter_start, q.financial_year
    from {{ ref('stg_programme__aspirant_dcs') }} as a
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = a.region_code and q.quarter = a.quarter
),
routes as (
    select 'all' as route union all select distinct route from steps
),
grid as (
    select q.region_code, q.quarter, q.financial_year, q.quarter_start, s.status, r.route
    from {{ ref('int_programme__quarters') }} as q
    cross join (select unnest(['nominated', 'applied', 'accepted', 'started', 'completed', 'withdrew']) as status) as s
    cross join routes as r
)
select
    g.region_code,
    g.quarter,
    g.financial_year,
    g.status,
    g.route,
    count(distinct s.participant_id) filter (where s.quarter_start = g.quarter_start)::integer as people_quarter,
    count(distinct s.participant_id) filter (where s.financial_year = g.financial_year)::integer as people_fytd,
    count(distinct s.participant_id)::integer as people_to_date
from grid as g
left join steps as s
    on s.region_code = g.region_code and s.status = g.status and s.quarter_start <= g.quarter_start
    and (g.route = 'all' or s.route = g.route)
group by all
