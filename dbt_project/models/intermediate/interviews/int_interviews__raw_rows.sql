{# A view: every staged row's lineage is already stored in staging; copying millions of
   rows into a table per layer cost most of the national-scale build (issue 7). #}
{{ config(materialized='view') }}
-- Every loaded interview coding row (codebook entries, codings) with its lineage.
{{ raw_rows_union('interviews', [
    ('codebook', 'stg_interviews__codebook'),
    ('codings', 'stg_interviews__codings'),
]) }}
