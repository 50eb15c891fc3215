{{ stage_file_ledger('hr_returns') }}
