-- Every publishable figure with its stable id, the unsuppressed value (kept only here)
-- and the value as shown after disclosure control: one mechanism for every table
-- (macros/disclosure.sql; the policy and its proof in docs/DISCLOSURE.md):
--   primary      a small count of people, or a rate or mean about people on a small base;
--   secondary    the complementary cell chosen in the primary cell's disclosure group, so that
--                the group's shown total cannot narrow the primary cell below its protection interval
--                (within each cell's a priori bounds: a complement must have room to move both ways);
--   withheld     every cell of a disclosure group that complementary cells cannot protect (its
--                total is itself suppressed, it has no shown total, or no cell is large enough);
--                a primary cell there is 'withheld primary';
--   consequential a figure that reveals a suppressed count through its numerator or its base
--                (a percent and its n; a mean rating printed with its number of responses; a sum
--                of some cells of a group, e.g. a survey headline, with any cell of the group);
--   small base   a percent on a base under 5 whose n and base are shown (unreliable, not secret).
-- `base` is the n printed beside a figure, so it is empty when the figure is suppressed;
-- numerator and denominator keep the unsuppressed values.
-- succession.disclosure audits the result against an attacker holding everything published.
{% set k = var('suppress_counts_up_to') %}
{% set unbounded = '1e12' %}
-- one figure family per fig_<family> model (macros/figure_ids.sql figure_families)
with candidates as (
    {% for family in figure_families() -%}
    {% if not loop.first %}union all by name {% endif %}select * from {{ ref('fig_' ~ family) }}
    {% endfor %}
),
marked as (
    -- the suppression logic reads only these columns (the descriptive ones join back at the end:
    -- at 153 LAs x 40 quarters the whole rows, copied through each step, outgrew DuckDB's 600 MB)
    select
        c.figure_id, c.unit, c.value, c.base, c.numerator, c.denominator, c.disclosure_class,
        c.disclosure_total_id, c.disclosure_group, c.disclosure_count_id, c.disclosure_base_id,
        c.disclosure_lower, c.disclosure_upper,
        {{ disclosure_count('c.value', 'c.numerator', 'c.unit') }} as people_count,
        {{ is_primary_suppressed('c.value', 'c.base', 'c.numerator', 'c.denominator', 'c.unit', 'c.disclosure_class',
                                 'c.disclosure_group is null and c.disclosure_count_id is null',
                                 'c.disclosure_count_id is not null') }} as is_primary
    from candidates as c
),
flagged as (
    -- the attacker's a priori bounds on each cell's count: a primary count is 1..k, a
    -- complementary one more than k, at most its disclosure_upper (responses <= attendances);
    -- a numerator at least 0, or its disclosure_lower..disclosure_upper (a sum of ratings)
    select
        m.*,
        case
            when m.unit in ('count', 'people') then case when m.is_primary then 1 else {{ k }} + 1 end
            else coalesce(m.disclosure_lower, 0)
        end as lo_bound,
        case
            when m.unit in ('count', 'people') and m.is_primary then {{ k }}
            else coalesce(m.disclosure_upper, {{ unbounded }})
        end as hi_bound
    from marked as m
),
groups as (
    select
        disclosure_group,
        any_value(disclosure_total_id) as total_id,
        -- cells with a value: a 'z' (no campaign closed) is known to hold nothing
        count(*) filter (where value is not null) as cells,
        count(*) filter (where is_primary) as primaries,
        count(*) filter (where is_primary and people_count = 1) as primaries_at_one,
        coalesce(sum(people_count) filter (where is_primary), 0) as primary_sum,
        -- how far the cells with a value can rise and fall together, were they all withheld
        sum(hi_bound - people_count) filter (where value is not null) as cells_up,
        sum(people_count - lo_bound) filter (where value is not null) as cells_down,
        -- every primary cell is a count the attacker knows to be 1..k (else only a numerator >= 0)
        bool_and(not is_primary or (unit in ('count', 'people') and people_count between 1 and {{ k }})) as counts_only
    from flagged
    where disclosure_group is not null
    group by disclosure_group
),
primary_room as (
    -- each primary cell with the room the group's other primaries give it: with the group's
    -- total shown, the cell can rise as far as the others can fall, and fall as far as they rise
    select
        disclosure_group,
        people_count as at_count,
        lo_bound,
        hi_bound,
        greatest(1, people_count / 2.0) as need,
        sum(hi_bound - people_count) over (partition by disclosure_group) - (hi_bound - people_count) as others_up,
        sum(people_count - lo_bound) over (partition by disclosure_group) - (people_count - lo_bound) as others_down
    from flagged
    where is_primary and disclosure_group is not null
),
covered as (
    -- covered: the primaries keep their protection interval among themselves;
    -- withheld_covered: they keep it when the whole group is withheld beside a shown total,
    -- every other cell with a value moving within its bounds (two means on four ratings each,
    -- beside their shown total mean, pin each other to the top of the scale)
    select
        p.disclosure_group,
        bool_and(coalesce(
            least(p.hi_bound, p.at_count + p.others_down) - greatest(p.lo_bound, p.at_count - p.others_up) >= p.need, true
        )) as covered,
        bool_and(
            least(p.hi_bound, g.cells_down - (p.at_count - p.lo_bound) + p.at_count)
            - greatest(p.lo_bound, p.at_count - (g.cells_up - (p.hi_bound - p.at_count))) >= p.need
        ) as withheld_covered
    from primary_room as p
    inner join groups as g using (disclosure_group)
    group by p.disclosure_group
),
fits as (
    -- a candidate complement keeps every primary's protection interval (it has room to move
    -- both ways: a complement at its upper bound, e.g. responses = attendances, cannot rise)
    select
        f.disclosure_group,
        f.figure_id,
        bool_and(coalesce(
            least(p.hi_bound, p.at_count + p.others_down + f.people_count - f.lo_bound)
            - greatest(p.lo_bound, p.at_count - p.others_up - (f.hi_bound - f.people_count)) >= p.need,
            true
        )) as is_fit
    from flagged as f
    inner join primary_room as p on p.disclosure_group = f.disclosure_group
    where not f.is_primary
    group by f.disclosure_group, f.figure_id
),
decided as (
    select
        g.*,
        case
            when g.primaries = 0 then 'none'
            -- a cumulative series, or a breakdown of a suppressed total: nothing to anchor cells to
            when g.total_id is null or t.figure_id is null or t.is_primary then 'withhold'
            -- the total equals the only cell with a value: both go
            when g.cells = 1 then 'withhold with total'
            -- primaries of 1 and of k cover each other (each could be the other value)
            -- (and only where their bounds leave them room: two means of three ratings each, whose
            -- sum is known from the total, can pin each other within the rating scale)
            when g.counts_only and g.primaries_at_one > 0 and g.primaries_at_one < g.primaries and cv.covered then 'none'
            when not g.counts_only and g.primaries >= 2 and g.primary_sum >= g.primaries + 1 and cv.covered then 'none'
            else 'complement'
        end as action,
        -- a complement known to be > k must have room to fall by one when every primary sits at 1
        case
            when not g.counts_only then 1
            when g.primaries_at_one = g.primaries then {{ k }} + 2
            else {{ k }} + 1
        end as complement_at_least
    from groups as g
    left join flagged as t on t.figure_id = g.total_id
    left join covered as cv on cv.disclosure_group = g.disclosure_group
),
complement as (
    select disclosure_group, figure_id
    from (
        select
            f.disclosure_group,
            f.figure_id,
            row_number() over (partition by f.disclosure_group order by f.people_count, f.figure_id) as pick
        from flagged as f
        inner join decided as d using (disclosure_group)
        inner join fits as ok using (disclosure_group, figure_id)
        where d.action = 'complement' and not f.is_primary and f.people_count >= d.complement_at_least and ok.is_fit
    ) as candidates
    where pick = 1
),
first_pass as (
    select
        d.disclosure_group,
        d.total_id,
        case
            when d.action != 'complement' or c.figure_id is not null then d.action
            -- no cell can complement: the group is withheld, and its total too unless the
            -- withheld cells keep every primary's interval among themselves (a count's other
            -- cells are known only to be 0 or more, so a count breakdown always does)
            when d.counts_only or cv.withheld_covered then 'withhold'
            else 'withhold with total'
        end as action,
        c.figure_id as complement_id
    from decided as d
    left join complement as c using (disclosure_group)
    left join covered as cv using (disclosure_group)
),
suppressed_totals as (
    -- a region total chosen as England's complement, or withheld with England's breakdown:
    -- its own breakdown would add back up to it, so that breakdown is withheld too
    select complement_id as figure_id from first_pass where complement_id is not null
    union
    select f.figure_id from flagged as f inner join first_pass as a using (disclosure_group) where a.action like 'withhold%'
    union
    select total_id from first_pass where action = 'withhold with total'
),
actions as (
    select
        a.disclosure_group,
        a.total_id,
        -- ('withhold with total' lists its own total there, and keeps withholding it)
        case when s.figure_id is not null and a.action != 'withhold with total' then 'withhold' else a.action end as action,
        case when s.figure_id is null then a.complement_id end as complement_id
    from first_pass as a
    left join suppressed_totals as s on s.figure_id = a.total_id
),
labelled as (
    select
        f.*,
        case
            -- a figure with no value ('z') reveals no count and stays 'z'
            when f.value is null then null
            when a.action like 'withhold%' or wt.disclosure_group is not null then
                case when f.is_primary then 'withheld primary' else 'withheld' end
            when f.is_primary then 'primary'
            when a.complement_id = f.figure_id then 'secondary'
        end as own_suppression
    from flagged as f
    left join actions as a on a.disclosure_group = f.disclosure_group
    left join actions as wt on wt.total_id = f.figure_id and wt.action = 'withhold with total'
),
suppressed_groups as (
    select disclosure_group, bool_or(own_suppression is not null) as any_suppressed
    from labelled
    where disclosure_group is not null
    group by all
),
final as (
    select
        l.*,
        coalesce(
            l.own_suppression,
            case when n.own_suppression is not null or b.own_suppression is not null or g.any_suppressed then 'consequential' end,
            case when l.disclosure_class = 'people' and l.disclosure_count_id is not null and l.value is not null
                      and coalesce(l.base, 0) < {{ var('suppress_rates_base_below') }} then 'small base' end
        ) as suppression
    from labelled as l
    left join labelled as n on n.figure_id = l.disclosure_count_id
    left join labelled as b on b.figure_id = l.disclosure_base_id
    -- a figure whose count is a sum of some cells of a group (a survey headline: two options of
    -- a question) names that group as its disclosure_count_id and goes with any of its cells
    left join suppressed_groups as g on g.disclosure_group = l.disclosure_count_id
),
settled as (
    -- one step further: a figure that reveals a consequential one goes with it too (a survey
    -- headline's change since the previous wave; England's headline, the sum of the regions')
    select
        f.* replace (coalesce(
            f.suppression,
            case when n.suppression is not null or b.suppression is not null or g.any_suppressed then 'consequential' end
        ) as suppression)
    from final as f
    left join final as n on n.figure_id = f.disclosure_count_id
    left join final as b on b.figure_id = f.disclosure_base_id
    left join (
        select disclosure_group, bool_or(suppression is not null) as any_suppressed
        from final where disclosure_group is not null group by all
    ) as g on g.disclosure_group = f.disclosure_count_id
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
    case when s.suppression is null then c.base end as base,
    c.numerator,
    c.denominator,
    s.suppression is not null as suppressed,
    s.suppression,
    case
        when s.suppression is not null then 'c'
        when c.value is null and c.unit in ('ratio', 'percent', 'rate', 'score') then 'z'
        else {{ format_value('c.value', 'c.unit') }}
    end as value_shown,
    c.disclosure_total_id,
    c.source_model,
    c.source_filter
from candidates as c
inner join settled as s using (figure_id)
