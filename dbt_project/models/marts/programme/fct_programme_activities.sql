-- Activities per region and quarter, in total ('all') and by activity type: how many,
-- attendances, distinct participants, LAs reached and cost.
with att as (
    select a.region_code, a.quarter, a.activity_type, t.participant_id, t.la_code
    from {{ ref('stg_programme__activities') }} as a
    left join {{ ref('stg_programme__attendance') }} as t
        on t.activity_id = a.activity_id and t.region_code = a.region_code and t.quarter = a.quarter
),
by_type as (
    select region_code, quarter, coalesce(activity_type, 'all') as activity_type,
           count(participant_id) as attendances,
           count(distinct participant_id) as participants,
           count(distinct la_code) as las_reached
    from att
    group by grouping sets ((region_code, quarter, activity_type), (region_code, quarter))  -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS -- noqa: PRS
),
costs as (
    select region_code, quarter, coalesce(activity_type, 'all') as activity_type,
           count(*) as activities, sum(cost_gbp::decimal(18, 2)) as cost_gbp  -- exact pence, then whole pounds when printed
    from {{ ref('stg_programme__activities') }}
    group by grouping sets ((region_code, quarter, activity_type), (region_code, quarter))  -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS -- noqa: PRS
)
select
    c.region_code,
    c.quarter,
    c.activity_type,
    c.activities::integer as activities,
    b.attendances::integer as attendances,
    b.participants::integer as participants,
    b.las_reached::integer as las_reached,
    c.cost_gbp::double as cost_gbp
from costs as c
inner join by_type as b using (region_code, quarter, activity_type)
