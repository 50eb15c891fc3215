-- Every loaded HR return row (or KPI / About cell) with its lineage.
{% set staged = [
    ('about', 'stg_hr_returns__about'),
    ('kpis', 'stg_hr_returns__kpis'),
    ('vacancies', 'stg_hr_returns__vacancies'),
    ('workforce', 'stg_hr_returns__workforce'),
] %}
{% for table, model in staged %}
select
    'hr_returns' as source,
    '{{ table }}' as source_table,
    '{{ model }}' as staging_model,
    _row_uid, _source_file, _file_sha256, _sheet, _row, _cell, _run_id, _loaded_at
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
