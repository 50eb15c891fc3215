-- Level 3 (behaviour): participants' career events by type per region and quarter, with the
-- financial year to date and the programme to date (cumulative from the first quarter).
with grid as (
    select q.region_code, q.quarter, q.financial_year, q.quarter_start, e.event_type
    from {{ ref('int_programme__quarters') }} as q
    cross join (select unnest(['applied', 'shortlisted', 'appointed', 'acting up', 'moved authority', 'secondment']) as event_type) as e
),
counts as (
    select region_code, quarter, event_type, count(*) as events, count(distinct participant_id) as participants
    from {{ ref('stg_programme__career_events') }}
    group by all
)
select
    g.region_code,
    g.quarter,
    g.financial_year,
    g.event_type,
    coalesce(c.events, 0)::integer as events,
    coalesce(c.participants, 0)::integer as participants,
    sum(coalesce(c.events, 0)) over (partition by g.region_code, g.financial_year, g.event_type order by g.quarter_start)::integer as events_fytd,
    sum(coalesce(c.events, 0)) over (partition by g.region_code, g.event_type order by g.quarter_start)::integer as events_to_date
from grid as g
left join counts as c using (region_code, quarter, event_type)
