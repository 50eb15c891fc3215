-- Each evaluation rating as published: a suppressed actual's rating (met / near / not met) is
-- suppressed with it ('c', macros/disclosure.sql published_rating); 'no target' and 'no data'
-- say nothing about the value. The one place the rule is applied: pub_evaluation (the CSV)
-- and the documents' rating tables (succession/reporting/programme.py) both read it here.
select
    r.region_code,
    r.quarter,
    r.level,
    r.indicator,
    r.target,
    r.actual_figure_id,
    r.target_figure_id,
    r.baseline_figure_id,
    r.rating,
    {{ published_rating('r.rating', 'f.suppressed') }}::varchar as published_rating
from {{ ref('fct_evaluation_ratings') }} as r
left join {{ ref('fct_figures') }} as f on f.figure_id = r.actual_figure_id
