-- The raw rows behind each programme figure (kept only where the figure exists).
with q as (
    select * from {{ ref('int_quarters') }}
),
act as (
    select a.region_code, a.quarter, replace(a.activity_type, ' ', '_') as t, a._row_uid as act_uid, t._row_uid as att_uid, f._row_uid as fb_uid
    from {{ ref('stg_programme__activities') }} as a
    left join {{ ref('stg_programme__attendance') }} as t
        on t.activity_id = a.activity_id and t.region_code = a.region_code and t.quarter = a.quarter
    left join {{ ref('stg_programme__feedback') }} as f
        on f.activity_id = t.activity_id and f.participant_id = t.participant_id and f.region_code = t.region_code
),
act_ids as (
    select a.*, q.quarter_key || '.' || a.region_code as qr from act as a inner join q using (quarter)
),
candidates as (
    -- activities: the activity rows and their attendance rows
    select 'programme.' || m.measure || '.' || qr || sfx.s as figure_id, u.uid as _row_uid
    from act_ids
    cross join (select unnest(['activities', 'attendances', 'participants', 'las_reached', 'cost_gbp']) as measure) as m
    cross join lateral (select unnest(['', '.' || t]) as s) as sfx
    cross join lateral (select unnest([act_uid, att_uid]) as uid) as u
    union all
    -- level 1: the attendance and feedback rows
    select 'evaluation.level1.' || m.measure || '.' || qr || sfx.s, u.uid
    from act_ids
    cross join (select unnest(['mean_rating', 'response_rate', 'responses']) as measure) as m
    cross join lateral (select unnest(['', '.' || t]) as s) as sfx
    cross join lateral (select unnest([att_uid, fb_uid]) as uid) as u
    union all
    select 'evaluation.level1.rating_share.' || qr || '.rating_' || r.n::varchar, fb_uid
    from act_ids cross join (select unnest(range(1, 6)) as n) as r
    union all
    -- level 2: the before and after audit rows of each pair
    select 'evaluation.level2.' || m.measure || '.' || q.quarter_key || '.' || p.region_code || sfx.s, u.uid
    from {{ ref('int_programme__skills_paired') }} as p
    inner join q on q.quarter = p.quarter
    cross join (select unnest(['skill_before', 'skill_after', 'skill_gain', 'paired_participants', 'audit_coverage']) as measure) as m
    cross join lateral (select unnest(['', '.' || p.competency]) as s) as sfx
    cross join lateral (select unnest([p.before_row_uid, p.after_row_uid]) as uid) as u
    union all
    -- level 3: career event rows, in the quarter, year to date and programme to date
    select 'evaluation.level3.' || m.measure || '.' || q2.quarter_key || '.' || e.region_code || '.' || replace(e.event_type, ' ', '_'), e._row_uid
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
    select 'evaluation.level4.' || ind.l4 || '.' || split_part(s.figure_id, '.', 3) || '.' || split_part(s.figure_id, '.', 4), s._row_uid
    from {{ ref('fig_table_one__sources') }} as s
    inner join (values
        ('vacancies', 'vacancies'), ('posts_advertised', 'posts_advertised'), ('filled_permanent', 'filled_permanent'),
        ('advertised_not_filled', 'advertised_not_filled'), ('readvertised', 'readvertised'),
        ('filled_permanent', 'permanent_fill_rate'), ('advertised_not_filled', 'permanent_fill_rate'),
        ('readvertised', 'readvertisement_rate'), ('posts_advertised', 'readvertisement_rate')
    ) as ind(t1, l4) on split_part(s.figure_id, '.', 2) = ind.t1
    where split_part(s.figure_id, '.', 4) like 'E12%'
    union all
    select 'evaluation.level4.' || h.indicator || '.' || q.quarter_key || '.' || h.region_code, h._row_uid
    from {{ ref('int_programme__hr_region_rows') }} as h
    inner join q on q.quarter = h.quarter
    union all
    -- targets and baselines: the plan's target entry
    select 'evaluation.' || k.kind || '.' || t.indicator || '.' || q.quarter_key || '.' || q.region_code, t._row_uid
    from {{ ref('stg_programme__plan_targets') }} as t
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = t.region_code and q.financial_year = t.financial_year
    cross join (select unnest(['target', 'baseline']) as kind) as k
    union all
    -- grant: ledger entries to date and the plan's budget entries
    select 'grant.' || m.measure || '.' || q2.quarter_key || '.' || g.region_code || sfx.s, g._row_uid
    from {{ ref('stg_programme__grant_ledger') }} as g
    inner join {{ ref('int_programme__quarters') }} as q1 on q1.region_code = g.region_code and q1.quarter = g.quarter
    inner join {{ ref('int_programme__quarters') }} as q2
        on q2.region_code = g.region_code and q2.financial_year = q1.financial_year and q2.quarter_start >= q1.quarter_start
    cross join (select unnest(['spent_this_quarter', 'spent_to_date', 'variance_to_date', 'remaining_plan', 'received_this_quarter', 'received_to_date', 'remaining_grant']) as measure) as m
    cross join lateral (select unnest(['', '.line_' || coalesce(g.budget_line, '')]) as s) as sfx
    where m.measure like '%to_date' or m.measure like 'remaining%' or q2.quarter = g.quarter
    union all
    select 'grant.' || m.measure || '.' || q.quarter_key || '.' || b.region_code || sfx.s, b._row_uid
    from {{ ref('stg_programme__plan_budget') }} as b
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = b.region_code and q.financial_year = b.financial_year
    cross join (select unnest(['planned_this_quarter', 'planned_to_date', 'variance_to_date', 'annual_plan', 'remaining_plan']) as measure) as m
    cross join lateral (select unnest(['', '.line_' || b.budget_line]) as s) as sfx
    where (m.measure = 'planned_this_quarter' and b.quarter = q.quarter)
       or (m.measure in ('planned_to_date', 'variance_to_date') and b.quarter <= q.quarter)
       or m.measure in ('annual_plan', 'remaining_plan')
    union all
    select 'grant.grant_gbp.' || q.quarter_key || '.' || p.region_code, p._row_uid
    from {{ ref('stg_programme__plans') }} as p
    inner join {{ ref('int_programme__quarters') }} as q on q.region_code = p.region_code and q.financial_year = p.financial_year
)
select distinct c.figure_id, c._row_uid
from candidates as c
where c._row_uid is not null
  and c.figure_id in (select figure_id from {{ ref('fig_programme') }})
