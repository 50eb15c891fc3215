"""Text that goes into a document: literal data strings and numbers formatted for readers.

Two rules keep the documents honest and safe:

* **Data text is literal.** A survey question, option label, milestone name, activity title,
  narrative paragraph or LA name is data. :func:`literal` backslash-escapes every ASCII
  punctuation character (Pandoc Markdown reads ``\\<`` as a literal ``<``, ``\\@`` as ``@``,
  ``\\{`` as ``{`` ...) so no raw HTML, raw Typst, citation, math, inline code or shortcode
  can be formed from it, and line breaks cannot start a new block.
* **Numbers are formatted for reading, not recomputed.** :func:`display_value` takes the
  machine-readable ``value_shown`` from ``audit.fct_figures`` and only changes its
  typography: thousands separators, no ``.0`` on counts, one minus sign (U+2212), ``£`` on
  money. Suppression markers (``c``, ``z``, ``x``) pass through unchanged.
"""

from __future__ import annotations

import re
import string

MINUS = "\u2212"
# Units whose values are whole numbers of things: never printed with decimals.
COUNT_UNITS = {"count", "people", "organisations", "days"}
MONEY_UNITS = {"gbp"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_PUNCTUATION = set(string.punctuation)


class Md(str):
    """Markdown for a document. Displayed as Markdown (MIME ``text/markdown``) by Quarto and
    the fallback, also as the value of an inline ``{python}`` expression; otherwise a str.

    Deliberately not IPython's ``Markdown``: that class reads a file or URL when its text
    looks like a path, and data text must never make the render read anything."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __add__(self, other: object) -> Md:
        return Md(str(self) + str(other))

    def __radd__(self, other: object) -> Md:
        return Md(str(other) + str(self))


def literal(text: object) -> str:
    """Markdown that renders ``text`` exactly, as plain text, in HTML and Typst.

    Every ASCII punctuation character is backslash-escaped; whitespace runs (including
    newlines, which could open a new block) collapse to one space."""
    if text is None:
        return ""
    s = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in s)


def text(value: object) -> Md:
    """A data string for an inline expression: ``{python} text(la_name)``."""
    return Md(literal(value))


def display_value(value_shown: object, unit: str | None = None) -> str:
    """``value_shown`` as readers see it (plain text, not Markdown).

    Keeps the figure's rounding (the decimals in ``value_shown``), except that counts lose a
    ``.0``; adds thousands separators; uses U+2212 for negatives; prefixes ``£`` for money.
    Anything that is not a plain number (``c``, ``z``, ``x``, a rating word) is unchanged."""
    s = "" if value_shown is None else str(value_shown).strip()
    if not _NUMBER.match(s):
        return s
    negative = s.startswith("-")
    digits = s.lstrip("-")
    whole, _, decimals = digits.partition(".")
    if unit in COUNT_UNITS and (not decimals or set(decimals) == {"0"}):
        decimals = ""
    out = f"{int(whole):,}" + (f".{decimals}" if decimals else "")
    if unit in MONEY_UNITS:
        out = "£" + out
    if negative and (int(whole) or (decimals and set(decimals) != {"0"})):
        out = MINUS + out
    return out


def number(value: float | int, decimals: int = 0) -> str:
    """A number computed in the document (e.g. a count of rows) in the same typography."""
    s = f"{abs(value):,.{decimals}f}"
    return (MINUS + s) if value < 0 and float(s.replace(",", "")) != 0 else s
