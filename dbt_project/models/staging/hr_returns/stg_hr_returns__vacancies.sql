select
    campaign_ref::varchar as campaign_ref,
    post_ref::varchar as post_ref,
    post_title::varchar as post_title,
    tier::varchar as tier,
    vacancy_arose::date as vacancy_arose,
    advert_opened::date as advert_opened,
    advert_closed::date as advert_closed,
    applicants::integer as applicants,
    shortlisted::integer as shortlisted,
    outcome::varchar as outcome,
    appointee_background::varchar as appointee_background,
    date_filled::date as date_filled,
    {{ lineage_columns() }}
from {{ source('hr_returns', 'vacancies') }}
