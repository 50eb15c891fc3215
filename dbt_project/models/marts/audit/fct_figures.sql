-- Every publishable figure with its stable id, the unsuppressed value (kept only here)
-- and the value as shown after disclosure control (macros/disclosure.sql):
-- primary suppression of small LA counts and of rates on small bases, then secondary
-- suppression so a shown total minus the other shown cells cannot reveal a suppressed one.
with candidates as (
    select * from {{ ref('fig_table_one') }}
    union all by name select * from {{ ref('fig_returns') }}
    union all by name select * from {{ ref('fig_survey') }}
    union all by name select * from {{ ref('fig_interviews') }}
    union all by name select * from {{ ref('fig_programme') }}
    -- issue 13: the framework's remaining commitments, the fuller survey section, England totals
    union all by name select * from {{ ref('fig_programme_framework') }}
    union all by name select * from {{ ref('fig_survey_framework') }}
    union all by name select * from {{ ref('fig_national') }}
),
primary_flagged as (
    select
        *,
        case
            when geographic_level in ('Regional', 'National') and unit = 'count'
                then value between 1 and {{ var('suppress_counts_up_to') }}
            else {{ is_primary_suppressed('value', 'base', 'unit', 'geographic_level') }}
        end as is_primary
    from candidates
),
groups as (
    -- groups whose total is shown and which hold exactly one primary-suppressed cell
    select c.disclosure_total_id
    from primary_flagged as c
    inner join primary_flagged as total on total.figure_id = c.disclosure_total_id and not total.is_primary
    where c.disclosure_total_id is not null
    group by c.disclosure_total_id
    having count(*) filter (where c.is_primary) = 1
),
secondary as (
    -- protect it by also suppressing another cell of the group
    select figure_id
    from (
        select
            c.figure_id,
            -- the smallest non-zero cell: a suppressed zero protects nothing where zeros can be inferred
            row_number() over (partition by c.disclosure_total_id order by c.value = 0, c.value, c.figure_id) as pick
        from primary_flagged as c
        inner join groups using (disclosure_total_id)
        where not c.is_primary and c.value is not null
    )
    where pick = 1
)
select
    c.figure_id,
    c.table_id,
    c.indicator,
    c.unit,
    c.period,
    c.time_period,
    c.time_identifier,
    c.geographic_level,
    c.country_code,
    c.region_code,
    c.region_name,
    c.new_la_code,
    c.old_la_code,
    c.la_name,
    c.breakdown,
    c.value,
    c.base,
    c.numerator,
    c.denominator,
    c.is_primary or s.figure_id is not null as suppressed,
    case when c.is_primary then 'primary' when s.figure_id is not null then 'secondary' end as suppression,
    case
        when c.is_primary or s.figure_id is not null then 'c'
        when c.value is null and c.unit in ('ratio', 'percent', 'rate', 'score') then 'z'
        else {{ format_value('c.value', 'c.unit') }}
    end as value_shown,
    c.disclosure_total_id,
    c.source_model,
    c.source_filter
from primary_flagged as c
left join secondary as s using (figure_id)
