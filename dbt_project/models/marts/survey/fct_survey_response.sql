-- Method and response per wave: fieldwork dates, respondents per collector (each collector is
-- one export file: the web link, telephone interviews), and the response against the
-- workforce surveyed: the second- and third-tier post-holders in the LAs' current HR returns
-- (Workforce sheet) for the quarter in which fieldwork ended.
with w as (
    select w.*, q.quarter
    from {{ ref('int_survey__waves') }} as w
    left join {{ ref('int_quarters') }} as q on w.fieldwork_end between q.quarter_start and q.quarter_end
),
respondents as (
    select r.wave, count(*) as respondents,
        count(*) filter (where s._source_file ilike '%online%' or s._source_file ilike '%.csv') as via_first,
        count(distinct r.collector_id) as collectors
    from {{ ref('int_survey__respondents') }} as r
    inner join {{ ref('stg_survey__respondents') }} as s using (wave, respondent_key)
    group by all
),
workforce as (
    select la.region_code, s.quarter, count(*) as posts_tier_2_3
    from {{ ref('stg_hr_returns__workforce') }} as wf
    inner join {{ ref('int_hr_returns__submissions') }} as s on s.file_sha256 = wf._file_sha256 and s.is_current
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = s.la_code
    where wf.tier in ('2', '3')
    group by all
)
select
    w.wave,
    w.region_code,
    w.fieldwork_start,
    w.fieldwork_end,
    w.quarter as workforce_quarter,
    coalesce(r.respondents, 0)::integer as respondents,
    coalesce(r.collectors, 0)::integer as collectors,
    coalesce(r.via_first, 0)::integer as respondents_online,
    (coalesce(r.respondents, 0) - coalesce(r.via_first, 0))::integer as respondents_other,
    wf.posts_tier_2_3::integer as workforce,
    100.0 * r.respondents / nullif(wf.posts_tier_2_3, 0) as response_rate
from w
left join respondents as r using (wave)
left join workforce as wf on wf.region_code = w.region_code and wf.quarter = w.quarter
