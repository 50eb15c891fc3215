"""A survey wave's instrument (``instrument.yaml``): its questions, options, matrix items and themes.

The instrument is what an export's header rows are matched against (`contracts/survey.md`):
question texts and option labels are compared by `label_key`, so curly quotes, dashes,
spacing and case in a SurveyMonkey export do not make a question unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from contracts import survey as C
from succession.ingest.cells import header_key, normalise_text
from succession.ingest.guards import safe_load_yaml
from succession.reference import las_in_region, local_authorities


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalise_text(label).casefold()).strip("_") or "blank"


def label_key(value: object) -> str:
    """How labels and question texts are matched: curly quotes, dashes, spaces and case folded."""
    return header_key(value)


@dataclass
class Question:
    id: str
    text: str
    type: str
    order: int
    likert: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)  # (code, label) in order
    items: list[tuple[str, str]] = field(default_factory=list)  # matrix rows
    other: bool = False
    themes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (theme path, keywords)

    def option_by_label(self) -> dict[str, str]:
        out = {label_key(label): code for code, label in self.options}
        out.update({label_key(code): code for code, _ in self.options})
        return out


@dataclass
class Instrument:
    wave: str
    title: str | None
    region_code: str | None
    fieldwork_start: object
    fieldwork_end: object
    questions: list[Question]

    def by_text(self) -> dict[str, Question]:
        return {label_key(q.text): q for q in self.questions}


def _pairs(entries, what: str, qid: str) -> list[tuple[str, str]]:
    out = []
    for e in entries or []:
        if isinstance(e, dict):
            label = str(e.get("label", e.get("code")))
            out.append((str(e.get("code", _slug(label))), label))
        else:
            out.append((_slug(str(e)), str(e)))
    codes = [c for c, _ in out]
    if len(set(codes)) != len(codes):
        raise ValueError(f"question {qid}: {what} codes repeat: {codes}")
    return out


def load_instrument(path: Path) -> Instrument:
    """Parse ``instrument.yaml``; a malformed instrument raises ValueError with the reason.

    Read once per export of the wave: parsed once per distinct content (treat as read-only)."""
    return _parse_instrument(Path(path).read_text(encoding="utf-8-sig"))


@lru_cache(maxsize=32)
def _parse_instrument(text: str) -> Instrument:
    doc = safe_load_yaml(text, C.INSTRUMENT_FILE)
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        raise ValueError("instrument.yaml must be a mapping with a 'questions' list")
    fieldwork = doc.get("fieldwork") or {}
    questions = []
    seen: set[str] = set()
    for i, q in enumerate(doc["questions"], start=1):
        if not isinstance(q, dict) or "id" not in q or "text" not in q:
            raise ValueError(f"question {i} needs an id and its text")
        qid, qtype = str(q["id"]), str(q.get("type", "single"))
        if qid in seen:
            raise ValueError(f"question id {qid} appears twice")
        seen.add(qid)
        if qtype not in C.QUESTION_TYPES:
            raise ValueError(f"question {qid}: type {qtype!r} is not one of {', '.join(C.QUESTION_TYPES)}")
        options = _pairs(q.get("options"), "option", qid)
        if qtype in C.OPTION_TYPES and not options:
            raise ValueError(f"question {qid}: a {qtype} question needs its options")
        themes = [
            (str(t["theme"]), tuple(str(k).casefold() for k in t.get("keywords", []))) for t in q.get("themes") or []
        ]
        questions.append(
            Question(
                qid,
                normalise_text(q["text"]),
                qtype,
                i,
                bool(q.get("likert", False)),
                options,
                _pairs(q.get("items"), "item", qid),
                bool(q.get("other", False)),
                themes,
            )
        )
    return Instrument(
        str(doc.get("wave", "")),
        doc.get("title"),
        doc.get("region_code"),
        fieldwork.get("start"),
        fieldwork.get("end"),
        questions,
    )


def la_options(region_code: str | None) -> list[tuple[str, str]]:
    """The options of an ``la`` question: (DfE code, name) of the region's LAs, or of every LA."""
    las = las_in_region(region_code) if region_code else sorted(local_authorities().values(), key=lambda la: la.la_name)
    return [(la.old_la_code, la.la_name) for la in las]
