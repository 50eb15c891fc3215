-- Interviews per wave: coders, participant gender and tier (normalised), whether double-coded.
select
    wave,
    interview_id,
    coders::integer as coders,
    coders >= 2 as double_coded,
    gender,
    tier
from {{ ref('int_interviews__interviews') }}
