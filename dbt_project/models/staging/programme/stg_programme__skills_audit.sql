-- One row per participant and audit (before / after), one column per competency (1-5, blank = not answered).
select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    participant_id::varchar as participant_id,
    audit::varchar as audit,
    audit_date::date as audit_date,
    political_awareness::integer as political_awareness,
    working_with_elected_members::integer as working_with_elected_members,
    risk::integer as risk,
    commissioning::integer as commissioning,
    finance::integer as finance,
    partnership::integer as partnership,
    social_care_and_protection::integer as social_care_and_protection,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'skills_audit') }}
