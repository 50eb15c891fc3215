-- Level 4 inputs beyond Table one, per region and quarter, from current HR returns:
-- permanent appointments (time to fill, appointee background) and current post-holders.
with fills as (
    select distinct on (c.la_code, c.campaign_ref)
        la.region_code, c.quarter, c.campaign_ref, c.vacancy_arose, c.date_filled, c.appointee_background, c._row_uid
    from {{ ref('int_hr_returns__campaigns') }} as c
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = c.la_code
    where c.outcome = 'filled permanently' and c.date_filled between c.quarter_start and c.quarter_end
    order by c.la_code, c.campaign_ref, c.quarter
),
workforce as (
    select la.region_code, s.quarter, w.*
    from {{ ref('stg_hr_returns__workforce') }} as w
    inner join {{ ref('int_hr_returns__submissions') }} as s on s.file_sha256 = w._file_sha256 and s.is_current
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = s.la_code
)
select region_code, quarter, 'time_to_fill' as indicator, 'days' as unit,
       sum(date_diff('day', vacancy_arose, date_filled))::double as numerator, count(*)::double as denominator
from fills group by all
union all
select region_code, quarter, 'external_appointee_rate', 'percent',
       100.0 * count(*) filter (where appointee_background <> 'internal'), count(appointee_background)
from fills group by all
union all
select region_code, quarter, 'interim_cover_rate', 'percent',
       100.0 * count(*) filter (where interim_or_agency = 'yes'), count(*)
from workforce where tier in ('1', '2') group by all
union all
select region_code, quarter, 'retirement_risk_rate', 'percent',
       100.0 * count(*) filter (where retiring_within_two_years = 'yes'), count(*)
from workforce where tier in ('1', '2') group by all
union all
select region_code, quarter, 'aged_55_plus_rate', 'percent',
       100.0 * count(*) filter (where age_band in ('55-59', '60 and over')), count(*) filter (where age_band <> 'prefer not to say')
from workforce where tier in ('1', '2') group by all
union all
select region_code, quarter, 'talent_pool_female_rate', 'percent',
       100.0 * count(*) filter (where gender = 'female'), count(*) filter (where gender <> 'prefer not to say')
from workforce where tier = '3' group by all
union all
select region_code, quarter, 'talent_pool_ethnic_minority_rate', 'percent',
       100.0 * count(*) filter (where ethnic_group not in ('White', 'prefer not to say')), count(*) filter (where ethnic_group <> 'prefer not to say')
from workforce where tier = '3' group by all
