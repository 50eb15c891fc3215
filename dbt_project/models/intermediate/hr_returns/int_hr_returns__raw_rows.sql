{# A view: every staged row's lineage is already stored in staging; copying millions of
   rows into a table per layer cost most of the national-scale build (issue 7). #}
{{ config(materialized='view') }}
-- Every loaded HR return row (or KPI / About cell) with its lineage.
{{ raw_rows_union('hr_returns', [
    ('about', 'stg_hr_returns__about'),
    ('kpis', 'stg_hr_returns__kpis'),
    ('vacancies', 'stg_hr_returns__vacancies'),
    ('workforce', 'stg_hr_returns__workforce'),
]) }}
