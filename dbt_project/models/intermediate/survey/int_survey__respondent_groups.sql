-- Each respondent in the groups results are broken down by: everyone ('all'), their gender
-- and their tier (a respondent who did not give one is in no group of that type).
select wave, respondent_key, 'all' as group_type, 'all' as group_value from {{ ref('int_survey__respondents') }}
union all
select wave, respondent_key, 'gender', gender from {{ ref('int_survey__respondents') }} where gender is not null
union all
select wave, respondent_key, 'tier', tier from {{ ref('int_survey__respondents') }} where tier is not null
