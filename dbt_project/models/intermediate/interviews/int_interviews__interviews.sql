-- One row per interview in a wave, with the participant attributes used for breakdowns
-- (gender, tier) normalised to the survey's codes.
select
    wave,
    interview_id,
    count(distinct coder) as coders,
    max(case
        when lower(participant_gender) in ('female', 'f', 'woman') then 'female'
        when lower(participant_gender) in ('male', 'm', 'man') then 'male'
        when participant_gender is not null then 'other'
    end) as gender,
    max(case
        when lower(participant_tier) like '%third%' or participant_tier in ('3', 'tier_3', 'Tier 3') then 'tier_3'
        when lower(participant_tier) like '%second%' or participant_tier in ('2', 'tier_2', 'Tier 2') then 'tier_2'
    end) as tier
from {{ ref('stg_interviews__codings') }}
group by all
