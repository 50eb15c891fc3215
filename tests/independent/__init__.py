"""An independent, deliberately plain recomputation of every published figure (dual running).

It reads the raw files in ``raw/`` directly (pandas, PyYAML and the standard library: its
own small xlsx reader) and recomputes the published figures from the *written* working definitions:
``dbt_project/seeds/ref_indicators.csv``, DESIGN "Table one indicators", and the
contracts in ``contracts/*.md``. It shares no code with the pipeline (no lake, no dbt, no
``succession`` package): where the two disagree, one of them misreads the definition.

Modules:
  calendar   financial quarters and their dates
  printing   how a value is printed (whole counts, 1 dp ratios, 2 dp coefficients)
  xlsx       a minimal standard-library .xlsx reader
  readers    the raw files, read plainly
  table_one  Table one by LA, region and England, and the returns received
  programme  activities, grant, the four-level evaluation, targets and ratings
  survey     the survey distributions and survey theme prevalence
  interviews interviews, theme prevalence and inter-rater agreement
  register   every recomputed figure by its published id
"""
