-- Paired audits: a participant's before rating (earliest 'before' audit of the financial year)
-- and after rating (latest 'after' audit of the same year) for each competency answered in
-- both. Participants with only one audit, or a competency answered only once, are left out.
with before as (
    select * from {{ ref('int_programme__skills_long') }} where audit = 'before'
    qualify row_number() over (partition by region_code, financial_year, participant_id, competency order by audit_date, _row_uid) = 1
),
after as (
    select * from {{ ref('int_programme__skills_long') }} where audit = 'after'
    qualify row_number() over (partition by region_code, financial_year, participant_id, competency order by audit_date desc, _row_uid asc) = 1
)
select
    b.region_code,
    b.financial_year,
    -- figures of the year are reported in the quarter of its last 'after' audit
    max(a.quarter) over (partition by b.region_code, b.financial_year) as quarter,
    b.participant_id,
    b.competency,
    b.rating as rating_before,
    a.rating as rating_after,
    a.rating - b.rating as change,
    b._row_uid as before_row_uid,
    a._row_uid as after_row_uid
from before as b
inner join after as a using (region_code, financial_year, participant_id, competency)
