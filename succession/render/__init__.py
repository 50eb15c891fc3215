"""Rendering Quarto reports: real `quarto render` when the CLI is on PATH, otherwise a fallback
built from the engines Quarto drives (Jupyter, Pandoc, Typst). See :func:`render_document`.

Report cells import helpers from here (``from succession.render.markdown import md_table``), so the
package imports its heavier render machinery (nbformat, nbclient) only when it is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .qmd import ParameterError, QmdError, RenderError

if TYPE_CHECKING:
    from .engine import RenderResult, quarto_available, render_document
    from .markdown import md_table

__all__ = [
    "ParameterError",
    "QmdError",
    "RenderError",
    "RenderResult",
    "md_table",
    "quarto_available",
    "render_document",
]


def __getattr__(name: str) -> Any:
    if name in ("RenderResult", "quarto_available", "render_document"):
        from . import engine

        return getattr(engine, name)
    if name == "md_table":
        from .markdown import md_table

        return md_table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
