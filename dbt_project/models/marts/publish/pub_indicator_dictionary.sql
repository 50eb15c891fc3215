-- The published indicator dictionary: each Table one indicator and how it is defined.
select indicator, label, unit, aggregation, definition
from {{ ref('ref_indicators') }}
