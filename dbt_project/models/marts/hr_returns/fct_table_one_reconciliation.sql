-- The KPIs sheet as reported against Table one as computed from the Vacancies rows.
-- Disagreements are kept and shown in the quarterly return, never silently resolved.
select
    s.la_code,
    s.quarter,
    k.tier,
    k.indicator,
    k.kpi_value as reported_value,
    case
        when t.denominator is not null then round(t.numerator / nullif(t.denominator, 0), 1)
        else t.numerator
    end as computed_value,
    coalesce(abs(k.kpi_value - computed_value) < 0.05, k.kpi_value is null and computed_value is null) as agrees,
    s.file_path,
    k._sheet || '!' || k._cell as reported_cell,
    k._row_uid as reported_row_uid
from {{ ref('stg_hr_returns__kpis') }} as k
inner join {{ ref('int_hr_returns__submissions') }} as s
    on k._file_sha256 = s.file_sha256 and s.is_current
inner join {{ ref('int_table_one__la') }} as t
    on t.la_code = s.la_code and t.quarter = s.quarter and t.tier = k.tier and t.indicator = k.indicator
where k.indicator <> 'active_contacts'
