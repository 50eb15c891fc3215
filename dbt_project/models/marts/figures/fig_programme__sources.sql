{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind each programme figure (kept only where the figure exists), with
-- each row's role in a rate's arithmetic where the rows say it: level 1 response rates
-- (feedback over attendance), rating shares and mean ratings (feedback rows), level 2
-- scores (the paired audit rows), level 4 Table one rates (readvertised over advertised,
-- filled over filled plus not filled). Other rows only `contribute` (the audit trail's
-- fct_raw_row_keys names their cell).
with q as (
    select * from {{ ref('int_quarters') }}
),
act as (
    select a.region_code, a.quarter, {{ id_part('a.activity_type') }} as t, a._row_uid as act_uid, t._row_uid as att_uid, f._row_uid as fb_uid, f.rating as fb_rating
    from {{ ref('stg_programme__activities') }} as a
    left join {{ ref('stg_programme__attendance') }} as t
        on t.activity_id = a.activity_id and t.region_code = a.region_code and t.quarter = a.quarter
    left join {{ ref('stg_programme__feedback') }} as f
        on f.activity_id = t.activity_id and f.participant_id = t.participant_id and f.region_code = t.region_code
),
act_ids as (
    select a.*, q.quarter_key from act as a inner join q using (quarter)
),
candidates as (
    -- activities: the activity rows and their attendance rows
    select {{ regional_figure_id("'programme.' || m.measure", 'quarter_key', 'region_code', 'sfx.s') }} as figure_id,
        u.uid as _row_uid, null::varchar as role
    from act_ids
    cross join (select unnest(['activities', 'attendances', 'participants', 'las_reached', 'cost_gbp']) as measure) as m
    cross join lateral (select unnest([null, t]) as s) as sfx
    cross join lateral (select unnest([act_uid, att_uid]) as uid) as u
    union all
    -- level 1: the attendance and feedback rows
    select {{ regional_figure_id("'evaluation.level1.' || m.measure", 'quarter_key', 'region_code', 'sfx.s') }}, u.uid, u.role
    from act_ids
    cross join (select unnest(['mean_rating', 'response_rate', 'responses']) as measure) as m
    cross join lateral (select unnest([null, t]) as s) as sfx
    cross join lateral (select unnest(case m.measure
        when 'response_rate' then [{ 'uid': att_uid, 'role': 'denominator' }, { 'uid': fb_uid, 'role': 'numerator' }]
        when 'mean_rating' then [{ 'uid': att_uid, 'role': null }, { 'uid': fb_uid, 'role': 'numerator' }, { 'uid': fb_uid, 'role': 'denominator' }]
        else [{ 'uid': att_uid, 'role': null }, { 'uid': fb_uid, 'role': 'counted' }] end, recursive := true)) as u
    union all
    select {{ regional_figure_id("'evaluation.level1.rating_share'", 'quarter_key', 'region_code', "'rating_' || r.n::varchar") }},
        fb_uid, u.role
    from act_ids
    cross join (select unnest(range(1, 6)) as n) as r
    cross join lateral (select unnest(case when fb_rating = r.n then ['numerator', 'denominator'] else ['denominator'] end) as role) as u
    where fb_uid is not null
    union all
    -- level 2: the before and after audit rows of each pair
    select {{ regional_figure_id("'evaluation.level2.' || m.measure", 'q.quarter_key', 'p.region_code', 'sfx.s') }}, u.uid, r.role
    from {{ ref('int_programme__skills_paired') }} as p
    inner join q on q.quarter = p.quarter
    cross join (select unnest(['skill_before', 'skill_after', 'skill_gain', 'paired_participants', 'audit_coverage']) as measure) as m
    cross join lateral (select unnest([null, p.competency]) as s) as sfx
    cross join lateral (select unnest([p.before_row_uid, p.after_row_uid]) as uid) as u
    -- a score is a mean over the paired participants: their audit rows are both its sum and its count
    cross join lateral (select unnest(case when m.measure like 'skill_%' then ['numerator', 'denominator']
        when m.measure = 'audit_coverage' then ['numerator'] else [null] end) as role) as r
    union all
    -- level 3: career event rows, in the quarter, year to date and programme to date
    select {{ regional_figure_id("'evaluation.level3.' || m.measure", 'q2.quarter_key', 'e.region_code', id_part('e.event_type')) }},
        e._row_uid, null
    from {{ ref('stg_programme__career_events') }} as e
    inner join q as q1 on q1.quarter = e.quarter
    inner join {{ ref('int_programme__quarters') }} as q2
        on q2.region_code = e.region_code and q2.quarter_start >= q1.quarter_start
    cross join (select unnest(['events', 'events_fytd', 'events_to_date']) as measure) as m
    where (m.measure = 'events' and q2.quarter = e.quarter)
       or (m.measure = 'events_fytd' and q2.financial_year = q1.financial_year_start::varchar || '-' || lpad(((q1.financial_year_start + 1) % 100)::varchar, 2, '0'))
       or m.measure = 'events_to_date'
    union all
    -- level 4: the HR return rows behind the region's Table one figures
    -- table_one.<indicator>.<quarter key>.<place>.<tier>: the region's rows of the same quarter
    select {{ regional_figure_id("'evaluation.level4.' || ind.l4", figure_id_part('s.figure_id', 3), figure_id_part('s.figure_id', 4)) }},
        s._row_uid, unnest(ind.roles)
    from {{ ref('fig_table_one__sources') }} as s
    inner join (values
        ('vacancies', 'vacancies', [null]), ('posts_advertised', 'posts_advertised', [null]), ('filled_permanent', 'filled_permanent', [null]),
        ('advertised_not_filled', 'advertised_not_filled', [null]), ('readvertised', 'readvertised', [null]),
        ('filled_permanent', 'permanent_fill_rate', ['numerator', 'denominator']), ('advertised_not_filled', 'permanent_fill_rate', ['denominator']),
        ('readvertised', 'readvertisement_rate', ['numerator']), ('posts_advertised', 'readvertisement_rate', ['denominator'])
    ) as ind (t1, l4, roles) on {{ figure_id_part('s.figure_id', 2) }} = ind.t1
    where {{ figure_id_part('s.figure_id', 4) }} like 'E12%'
    union all
    -- each row in the rate's numerator (time to fill: every fill's days are added up) and/or
    -- its base, as int_programme__hr_region_rows defines them
    select {{ regional_figure_id("'evaluation.level4.' || h.indicator", 'q.quarter_key', 'h.region_code') }}, h._row_uid, r.role
    from {{ ref('int_programme__hr_region_rows') }} as h
    inner join q on q.quarter = h.quarter
    cross join lateral (
        select unnest(list_filter([case when h.indicator = 'time_to_fill' or h.numerator <> 0 then 'numerator' end,
                                   case when h.in_base then 'denominator' end], x -> x is not null)) as role
    ) as r
    union all
    -- targets and baselines: the plan's target entry
    select {{ regional_figure_id("'evaluation.' || k.kind || '.' || t.indicator", 'q.quarter_key', 'q.region_code') }}, t._row_uid, null
    from {{ ref('stg_programme__plan_targets') }} as t
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = t.region_code and q.financial_year = t.financial_year
    cross join (select unnest(['target', 'baseline']) as kind) as k
    union all
    -- grant: ledger entries to date and the plan's budget entries
    select {{ regional_figure_id("'grant.' || m.measure", 'q2.quarter_key', 'g.region_code', 'sfx.s') }}, g._row_uid, null
    from {{ ref('stg_programme__grant_ledger') }} as g
    inner join {{ ref('int_programme__quarters') }} as q1 on q1.region_code = g.region_code and q1.quarter = g.quarter
    inner join {{ ref('int_programme__quarters') }} as q2
        on q2.region_code = g.region_code and q2.financial_year = q1.financial_year and q2.quarter_start >= q1.quarter_start
    cross join (select unnest(['spent_this_quarter', 'spent_to_date', 'variance_to_date', 'remaining_plan', 'received_this_quarter', 'received_to_date', 'remaining_grant']) as measure) as m
    cross join lateral (select unnest([null, 'line_' || coalesce(g.budget_line, '')]) as s) as sfx
    where m.measure like '%to_date' or m.measure like 'remaining%' or q2.quarter = g.quarter
    union all
    select {{ regional_figure_id("'grant.' || m.measure", 'q.quarter_key', 'b.region_code', 'sfx.s') }}, b._row_uid, null
    from {{ ref('stg_programme__plan_budget') }} as b
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = b.region_code and q.financial_year = b.financial_year
    cross join (select unnest(['planned_this_quarter', 'planned_to_date', 'variance_to_date', 'annual_plan', 'remaining_plan']) as measure) as m
    cross join lateral (select unnest([null, 'line_' || b.budget_line]) as s) as sfx
    where (m.measure = 'planned_this_quarter' and b.quarter = q.quarter)
       or (m.measure in ('planned_to_date', 'variance_to_date') and b.quarter <= q.quarter)
       or m.measure in ('annual_plan', 'remaining_plan')
    union all
    select {{ regional_figure_id("'grant.grant_gbp'", 'q.quarter_key', 'p.region_code') }}, p._row_uid, null
    from {{ ref('stg_programme__plans') }} as p
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = p.region_code and q.financial_year = p.financial_year
)
select distinct c.figure_id, c._row_uid, c.role::varchar as role
from candidates as c
where c._row_uid is not null
  and c.figure_id in (select figure_id from {{ ref('fig_programme') }})
