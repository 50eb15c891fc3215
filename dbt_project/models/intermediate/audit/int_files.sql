-- Every raw file any ingestion has seen, from every source's ledger.
select * from {{ ref('stg_hr_returns__files') }}
union all select * from {{ ref('stg_survey__files') }}
union all select * from {{ ref('stg_interviews__files') }}
union all select * from {{ ref('stg_programme__files') }}
