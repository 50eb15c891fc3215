-- The HR return rows behind each level 4 indicator of int_programme__hr_region (for lineage):
-- the Vacancies row of each permanent appointment, the Workforce rows of current post-holders.
with fills as (
    select distinct on (c.la_code, c.campaign_ref) la.region_code, c.quarter, c._row_uid
    from {{ ref('int_hr_returns__campaigns') }} as c
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = c.la_code
    where c.outcome = 'filled permanently' and c.date_filled between c.quarter_start and c.quarter_end
    order by c.la_code, c.campaign_ref, c.quarter
),
workforce as (
    select la.region_code, s.quarter, w.tier, w._row_uid
    from {{ ref('stg_hr_returns__workforce') }} as w
    inner join {{ ref('int_hr_returns__submissions') }} as s on s.file_sha256 = w._file_sha256 and s.is_current
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = s.la_code
)
select f.region_code, f.quarter, i.indicator, f._row_uid
from fills as f cross join (select unnest(['time_to_fill', 'external_appointee_rate']) as indicator) as i
union all
select w.region_code, w.quarter, i.indicator, w._row_uid
from workforce as w cross join (select unnest(['interim_cover_rate', 'retirement_risk_rate', 'aged_55_plus_rate']) as indicator) as i
where w.tier in ('1', '2')
union all
select w.region_code, w.quarter, i.indicator, w._row_uid
from workforce as w cross join (select unnest(['talent_pool_female_rate', 'talent_pool_ethnic_minority_rate']) as indicator) as i
where w.tier = '3'
