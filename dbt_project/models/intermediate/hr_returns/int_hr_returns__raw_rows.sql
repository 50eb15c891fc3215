-- Every loaded HR return row (or KPI / About cell) with its lineage.
{{ raw_rows_union('hr_returns', [
    ('about', 'stg_hr_returns__about'),
    ('kpis', 'stg_hr_returns__kpis'),
    ('vacancies', 'stg_hr_returns__vacancies'),
    ('workforce', 'stg_hr_returns__workforce'),
]) }}
