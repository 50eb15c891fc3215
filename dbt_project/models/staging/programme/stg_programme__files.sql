-- Every programme record file and regional plan seen, one row per file content, with its status.
{{ stage_file_ledger('programme') }}
union all
{{ stage_file_ledger('programme_plan') }}
