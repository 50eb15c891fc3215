{{ config(materialized='view') }}  {#- read one figure at a time by auditors: nothing to store #}
-- Every contributing value of every figure as an auditor looks it up (macros/figure_cells.sql):
-- file, SHA-256, sheet, row, column letter, cell, the value found there and its role.
-- via_figure_id: set where the row is the figure's only through another figure's rows (a
-- survey percent's denominator is its base's rows, fct_figure_sources).
{{ figure_cells(ref('fct_figure_sources')) }}
