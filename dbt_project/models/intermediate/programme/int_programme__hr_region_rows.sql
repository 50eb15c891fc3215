-- The level 4 indicators beyond Table one, row by row: each HR return row behind an indicator
-- of a region and quarter, what it adds to the numerator and whether it is in the base. This is
-- where the definitions live; int_programme__hr_region only adds them up, so the audit trail
-- names exactly the rows each part of a rate counts.
-- Permanent appointments (time to fill, appointee background) are Vacancies rows; current
-- post-holders (tiers 1-2: interim cover, retirement risk, age; tier 3: the talent pool's
-- diversity) are Workforce rows.
with fills as (
    select distinct on (c.la_code, c.campaign_ref)
        la.region_code, c.quarter, c.vacancy_arose, c.date_filled, c.appointee_background, c._row_uid
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
select region_code, quarter, 'time_to_fill' as indicator, 'days' as unit, _row_uid,
       date_diff('day', vacancy_arose, date_filled)::double as numerator, true as in_base
from fills
union all
select region_code, quarter, 'external_appointee_rate', 'percent', _row_uid,
       case when appointee_background <> 'internal' then 100.0 else 0.0 end, appointee_background is not null
from fills
union all
select region_code, quarter, 'interim_cover_rate', 'percent', _row_uid,
       case when interim_or_agency = 'yes' then 100.0 else 0.0 end, true
from workforce where tier in ('1', '2')
union all
select region_code, quarter, 'retirement_risk_rate', 'percent', _row_uid,
       case when retiring_within_two_years = 'yes' then 100.0 else 0.0 end, true
from workforce where tier in ('1', '2')
union all
select region_code, quarter, 'aged_55_plus_rate', 'percent', _row_uid,
       case when age_band in ('55-59', '60 and over') then 100.0 else 0.0 end, coalesce(age_band <> 'prefer not to say', false)
from workforce where tier in ('1', '2')
union all
select region_code, quarter, 'talent_pool_female_rate', 'percent', _row_uid,
       case when gender = 'female' then 100.0 else 0.0 end, coalesce(gender <> 'prefer not to say', false)
from workforce where tier = '3'
union all
select region_code, quarter, 'talent_pool_ethnic_minority_rate', 'percent', _row_uid,
       case when ethnic_group not in ('White', 'prefer not to say') then 100.0 else 0.0 end,
       coalesce(ethnic_group <> 'prefer not to say', false)
from workforce where tier = '3'
