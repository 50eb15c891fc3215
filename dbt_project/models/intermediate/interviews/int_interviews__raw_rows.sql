-- Every loaded interview coding row (codebook entries, codings) with its lineage.
{{ raw_rows_union('interviews', [
    ('codebook', 'stg_interviews__codebook'),
    ('codings', 'stg_interviews__codings'),
]) }}
