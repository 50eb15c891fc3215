{{ config(materialized='view') }}  {#- as every raw-rows model: see raw_rows_union #}
-- For each raw row the column that identifies what the row records, and its value: the
-- audit trail's cell for a contribution whose sources model names no column (a row is
-- counted by its key; a ledger line or a rating by its amount). Personal identifiers
-- are pseudonymised at ingestion, so their raw value is not held (null).
{% set keyed = [
    ('vacancies', 'stg_hr_returns__vacancies', 'campaign_ref'),
    ('workforce', 'stg_hr_returns__workforce', 'post_ref'),
    ('codings', 'stg_interviews__codings', 'theme_path'),
    ('activities', 'stg_programme__activities', 'activity_id'),
    ('attendance', 'stg_programme__attendance', 'participant_id'),
    ('feedback', 'stg_programme__feedback', 'rating'),
    ('skills_audit', 'stg_programme__skills_audit', 'participant_id'),
    ('career_events', 'stg_programme__career_events', 'event_type'),
    ('grant_ledger', 'stg_programme__grant_ledger', 'amount_gbp'),
    ('respondents', 'stg_survey__respondents', 'respondent_key'),
    ('aspirant_dcs', 'stg_programme__aspirant_dcs', 'status'),
    ('participant_profiles', 'stg_programme__participant_profiles', 'participant_id'),
    ('la_support', 'stg_programme__la_support', 'support_type'),
    ('sign_off', 'stg_programme__sign_off', 'data_as_at'),
] %}
{% set pseudonymised = ['respondent_key'] %}
{% set numeric = ['amount_gbp'] %}
{% for table, model, column in keyed %}
select
    '{{ table }}' as source_table,
    _row_uid,
    '{{ column }}' as source_column,
    {% if column in pseudonymised %}null::varchar{% elif column in numeric %}{{ value_text(column) }}{% else %}{{ column }}::varchar{% endif %} as source_value
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
