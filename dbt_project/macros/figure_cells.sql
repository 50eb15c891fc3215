{#- Where each contributing value of a figure is, as an auditor looks it up: file, SHA-256,
    sheet (none for a CSV file, which has no sheets), row, column letter and cell, the value
    found there and its role in the figure's arithmetic; `sources` is a relation or subquery of
    figure -> raw row contributions (fct_figure_sources' columns). The column letter comes from
    the file's own header (fct_files.column_letters, recorded at ingestion) for the column the
    figure's sources model names, else the row's key column (fct_raw_row_keys); a row read as a
    cell (KPIs, About, survey answers) keeps the cell ingestion recorded. Used by
    fct_figure_cells (every value, references expanded) and fct_figure_direct_cells (a figure's
    own rows, what the trace pages list). -#}
{% macro figure_cells(sources) -%}
    with contributions as (
        select
            s.figure_id,
            s.role,
            r.source,
            r.source_table,
            r.staging_model,
            r._source_file,
            r._file_sha256,
            r._sheet,
            r._row,
            nullif(r._cell, '') as recorded_cell,
            coalesce(s.source_column, k.source_column) as source_column,
            case when s.source_column is null then k.source_value else s.source_value end as source_value,
            r._run_id,
            r._loaded_at,
            r._row_uid,
            s.via_figure_id
        from {{ sources }} as s
        inner join {{ ref('fct_raw_rows') }} as r using (_row_uid)
        -- the key only where the sources model names no column; as an equality (null never matches),
        -- so DuckDB hash-joins instead of a nested loop over every contribution (minutes at 153 LAs)
        left join {{ ref('fct_raw_row_keys') }} as k
            on k._row_uid = case when s.source_column is null then s._row_uid end and k.source_table = r.source_table
    ),
    located as (
        select
            c.*,
            coalesce(c.recorded_cell,
                json_extract_string(f.column_letters, '$."' || c.source_table || '"."' || c.source_column || '"') || c._row::varchar) as cell
        from contributions as c
        left join {{ ref('fct_files') }} as f on f.file_sha256 = c._file_sha256 and f.file_path = c._source_file
    )
    select
        figure_id::varchar as figure_id,
        role::varchar as role,
        source::varchar as source,
        source_table::varchar as source_table,
        staging_model::varchar as staging_model,
        _source_file::varchar as file_path,
        _file_sha256::varchar as file_sha256,
        (case when lower(_source_file) like '%.csv' then null else _sheet end)::varchar as sheet,
        coalesce(_row, try_cast(regexp_extract(cell, '^[A-Z]+([0-9]+)$', 1) as integer))::integer as row,
        nullif(regexp_extract(cell, '^([A-Z]+)[0-9]+$', 1), '')::varchar as column_letter,
        cell::varchar as cell,
        source_column::varchar as source_column,
        source_value::varchar as value,
        _run_id::varchar as run_id,
        _loaded_at::timestamp as loaded_at,
        _row_uid::varchar as _row_uid,
        via_figure_id::varchar as via_figure_id
    from located
{%- endmacro %}
