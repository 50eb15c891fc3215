"""Regional succession-planning warehouse: the plain-Python library.

`orchestration/` wires these pieces into Dagster; `contracts/` holds what each raw
source must look like; `dbt_project/` builds the warehouse; `reports/` renders it.
"""
