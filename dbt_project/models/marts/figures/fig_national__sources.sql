{{ config(materialized='view') }}  {#- read once, by audit.fct_figure_source_rows: stored there, not twice #}
-- The raw rows behind the England totals: the grant ledger and plan rows of every region
-- (grant), and every answer to the headline questions in the year's regional waves (survey).
-- Returns counts are administrative (the file ledger; fct_return_status names the files).
select distinct f.figure_id, s._row_uid
from {{ ref('fig_national') }} as f
inner join {{ ref('fig_programme__sources') }} as s
    on f.table_id = 'grant'
    -- every region's figure of the same measure and quarter (grant.<measure>.<quarter key>.<region>), no budget line;
    -- by equal parts: a LIKE pattern built per row compared every pair (9.3 s, now 0.4 s, at 153 LAs x 40 quarters)
    and {{ figure_id_part('s.figure_id', 1) }} = 'grant'
    and {{ figure_id_part('s.figure_id', 2) }} = f.indicator
    and {{ figure_id_part('s.figure_id', 3) }} = {{ figure_id_part('f.figure_id', 3) }}
    and starts_with({{ figure_id_part('s.figure_id', 4) }}, 'E12')
    and s.figure_id not like '%.line\_%' escape '\'
union all
select distinct f.figure_id, s._row_uid
from {{ ref('fig_national') }} as f
inner join {{ ref('fig_survey_framework__sources') }} as s
    on f.table_id = 'survey_headlines'
    and {{ figure_id_part('s.figure_id', 2) }} = 'headline'
    and {{ figure_id_part('s.figure_id', 3) }} = {{ figure_id_part('f.figure_id', 3) }}
    and left({{ figure_id_part('s.figure_id', 4) }}, 7) = {{ figure_id_part('f.figure_id', 4) }}
    and {{ figure_id_part('s.figure_id', 5) }} = {{ figure_id_part('f.figure_id', 5) }}
    and {{ figure_id_part('s.figure_id', 6) }} = ''
