"""Declarative automation: what runs by itself after new raw files are ingested (issue 14).

The raw-folder sensor (raw.py) registers quarters and waves and requests ingestion runs.
Everything downstream of ingestion carries an ``AutomationCondition``, evaluated by one
``AutomationConditionSensorDefinition`` (``automation_condition_sensor``, started like the
other sensors: ``SUCCESSION_AUTOMATION=on``, or from the UI). That gives, with no sensor
chained to another:

1. **The warehouse** (every dbt model and seed, :func:`warehouse_condition`), once after
   any source was ingested and no ingestion is still running. The dbt nodes at the top of
   the graph carry that condition and every other one follows them, so the dbt multi-asset
   is requested whole, exactly as the
   ``build_warehouse`` job runs it: the asset itself then decides what to rebuild
   (``changes.changed_sources``: only what depends on the sources whose lake changed),
   and records the build. A warehouse build by `succession run` or the UI (its
   ``published_tables`` materialised) counts as done, so the automation does not build it
   again after them.
2. **In the same run**, ``disclosure_audit``, ``published_tables`` and ``lineage_docs``
   (``AutomationCondition.eager()``: their parents are requested in that run).
3. **The documents of the latest quarter** (:func:`reports_condition`), once the warehouse
   they read has been rebuilt: the quarter `succession run` renders when no ``--period`` is
   given, so both paths render the same documents. (The sensor chain this replaces rendered
   every quarter whose files changed; `succession run` rendered only the latest. A corrected
   return for an earlier quarter now re-renders the latest quarter's documents, which show
   its trend, as `succession run` does; an earlier quarter's documents are rendered on
   request, ``succession run --period`` or the UI, and on their deadline by
   ``quarterly_return_schedule``.)
4. **The figure register** (:func:`register_condition`), once documents were rendered.

Each step waits while its parents are being materialised, and nothing is requested before
a first ingestion: the warehouse's trigger is an ingestion, and every later step's trigger
an update of the step before.
"""

from __future__ import annotations

import functools
import operator

import dagster as dg

from succession.ingest.framework import FILES_TABLE
from succession.periods import FinancialQuarter
from succession.sources import sources

AC = dg.AutomationCondition
PUBLISHED_TABLES = dg.AssetKey("published_tables")


def ingestion_keys() -> list[dg.AssetKey]:
    """One key per source's ingestion: its file ledger, which every ingestion run materialises."""
    return [dg.AssetKey([s.name, FILES_TABLE]) for s in sources().values()]


def _any_source(condition: dg.AutomationCondition) -> dg.AutomationCondition:
    return functools.reduce(operator.or_, [AC.asset_matches(k, condition) for k in ingestion_keys()])


def warehouse_condition(root: bool = True) -> dg.AutomationCondition:
    """For a dbt node none of whose parents is a dbt node (a seed, a staging model reading only
    lake sources): requested when a source was ingested since the warehouse was last requested
    or built, and no ingestion nor warehouse build is running. Every other dbt node
    (``root=False``) is requested with its parents, so all of them are requested together
    whenever the roots are. (The trigger is evaluated at the roots only: evaluated at each of
    the ~120 nodes, a tick of the daemon took a minute.)"""
    if not root:
        return AC.any_deps_match(AC.will_be_requested()).with_label("with the warehouse")
    ingested = _any_source(AC.newly_updated()).with_label("a source was ingested")
    ingesting = _any_source(AC.in_progress()).with_label("a source is being ingested")
    built = (
        AC.newly_requested() | AC.asset_matches(PUBLISHED_TABLES, AC.newly_updated()) | AC.initial_evaluation()
    ).with_label("warehouse requested or built")
    return (ingested.since(built) & ~ingesting & ~AC.in_progress()).with_label("warehouse after ingestion")


class LatestQuarter(dg.AutomationCondition):
    """True for the latest registered quarter of a quarter-partitioned asset (by financial
    year and quarter, not by when the partition was added): the quarter `succession run`
    renders by default."""

    @property
    def name(self) -> str:
        return "latest_quarter"

    @property
    def description(self) -> str:
        return "The latest quarter with files (the quarter `succession run` renders by default)"

    def evaluate(self, context):  # context: AutomationContext
        view = context.asset_graph_view
        keys = view.get_full_subset(key=context.key).expensively_compute_partition_keys()
        if not keys:
            return dg.AutomationResult(context=context, true_subset=context.get_empty_subset())
        latest = max(keys, key=FinancialQuarter.parse)
        only = view.get_subset_from_partition_keys(context.key, context.partitions_def, {latest})
        return dg.AutomationResult(context=context, true_subset=context.candidate_subset.compute_intersection(only))


def reports_condition() -> dg.AutomationCondition:
    """The latest quarter's document, once the marts it reads were rebuilt (not merely when a
    new quarter appears: its files must be ingested and the warehouse built first)."""
    return (
        LatestQuarter()
        & AC.any_deps_updated().since_last_handled()
        & ~AC.any_deps_missing()
        & ~AC.any_deps_in_progress()
        & ~AC.in_progress()
    ).with_label("latest quarter after the warehouse")


def register_condition() -> dg.AutomationCondition:
    """After any document was rendered, and none is being rendered. (Not ``eager``: documents of
    earlier quarters may never have been rendered, and must not hold the register back.)"""
    return (AC.any_deps_updated().since_last_handled() & ~AC.any_deps_in_progress() & ~AC.in_progress()).with_label(
        "register after the documents"
    )


def published_condition() -> dg.AutomationCondition:
    """``disclosure_audit``, ``published_tables``, ``lineage_docs``: in the warehouse's run."""
    return AC.eager()


def automation_sensor(status: dg.DefaultSensorStatus, interval: int) -> dg.AutomationConditionSensorDefinition:
    """Evaluates every asset's condition each ``interval`` seconds and launches what they request.
    In the code server (``use_user_code_server``): :class:`LatestQuarter` is this project's own."""
    return dg.AutomationConditionSensorDefinition(
        "automation_condition_sensor",
        target=dg.AssetSelection.all(),
        default_status=status,
        minimum_interval_seconds=interval,
        use_user_code_server=True,
        description="Declarative automation (orchestration/conditions.py): after ingestion, the warehouse; after "
        "the warehouse, the latest quarter's documents; after them, the figure register.",
    )
