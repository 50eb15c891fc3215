"""The raw sources the pipeline ingests, by name. One entry per source module."""

from __future__ import annotations

import importlib
from functools import cache

from succession.ingest.framework import Source

# source name -> module exposing it (attribute name after the colon, default SOURCE)
_REGISTRY = {
    "hr_returns": "succession.ingest.hr_returns:SOURCE",
    "survey": "succession.ingest.survey:SOURCE",
    "interviews": "succession.ingest.interviews:SOURCE",
    "programme": "succession.ingest.programme:SOURCE",
    "programme_plan": "succession.ingest.programme:PLAN_SOURCE",
}


@cache
def sources() -> dict[str, Source]:
    """Every source whose module is present (a source lands with its issue)."""
    found: dict[str, Source] = {}
    for name, target in _REGISTRY.items():
        module, _, attr = target.partition(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        found[name] = getattr(mod, attr or "SOURCE")
    return found


def source_for_path(path) -> Source | None:
    """The source a raw file belongs to, from the first folder under raw/ (``raw/<source>/...``)."""
    from pathlib import Path

    path = Path(path).resolve()
    matches = [src for name, src in sources().items() if getattr(src, "raw_folder", name) in path.parts]
    # sources sharing a folder (programme records and the plan) say which files are theirs
    claimed = [src for src in matches if getattr(src, "claims", None) and src.claims(path)]
    return (claimed or [m for m in matches if not getattr(m, "claims", None)] or [None])[0]
