-- Stakeholders' part in setting the plan's targets (framework: "involve stakeholders in
-- setting targets and measuring success"), per region and financial year.
select
    t.region_code,
    t.financial_year,
    t.stakeholder,
    t.part,
    t.meeting_date,
    t._row_uid
from {{ ref('stg_programme__plan_target_setting') }} as t
