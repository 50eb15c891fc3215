"""The figure-id grammar in Python: the same grammar as the ``figure_id`` macro in
``dbt_project/macros/figure_ids.sql``, which builds every id in ``audit.fct_figures``.

An id is its parts joined by ``.``, e.g. ``grant.spent_to_date.2024-25_Q2.E12000008.line_coaching_mentoring``
(table . indicator . period key . place [. breakdown ...]). A part is never empty and holds no ``.``
and no white space; a quarter is written as its key (``2024-25_Q2``, :func:`succession.periods.period_key`),
never as its label. Optional trailing parts (a breakdown) are left out when they are ``None``, as the macro
leaves out a null optional part. ``tests/test_figure_ids.py`` runs the macro and this module on the same
cases and parses every id of the sample warehouse back to itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from succession.periods import FinancialQuarter, period_key

SEPARATOR = "."
_PART = re.compile(r"[^.\s]+")

Part = str | int | FinancialQuarter


def _part(value: Part) -> str:
    text = value.key if isinstance(value, FinancialQuarter) else str(value)
    if not _PART.fullmatch(text):
        raise ValueError(f"not a figure-id part (empty, or holds '.' or white space): {text!r}")
    return text


def figure_id(*parts: Part, optional: Iterable[Part | None] = ()) -> str:
    """The id of the figure named by ``parts`` and any ``optional`` trailing parts that are not ``None``.

    ``figure_id("grant", "spent_to_date", FinancialQuarter(2024, 2), "E12000008", optional=["line_events"])``
    is ``grant.spent_to_date.2024-25_Q2.E12000008.line_events``.
    """
    return SEPARATOR.join([_part(p) for p in parts] + [_part(p) for p in optional if p is not None])


def parse_figure_id(text: str) -> tuple[str, ...]:
    """The parts of an id: ``figure_id(*parse_figure_id(x)) == x`` for every valid id ``x``."""
    parts = tuple(str(text).split(SEPARATOR))
    for p in parts:
        _part(p)
    return parts


def stem_id(stem: str, *parts: Part, optional: Iterable[Part | None] = ()) -> str:
    """``figure_id`` after a dotted stem such as ``"evaluation.level2.skill_gain"`` (the family and
    indicator parts the reporting code names together)."""
    return figure_id(*stem.split(SEPARATOR), *parts, optional=optional)


def id_part(value: str) -> str:
    """A value as it appears inside an id (a status such as ``on time``): spaces become ``_``
    (the ``id_part`` macro)."""
    return str(value).replace(" ", "_")


def _present(*parts: Part | None) -> list[Part]:
    return [p for p in parts if p is not None and p != ""]


# -- the families, one function per family macro in dbt_project/macros/figure_ids.sql ----------------
def table_one_id(indicator: str, quarter: Part, place: str, tier: Part) -> str:
    """``table_one.<indicator>.<quarter key>.<LA, region or England>.tier_<tier>``"""
    return figure_id("table_one", indicator, period_key(quarter), place, f"tier_{tier}")


def returns_id(status: str, quarter: Part, place: str) -> str:
    """``returns.<status>.<quarter key>.<place>``; ``reconciliation.disagreements.<quarter key>.<region>``"""
    table = "reconciliation" if status == "disagreements" else "returns"
    return figure_id(table, id_part(status), period_key(quarter), place)


def regional_id(stem: str, quarter: Part, region: str, *breakdown: Part | None) -> str:
    """``<stem>.<quarter key>.<region>[.<breakdown>...]``: the programme, evaluation, grant, framework and
    England-total families, e.g. ``regional_id("grant.spent_to_date", q, "E12000008", "line_events")``."""
    return figure_id(*stem.split(SEPARATOR), period_key(quarter), region, optional=breakdown)


def survey_id(
    indicator: str, wave: str, question_id: str, item_code: str | None = None, option_key: str | None = None
) -> str:
    """``survey.<n|percent|base>.<wave>.<question>[.<matrix item>][.<option>]``"""
    return figure_id("survey", indicator, wave, question_id, *_present(item_code, option_key))


def survey_respondents_id(wave: str) -> str:
    return figure_id("survey", "respondents", wave)


def themes_id(
    indicator: str, source: str, wave: str, group_type: str, group_value: str, theme_key: str | None = None
) -> str:
    """``themes.<percent|n|base>.<source>.<wave>.<group type>.<group value>[.<theme>]``"""
    return figure_id("themes", indicator, source, wave, group_type, group_value, *_present(theme_key))


def agreement_id(indicator: str, wave: str, theme_key: str | None = None) -> str:
    """``agreement.<kappa|alpha>.<wave>.<theme>``, ``agreement.units.<wave>``"""
    return figure_id("agreement", indicator, wave, *_present(theme_key))


def survey_response_id(measure: str, wave: str) -> str:
    return figure_id("survey", "response", measure, wave)


def survey_headline_id(kind: str, wave: str, measure: str, group: str | None = None) -> str:
    """``survey.headline.<percent|base>.<wave>.<measure>[.<group type>_<group value>]``"""
    return figure_id("survey", "headline", kind, wave, measure, *_present(group))


def survey_national_id(kind: str, financial_year: str, measure: str) -> str:
    return figure_id("survey", "national", kind, financial_year, measure)


def survey_change_id(kind: str, wave: str, measure: str) -> str:
    return figure_id("survey", "change", kind, wave, measure)


def survey_by_id(kind: str, wave: str, question_id: str, group: str, option_key: str | None = None) -> str:
    """``survey.by.<percent|base>.<wave>.<question>.<group type>_<group value>[.<option>]``"""
    return figure_id("survey", "by", kind, wave, question_id, group, *_present(option_key))


def survey_theme_id(kind: str, wave: str, question_id: str, theme_key: str | None = None) -> str:
    return figure_id("survey", "theme", kind, wave, question_id, *_present(theme_key))
