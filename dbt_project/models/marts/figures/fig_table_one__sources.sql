-- The raw rows behind each Table one figure: an LA's own contributing rows; a region's
-- or England's are all their LAs' rows.
with c as (
    select c.*, la.new_la_code, la.region_code
    from {{ ref('int_table_one__contributions') }} as c
    inner join {{ ref('dim_local_authorities') }} as la on la.old_la_code = c.la_code
),
prefixed as (
    select
        'table_one.' || indicator || '.' || replace(quarter, ' ', '_') || '.' as head,
        '.tier_' || tier as tail,
        new_la_code,
        region_code,
        _row_uid
    from c
)
select distinct head || new_la_code || tail as figure_id, _row_uid from prefixed
union all
select distinct head || region_code || tail, _row_uid from prefixed
union all
select distinct head || 'E92000001' || tail, _row_uid from prefixed
