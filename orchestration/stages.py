"""The stages of a build, derived from the asset graph: the only statement of their order.

A Dagster run holds assets of one partitioning, so a whole build is a short sequence of
runs. Which ones, and in which order, follows from the graph alone (:func:`stage_runs`):
repeatedly, for each partitioning (partitioned ones first), the largest set of remaining
assets of that partitioning whose upstream assets are done or in the same set, as a
backfill of "Materialize all" splits them. For this project that gives

1. ``ingest_quarters``: the quarter-partitioned ingestion (one run over a range of quarters:
   its assets have ``BackfillPolicy.single_run``);
2. ``ingest_waves``: the wave-partitioned ingestion;
3. ``build_warehouse``: the unpartitioned ingestion, the dbt build, the disclosure audit,
   the published tables and the lineage site;
4. ``render_reports``: the quarter-partitioned documents, for one quarter;
5. ``publish_register``: the figure register, from every rendered document.

:func:`stages` names those runs (the names of the jobs in ``jobs.py``, which the schedules,
the README and the progress lines use). ``jobs.py`` defines one job per stage, and
`succession run` (``runner.py``) executes the stages in this order. A new asset joins the
stage its partitioning and dependencies put it in without any list being edited; a graph
whose runs no name fits fails loudly here.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class Stage:
    name: str
    partitions_def: dg.PartitionsDefinition | None
    keys: tuple[dg.AssetKey, ...]
    single_run: bool  # partitioned with BackfillPolicy.single_run: one run over a range of partitions

    @property
    def kind(self) -> str:
        """The partitioning by name: ``quarter``, ``wave``, or ``none``."""
        return self.partitions_def.name if self.partitions_def is not None else "none"  # type: ignore[attr-defined]


def _partitioning(graph, key: dg.AssetKey) -> str | None:
    pdef = graph.get(key).partitions_def
    return pdef.name if pdef is not None else None


def stage_runs(graph) -> list[tuple[dg.PartitionsDefinition | None, list[dg.AssetKey]]]:
    """The runs "Materialize all" amounts to, from the asset graph alone: repeatedly, for each
    partitioning (partitioned ones first), the largest set of remaining assets of that
    partitioning whose upstream assets are done or in the set."""
    todo = set(graph.materializable_asset_keys)
    done: set[dg.AssetKey] = set()
    order = sorted({_partitioning(graph, k) for k in todo}, key=lambda name: (name is None, name or ""))
    runs = []
    while todo:
        before = len(todo)
        for name in order:
            chosen = {k for k in todo if _partitioning(graph, k) == name}
            while True:  # drop assets waiting on something neither done nor in this run
                blocked = {
                    k
                    for k in chosen
                    for parent in graph.get(k).parent_keys
                    if graph.get(parent).is_materializable and parent not in done and parent not in chosen
                }
                if not blocked:
                    break
                chosen -= blocked
            if chosen:
                runs.append((graph.get(next(iter(chosen))).partitions_def, sorted(chosen)))
                done |= chosen
                todo -= chosen
        if len(todo) == before:
            raise ValueError(f"no asset can run: {sorted(k.to_user_string() for k in todo)[:5]}")
    return runs


def _name(pdef: dg.PartitionsDefinition | None, groups: set[str]) -> str:
    if pdef is not None and groups and all(g.startswith("ingest_") for g in groups):
        return f"ingest_{pdef.name}s"  # type: ignore[attr-defined]
    if pdef is None and any(g.startswith("warehouse_") for g in groups):
        return "build_warehouse"
    if pdef is not None and groups == {"reports"}:
        return "render_reports"
    if pdef is None and groups == {"publish"}:
        return "publish_register"
    raise ValueError(f"no stage name for a run of {pdef.name if pdef else 'unpartitioned'} assets in {sorted(groups)}")  # type: ignore[attr-defined]


def stages(graph) -> list[Stage]:
    """The stages of a build, in order, named (see the module docstring)."""
    out = []
    for pdef, keys in stage_runs(graph):
        groups = {graph.get(k).group_name for k in keys}
        single = pdef is not None and {graph.get(k).backfill_policy for k in keys} == {dg.BackfillPolicy.single_run()}
        out.append(Stage(_name(pdef, groups), pdef, tuple(keys), single))
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise ValueError(f"two stages share a name: {names}")
    return out
