"""`succession validate FILE...`: check files against their contracts, load nothing.

Each file is matched to its source by the folder under raw/ it sits in, or, for a
file outside raw/ (an LA checking its return before sending it), by its name.
"""

from __future__ import annotations

import os
from pathlib import Path

from succession.ingest.framework import ingest_partition
from succession.ingest.problems import Problem
from succession.sources import source_for_path, sources


def _guess_source(path: Path):
    src = source_for_path(path)
    if src is not None:
        return src
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or path.suffix == "":
        return sources()["hr_returns"]
    return None


def validate_paths(files: list[Path]) -> list[str]:
    out: list[str] = []
    groups: dict[tuple[str, str, Path], list[Path]] = {}
    for f in files:
        f = Path(f).absolute()  # not resolved: a symlink is checked (and refused) as a link
        f = f.parent.resolve() / f.name
        if not os.path.lexists(f):
            out.append(str(Problem(str(f), "missing", "no such file")))
            continue
        src = _guess_source(f)
        if src is None:
            out.append(str(Problem(f.name, "unknown_source", "cannot tell which raw source this file belongs to")))
            continue
        partition = src.partition_of(f) if hasattr(src, "partition_of") else "all"
        groups.setdefault((src.name, partition, f.parent), []).append(f)
    for (name, partition, parent), paths in sorted(groups.items()):
        result = ingest_partition(
            sources()[name],
            partition,
            paths,
            raw_dir=parent,
            lake_dir=Path("/nonexistent"),
            run_id="validate",
            write=False,
        )
        for reasons in result.files["problems"]:
            import json

            out.extend(json.loads(reasons))
    return out
