-- Which raw rows (or KPI cells) count towards each Table one indicator of each LA,
-- tier and quarter: the working definitions in seeds/ref_indicators.csv, as SQL.
-- `counted_key` is what is counted (posts or campaigns); `amount` what is summed.
with c as (
    select * from {{ ref('int_hr_returns__campaigns') }}
),
readvertisements as (
    -- campaigns for a post that an earlier campaign (on any return from the LA) advertised
    select distinct later._row_uid
    from c as later
    inner join c as earlier
        on earlier.la_code = later.la_code
        and earlier.post_ref = later.post_ref
        and earlier.campaign_ref <> later.campaign_ref
        and earlier.advert_opened < later.advert_opened
),
closed as (
    select * from c where advert_closed between quarter_start and quarter_end
),
contributions as (
    select la_code, quarter, tier, 'vacancies' as indicator, _row_uid, post_ref as counted_key, null::double as amount
    from c
    where vacancy_arose <= quarter_end
        and not (outcome = 'filled permanently' and date_filled < quarter_start)
    union all
    select la_code, quarter, tier, 'posts_advertised', _row_uid, campaign_ref, null
    from c where advert_opened between quarter_start and quarter_end
    union all
    select la_code, quarter, tier, 'avg_applicants', _row_uid, campaign_ref, applicants
    from closed where applicants is not null
    union all
    select la_code, quarter, tier, 'avg_shortlisted', _row_uid, campaign_ref, shortlisted
    from closed where shortlisted is not null
    union all
    select la_code, quarter, tier, 'filled_permanent', _row_uid, campaign_ref, null
    from c where outcome = 'filled permanently' and date_filled between quarter_start and quarter_end
    union all
    select la_code, quarter, tier, 'advertised_not_filled', _row_uid, campaign_ref, null
    from closed where outcome in ('filled on an interim basis', 'not filled', 'readvertised', 'withdrawn')
    union all
    select la_code, quarter, tier, 'readvertised', _row_uid, campaign_ref, null
    from c
    where advert_opened between quarter_start and quarter_end
        and _row_uid in (select _row_uid from readvertisements)
    union all
    select s.la_code, s.quarter, k.tier, 'active_contacts', k._row_uid, null, k.kpi_value
    from {{ ref('stg_hr_returns__kpis') }} as k
    inner join {{ ref('int_hr_returns__submissions') }} as s
        on k._file_sha256 = s.file_sha256 and s.is_current
    where k.indicator = 'active_contacts' and k.kpi_value is not null
)
select * from contributions
