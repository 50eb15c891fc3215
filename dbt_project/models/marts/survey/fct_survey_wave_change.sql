-- Change in each headline since the region's previous wave (the latest earlier fieldwork in
-- the same region), in percentage points, with a 95% interval for the difference of two
-- independent proportions (Newcombe's hybrid score method, from Wilson intervals: sound on
-- the small bases of a regional survey). When the interval contains 0 the change is within
-- sampling noise. Only waves that have a previous wave appear.
with waves as (
    select wave, region_code, fieldwork_start,
        lag(wave) over (partition by coalesce(region_code, 'E92000001') order by fieldwork_start, wave) as previous_wave
    from {{ ref('int_survey__waves') }}
),
h as (
    select wave, measure, n, base, n::double / base as p
    from {{ ref('fct_survey_headlines') }}
    where group_type = 'all' and base > 0
),
wilson as (
    select *,
        (p + 1.96 ^ 2 / (2 * base)) / (1 + 1.96 ^ 2 / base)
            - 1.96 * sqrt(p * (1 - p) / base + 1.96 ^ 2 / (4 * base ^ 2)) / (1 + 1.96 ^ 2 / base) as lo,
        (p + 1.96 ^ 2 / (2 * base)) / (1 + 1.96 ^ 2 / base)
            + 1.96 * sqrt(p * (1 - p) / base + 1.96 ^ 2 / (4 * base ^ 2)) / (1 + 1.96 ^ 2 / base) as hi
    from h
)
select
    w.wave,
    w.previous_wave,
    w.region_code,
    cur.measure,
    cur.n::integer as n,
    cur.base::integer as base,
    prev.n::integer as previous_n,
    prev.base::integer as previous_base,
    100.0 * cur.p as percent,
    100.0 * prev.p as previous_percent,
    100.0 * (cur.p - prev.p) as change_pp,
    100.0 * ((cur.p - prev.p) - sqrt((cur.p - cur.lo) ^ 2 + (prev.hi - prev.p) ^ 2)) as change_low_pp,
    100.0 * ((cur.p - prev.p) + sqrt((cur.hi - cur.p) ^ 2 + (prev.p - prev.lo) ^ 2)) as change_high_pp,
    not ((cur.p - prev.p) - sqrt((cur.p - cur.lo) ^ 2 + (prev.hi - prev.p) ^ 2) <= 0  -- sqlfluff reads `not (` as a function call -- noqa: LT01, LT06
         and (cur.p - prev.p) + sqrt((cur.hi - cur.p) ^ 2 + (prev.p - prev.lo) ^ 2) >= 0) as beyond_noise
from waves as w
inner join wilson as cur on cur.wave = w.wave
inner join wilson as prev on prev.wave = w.previous_wave and prev.measure = cur.measure
where w.previous_wave is not null
