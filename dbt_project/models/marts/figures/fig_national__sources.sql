-- The raw rows behind the England totals: the grant ledger and plan rows of every region
-- (grant), and every answer to the headline questions in the year's regional waves (survey).
-- Returns counts are administrative (the file ledger; fct_return_status names the files).
select distinct f.figure_id, s._row_uid
from {{ ref('fig_national') }} as f
inner join {{ ref('fig_programme__sources') }} as s
    on f.table_id = 'grant'
    and s.figure_id like 'grant.' || f.indicator || '.' || split_part(f.figure_id, '.', 3) || '.E12%'
    and s.figure_id not like '%.line\_%' escape '\'
union all
select distinct f.figure_id, s._row_uid
from {{ ref('fig_national') }} as f
inner join {{ ref('fig_survey_framework__sources') }} as s
    on f.table_id = 'survey_headlines'
    and split_part(s.figure_id, '.', 2) = 'headline'
    and split_part(s.figure_id, '.', 3) = split_part(f.figure_id, '.', 3)
    and left(split_part(s.figure_id, '.', 4), 7) = split_part(f.figure_id, '.', 4)
    and split_part(s.figure_id, '.', 5) = split_part(f.figure_id, '.', 5)
    and split_part(s.figure_id, '.', 6) = ''
