-- Level 1 (reaction): feedback ratings per region and quarter, in total and by activity type.
-- Response rate = feedback given / attendances (feedback matched to an attendance).
with att as (
    select t.region_code, t.quarter, a.activity_type, t.activity_id, t.participant_id, f.rating
    from {{ ref('stg_programme__attendance') }} as t
    inner join {{ ref('stg_programme__activities') }} as a
        on a.activity_id = t.activity_id and a.region_code = t.region_code and a.quarter = t.quarter
    left join {{ ref('stg_programme__feedback') }} as f
        on f.activity_id = t.activity_id and f.participant_id = t.participant_id and f.region_code = t.region_code
)
select
    region_code,
    quarter,
    coalesce(activity_type, 'all') as activity_type,
    count(*)::integer as attendances,
    count(rating)::integer as responses,
    (100.0 * count(rating) / nullif(count(*), 0))::double as response_rate,
    avg(rating)::double as mean_rating,
    count(*) filter (where rating = 1)::integer as rating_1,
    count(*) filter (where rating = 2)::integer as rating_2,
    count(*) filter (where rating = 3)::integer as rating_3,
    count(*) filter (where rating = 4)::integer as rating_4,
    count(*) filter (where rating = 5)::integer as rating_5
from att
group by grouping sets ((region_code, quarter, activity_type), (region_code, quarter))  -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS -- noqa: PRS
