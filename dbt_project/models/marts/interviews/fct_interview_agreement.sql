-- Inter-rater agreement per code over double-coded interviews (int_interviews__agreement):
-- Cohen's kappa for two coders, Krippendorff's alpha (nominal) for any number.
select
    a.wave::varchar as wave,
    cb.region_code::varchar as region_code,
    a.theme_path::varchar as theme_path,
    lower(trim(regexp_replace(a.theme_path, '[^A-Za-z0-9]+', '_', 'g'), '_'))::varchar as theme_key,
    a.coders::integer as coders,
    a.interviews::integer as interviews,
    a.units::integer as units,
    a.units_coded::integer as units_coded,
    a.observed_agreement::double as observed_agreement,
    a.kappa::double as kappa,
    a.alpha::double as alpha
from {{ ref('int_interviews__agreement') }} as a
left join (
    select wave, max(region_code) as region_code from {{ ref('stg_interviews__codebook') }} group by wave
) as cb using (wave)
