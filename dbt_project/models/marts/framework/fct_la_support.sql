-- Support to each LA's talent-management culture (framework annex: "support each of the
-- region's local authorities in developing an appropriate culture of talent management and
-- succession planning and, where there are gaps, creating opportunities"), financial year to
-- date per region and quarter: the LAs the lead supported directly, the LAs whose staff took
-- part in the programme, either (reached), the support contacts and opportunities created,
-- and the LAs not yet reached (named: LAs are organisations, not people).
with q as (
    select * from {{ ref('int_programme__quarters') }}
),
support as (
    select s.region_code, s.la_code, s.opportunities_created, q.financial_year, q.quarter_start
    from {{ ref('stg_programme__la_support') }} as s
    inner join q on q.region_code = s.region_code and q.quarter = s.quarter
),
participation as (
    select t.region_code, t.la_code, q.financial_year, q.quarter_start
    from {{ ref('stg_programme__attendance') }} as t
    inner join q on q.region_code = t.region_code and q.quarter = t.quarter
),
reach as (
    select q.region_code, q.quarter, la.old_la_code, la.la_name,
        exists (select 1 from support as s where s.region_code = q.region_code and s.la_code = la.old_la_code  -- sqlfluff reads `exists (` as a function call -- noqa: LT01, LT06
                and s.financial_year = q.financial_year and s.quarter_start <= q.quarter_start) as supported,
        exists (select 1 from participation as p where p.region_code = q.region_code and p.la_code = la.old_la_code  -- sqlfluff reads `exists (` as a function call -- noqa: LT01, LT06
                and p.financial_year = q.financial_year and p.quarter_start <= q.quarter_start) as participating
    from q
    inner join {{ ref('dim_local_authorities') }} as la on la.region_code = q.region_code
),
contacts as (
    select q.region_code, q.quarter, count(s.la_code) as support_contacts, coalesce(sum(s.opportunities_created), 0) as opportunities
    from q
    left join support as s on s.region_code = q.region_code and s.financial_year = q.financial_year and s.quarter_start <= q.quarter_start
    group by all
)
select
    r.region_code,
    r.quarter,
    count(*)::integer as las_in_region,
    count(*) filter (where r.supported)::integer as las_supported_fytd,
    count(*) filter (where r.participating)::integer as las_participating_fytd,
    count(*) filter (where r.supported or r.participating)::integer as las_reached_fytd,
    100.0 * count(*) filter (where r.supported or r.participating) / count(*) as las_reached_rate,
    any_value(c.support_contacts)::integer as support_contacts_fytd,
    any_value(c.opportunities)::integer as opportunities_fytd,
    coalesce(string_agg(r.la_name || ' (' || r.old_la_code || ')', '; ' order by r.la_name)
        filter (where not (r.supported or r.participating)), '') as las_not_reached
from reach as r
inner join contacts as c using (region_code, quarter)
group by r.region_code, r.quarter
