{{ stage_file_ledger('survey') }}
