-- Value for money (framework annex: "assess value for money"), financial year to date per
-- region and quarter: the grant spent (all budget lines, management and evaluation included)
-- per participant, per activity and per outcome. An outcome is assumed to be a participant's
-- appointment or acting up (level 3 career events): the framework names no outcome measure.
with q as (
    select * from {{ ref('int_programme__quarters') }}
),
attended as (
    select q.region_code, q.quarter,
        count(distinct t.participant_id) as participants_fytd
    from q
    left join {{ ref('int_programme__quarters') }} as q1
        on q1.region_code = q.region_code and q1.financial_year = q.financial_year and q1.quarter_start <= q.quarter_start
    left join {{ ref('stg_programme__attendance') }} as t on t.region_code = q1.region_code and t.quarter = q1.quarter
    group by all
),
activities as (
    select q.region_code, q.quarter, sum(a.activities) as activities_fytd, sum(a.cost_gbp) as activity_cost_fytd
    from q
    inner join {{ ref('int_programme__quarters') }} as q1
        on q1.region_code = q.region_code and q1.financial_year = q.financial_year and q1.quarter_start <= q.quarter_start
    inner join {{ ref('fct_programme_activities') }} as a
        on a.region_code = q1.region_code and a.quarter = q1.quarter and a.activity_type = 'all'
    group by all
),
outcomes as (
    select region_code, quarter, sum(events_fytd) as outcomes_fytd
    from {{ ref('fct_evaluation_behaviour') }}
    where event_type in ('appointed', 'acting up')
    group by all
),
spend as (
    select region_code, quarter, spent_to_date as spent_fytd
    from {{ ref('fct_grant_spend') }}
    where budget_line = 'all'
)
select
    q.region_code,
    q.quarter,
    coalesce(s.spent_fytd, 0)::double as spent_fytd,
    coalesce(a.activity_cost_fytd, 0)::double as activity_cost_fytd,
    coalesce(p.participants_fytd, 0)::integer as participants_fytd,
    coalesce(a.activities_fytd, 0)::integer as activities_fytd,
    coalesce(o.outcomes_fytd, 0)::integer as outcomes_fytd,
    s.spent_fytd / nullif(p.participants_fytd, 0) as cost_per_participant,
    s.spent_fytd / nullif(a.activities_fytd, 0) as cost_per_activity,
    s.spent_fytd / nullif(o.outcomes_fytd, 0) as cost_per_outcome
from q
left join spend as s using (region_code, quarter)
left join attended as p using (region_code, quarter)
left join activities as a using (region_code, quarter)
left join outcomes as o using (region_code, quarter)
