{# The lineage columns every staged row carries from its raw file (succession.ingest.lineage). #}
{#- _row_uid is defined here, once: sha256[:16]:sheet!cell-or-row (succession.ingest.lineage).
    place_from_folder: the source's place is its folder (the programme's records,
    `Source.place_from_folder`), so the same bytes may load from two folders as two
    records; their rows are told apart by the folder: sha256[:16]@folder:sheet!cell-or-row -#}
{% macro lineage_columns(place_from_folder=false) -%}
    (left(_file_sha256::varchar, 16)
        {%- if place_from_folder %} || '@' || regexp_replace(_source_file::varchar, '/[^/]*$', ''){% endif %}
        || ':' || _sheet::varchar || '!'
        || coalesce(nullif(_cell::varchar, ''), _row::integer::varchar))::varchar as _row_uid,
    _source_file::varchar as _source_file,
    _file_sha256::varchar as _file_sha256,
    _sheet::varchar as _sheet,
    _row::integer as _row,
    _cell::varchar as _cell,
    _run_id::varchar as _run_id,
    _loaded_at::timestamp as _loaded_at
{%- endmacro %}

{# Staging for a source's file ledger (the `_files` table every ingestion writes). #}
{% macro stage_file_ledger(source_name) -%}
select
    source::varchar as source,
    partition_key::varchar as partition_key,
    file_path::varchar as file_path,
    file_sha256::varchar as file_sha256,
    status::varchar as status,
    problem_count::integer as problem_count,
    problems::varchar as problems,
    rows_read::bigint as rows_read,
    rows_loaded::bigint as rows_loaded,
    rows_rejected::bigint as rows_rejected,
    column_letters::varchar as column_letters,
    meta::varchar as meta,
    run_id::varchar as run_id,
    loaded_at::timestamp as loaded_at,
    contract_version::varchar as contract_version
from {{ source(source_name, '_files') }}
{%- endmacro %}


{# Every loaded row of a source's staging models with its lineage: one union for the audit trail.
   `staged` is a list of (source table, staging model) pairs. A view: every staged row's lineage
   is already stored in staging, and copying millions of rows into a table per layer cost most
   of the national-scale build (issue 7). int_raw_rows and fct_raw_rows are views too. #}
{% macro raw_rows_union(source_name, staged) -%}
{{ config(materialized='view') }}
{% for table, model in staged %}
select
    '{{ source_name }}' as source,
    '{{ table }}' as source_table,
    '{{ model }}' as staging_model,
    _row_uid, _source_file, _file_sha256, _sheet, _row, _cell, _run_id, _loaded_at
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
{%- endmacro %}


{# A number as the auditor reads it in the raw cell: 7, not 7.0 (for the audit trail's value column). #}
{% macro value_text(expr) -%}
    case when {{ expr }} = trunc({{ expr }}) then trunc({{ expr }})::bigint::varchar else ({{ expr }})::varchar end
{%- endmacro %}
