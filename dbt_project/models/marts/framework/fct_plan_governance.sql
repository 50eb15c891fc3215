-- The partnership agreement's front matter per region and quarter: the plan's regional lead
-- and DCS sponsor (posts and host LAs, never names), the date the plan was agreed, and the
-- quarter's data as-at date, date produced and sign-off (null where not recorded).
select
    q.region_code,
    q.quarter,
    q.financial_year,
    g.lead_post,
    g.lead_la,
    lead.la_name as lead_la_name,
    g.sponsor_post,
    g.sponsor_la,
    sponsor.la_name as sponsor_la_name,
    g.agreed_date as plan_agreed,
    s.data_as_at,
    s.produced,
    s.signed_off_by,
    s.signed_off_date,
    s.signed_off_date is not null as signed_off
from {{ ref('int_programme__quarters') }} as q
left join {{ ref('stg_programme__plan_governance') }} as g on g.region_code = q.region_code and g.financial_year = q.financial_year
left join {{ ref('dim_local_authorities') }} as lead on lead.old_la_code = g.lead_la
left join {{ ref('dim_local_authorities') }} as sponsor on sponsor.old_la_code = g.sponsor_la
left join {{ ref('stg_programme__sign_off') }} as s on s.region_code = q.region_code and s.quarter = q.quarter
