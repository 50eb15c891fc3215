"""How a figure is printed, from the written rule (not the warehouse's macro):
counts, people, organisations, days and money are whole numbers; ratios, percentages and
scores one decimal place; agreement coefficients two; a plan's target or baseline like the
indicator it is set for (a count target is whole: "counts never print with decimals"). Halves round away
from zero on the decimal value a reader would write down (0.25 -> 0.3, 2.5 -> 3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

WHOLE = {"count", "people", "organisations", "days", "gbp"}
ONE_DP = {"ratio", "percent", "rate", "score"}
TWO_DP = {"coefficient"}
RATE_UNITS = {"ratio", "percent", "rate", "score"}


def decimals(unit: str) -> int:
    if unit in WHOLE:
        return 0
    if unit in ONE_DP:
        return 1
    if unit in TWO_DP:
        return 2
    raise ValueError(f"no printing rule for unit {unit!r}")


def _decimal(value) -> Decimal:
    if isinstance(value, Fraction):  # exact: no binary representation error at a half
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(repr(float(value)))


def rounded(value, unit: str) -> Decimal:
    places = decimals(unit)
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def printed(value, unit: str) -> str:
    """The text a figure is published as (value_shown, before disclosure control)."""
    if value is None:
        return "z" if unit in RATE_UNITS else "x"
    text = str(rounded(value, unit))
    return "0" + text[2:] if text.startswith("-0") and set(text[2:]) <= {".", "0"} else text


def ratio(numerator, denominator) -> Fraction | None:
    """numerator / denominator exactly, or None when there is no denominator."""
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)
