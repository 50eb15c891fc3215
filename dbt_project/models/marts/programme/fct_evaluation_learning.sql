-- Level 2 (learning): change in self-assessed skills between the before and after audits of
-- a financial year, by competency and over all competencies ('all'), paired participants only.
-- 'all' averages every paired (participant, competency) rating; its base is paired participants.
-- mean_change is the change *as printed*: the after mean minus the before mean, each rounded to
-- 1 dp as the report shows them beside it (2.5 -> 3.1 is a change of 0.6), so the three numbers
-- on a line always agree; the unrounded mean paired change is mean_change_unrounded.
-- Coverage = paired participants / distinct participants attending activities in the year.
with p as (
    select * from {{ ref('int_programme__skills_paired') }}
),
cohort as (
    select region_code, split_part(quarter, ' ', 1) as financial_year, count(distinct participant_id) as cohort
    from {{ ref('stg_programme__attendance') }}
    group by all
),
agg as (
    select
        region_code, financial_year, quarter,
        coalesce(competency, 'all') as competency,
        count(distinct participant_id) as paired_participants,
        avg(rating_before) as mean_before,
        avg(rating_after) as mean_after,
        avg(change) as mean_change,
        count(distinct participant_id) filter (where change > 0) as participants_improved
    from p
    group by grouping sets ((region_code, financial_year, quarter, competency), (region_code, financial_year, quarter))  -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS -- noqa: PRS
)
select
    a.region_code,
    a.financial_year,
    a.quarter,
    a.competency,
    a.paired_participants::integer as paired_participants,
    a.mean_before::double as mean_before,
    a.mean_after::double as mean_after,
    (round(a.mean_after, 1) - round(a.mean_before, 1))::decimal(4, 1)::double as mean_change,
    a.mean_change::double as mean_change_unrounded,
    a.participants_improved::integer as participants_improved,
    c.cohort::integer as cohort_participants,
    case when a.competency = 'all' then 100.0 * a.paired_participants / nullif(c.cohort, 0) end::double as audit_coverage
from agg as a
left join cohort as c using (region_code, financial_year)
