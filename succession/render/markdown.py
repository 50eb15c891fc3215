"""Helpers for report cells that emit markdown (`#| output: asis`): the output both Quarto and
the fallback turn into real HTML tables and Typst tables (Pandoc drops `text/html` for Typst)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd


def _integral(series: pd.Series) -> bool:
    values = series.dropna()
    return pd.api.types.is_integer_dtype(series) or (
        pd.api.types.is_float_dtype(series) and bool(((values % 1) == 0).all())
    )


def _cell(value: Any, fmt: str | Callable[[Any], str] | None, integral: bool) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if callable(fmt):
        text = fmt(value)
    elif fmt is not None:
        text = format(value, fmt)
    elif isinstance(value, bool):
        text = str(value)
    elif integral and isinstance(value, (int, float)):
        text = f"{int(value):,}"
    elif isinstance(value, float):
        text = f"{value:,.1f}"
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(
    df: pd.DataFrame,
    *,
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    caption: str | None = None,
    label: str | None = None,
    index: bool = False,
) -> str:
    """A Pandoc pipe table: numeric columns right-aligned, whole numbers with thousands
    separators (also float columns holding only whole numbers, e.g. counts with gaps), other floats
    to 1 dp unless `formats` gives a format spec (e.g. ".0%") or a function per column;
    missing values blank; `caption` becomes the table caption and `label` (``tbl-...``) its id,
    so ``@tbl-...`` cross-references it (in Quarto and in the fallback)."""
    if label is not None and not label.startswith("tbl-"):
        raise ValueError(f"table labels must start with 'tbl-': {label!r}")
    if label is not None and not caption:
        raise ValueError("a labelled table needs a caption")
    if index:
        df = df.reset_index()
    formats = dict(formats or {})
    columns = [str(c) for c in df.columns]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    integral = [num and _integral(df[c]) for num, c in zip(numeric, df.columns)]
    header = "| " + " | ".join(c.replace("|", "\\|") for c in columns) + " |"
    rule = "|" + "|".join("---:" if num else ":---" for num in numeric) + "|"
    rows = [
        "| " + " | ".join(_cell(v, formats.get(str(c)), whole) for c, v, whole in zip(df.columns, row, integral)) + " |"
        for row in df.itertuples(index=False, name=None)
    ]
    table = "\n".join([header, rule, *rows])
    if caption:
        table += f"\n\n: {caption}" + (f" {{#{label}}}" if label else "")
    return "\n" + table + "\n"
