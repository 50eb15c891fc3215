select
    la.old_la_code,
    la.new_la_code,
    la.la_name,
    la.region_code,
    r.region_name,
    la.entity_code
from {{ ref('ref_local_authorities') }} as la
inner join {{ ref('ref_regions') }} as r using (region_code)
