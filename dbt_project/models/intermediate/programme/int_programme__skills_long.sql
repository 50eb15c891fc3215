-- The skills and talent audit, one row per participant, audit and competency answered.
{% set competencies = ['political_awareness', 'working_with_elected_members', 'risk', 'commissioning',
                       'finance', 'partnership', 'social_care_and_protection'] %}
{% for c in competencies %}
select
    region_code,
    quarter,
    split_part(quarter, ' ', 1) as financial_year,
    participant_id,
    audit,
    audit_date,
    '{{ c }}' as competency,
    {{ c }} as rating,
    _row_uid
from {{ ref('stg_programme__skills_audit') }}
where {{ c }} is not null
{% if not loop.last %}union all{% endif %}
{% endfor %}
