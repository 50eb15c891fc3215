-- Progress against the plan's milestones as at the end of each programme quarter of the
-- plan's year. status_at_quarter_end comes from the dates: complete (by the due date),
-- complete late, overdue (due and not complete), not yet due. status_recorded is the lead's.
select
    q.region_code,
    q.quarter,
    m.financial_year,
    m.milestone_id,
    m.milestone,
    m.due_date,
    case when m.completed_date <= q.quarter_end then m.completed_date end as completed_date,
    m.status as status_recorded,
    case
        when m.completed_date <= q.quarter_end and m.completed_date <= m.due_date then 'complete'
        when m.completed_date <= q.quarter_end then 'complete late'
        when m.due_date <= q.quarter_end then 'overdue'
        else 'not yet due'
    end as status_at_quarter_end
from {{ ref('int_programme__quarters') }} as q
inner join {{ ref('stg_programme__plan_milestones') }} as m
    on m.region_code = q.region_code and m.financial_year = q.financial_year
