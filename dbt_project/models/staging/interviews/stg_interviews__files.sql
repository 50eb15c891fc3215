{{ stage_file_ledger('interviews') }}
