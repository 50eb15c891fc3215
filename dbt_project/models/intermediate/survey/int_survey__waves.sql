-- Survey waves with their region (when the instrument names one) and DfE time columns.
select
    w.wave,
    w.title,
    w.region_code,
    r.region_name,
    w.fieldwork_start,
    w.fieldwork_end,
    {{ financial_year_time_period(wave_financial_year('w.wave')) }} as time_period,
    'Financial year' as time_identifier,
    case when w.region_code is null then 'National' else 'Regional' end as geographic_level,
    w._row_uid
from {{ ref('stg_survey__waves') }} as w
left join {{ ref('ref_regions') }} as r using (region_code)
