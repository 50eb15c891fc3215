select
    post_ref::varchar as post_ref,
    tier::varchar as tier,
    age_band::varchar as age_band,
    gender::varchar as gender,
    ethnic_group::varchar as ethnic_group,
    years_in_post::integer as years_in_post,
    interim_or_agency::varchar as interim_or_agency,
    retiring_within_two_years::varchar as retiring_within_two_years,
    {{ lineage_columns() }}
from {{ source('hr_returns', 'workforce') }}
