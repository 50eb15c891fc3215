"""`succession trace FIGURE_ID`: from a published number back to the raw cells, as an
auditor who is not a programmer reads it.

A trace says what the figure is (the indicator's definition from the dictionary), where
and when (the place named: LA, region, England; the period), the arithmetic in words
with the actual numbers (a rate's numerator and denominator each with its cells), its
disclosure status and why, every contributing value (file, SHA-256, sheet, cell, the
value found there, the Dagster run that loaded it) and the dbt models that computed it
in dependency order. Where a role's values are another figure's, as the warehouse stores
them (a survey percent's denominator is its base figure's rows), the trace names that
figure instead of listing its values again: its own trace lists them, once. The cells
come from the warehouse (``audit.fct_figure_direct_cells``, a figure's own rows located as
``audit.fct_figure_cells`` locates every value: the dbt ``*__sources`` models name the column
that held each number), so this module only reads and words them.

A suppressed figure's value, arithmetic and cells are withheld unless the caller asks
for the unsuppressed view (``--unsuppressed``), and so is each role of a shown figure
(its numerator, its denominator, the rows it counts) that holds a value a suppressed
figure is made of (an LA's rows under a region total; the answers to a suppressed option
under its question's base): listed, or left out one by one, they could be counted. How
many values are withheld is never said: of a suppressed count it is the count.

Kept light to import: no pandas, one read-only DuckDB connection per call, for one figure
(the command) or every registered figure (the pages), whose cells are joined to the raw
rows once and then read a batch of figures at a time.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from succession.parallel import runs_within
from succession.paths import DBT_PROJECT_DIR, REGISTER_FILE, ProjectPaths

WITHHELD_ROLE = "they include values a suppressed figure is made of, which listing them would let a reader count"
SUMMARY_ROWS = 12  # contributing values listed in the text (all of them in --json and on the page)
ENGLAND = ("E92000001", "England")
DISCLOSURE_VARS = ("suppress_counts_up_to", "suppress_rates_base_below")

# what a counted column counts, in words (else the rows are counted)
COUNTED_BY_VALUE = {
    "post_ref": "posts",
    "campaign_ref": "campaigns",
    "la_code": "local authorities' returns",
    "interview_id": "interviews",
}
# what a Table one count's rows did in the period, for the sentence "5 distinct posts were vacant ..."
COUNTED_WHAT = {
    "vacancies": "were vacant at some point",
    "posts_advertised": "had their advert opened",
    "filled_permanent": "were filled permanently (date filled)",
    "advertised_not_filled": "closed without a permanent appointment",
    "readvertised": "were readvertised (advert opened)",
}
# a numerator that adds up the cells' values (an average), and what each cell belongs to
SUMMED_COLUMNS = {"applicants": "campaigns", "shortlisted": "campaigns", "rating": "feedback responses"}
ROLE_WORDS = {
    "numerator": "numerator",
    "denominator": "denominator",
    "counted": "counted",
    "summed": "added up",
    "compared": "compared between coders",
    "contributes": "read",
}


class UnknownFigureError(LookupError):
    pass


@dataclass
class Trace:
    figure: dict  # audit.fct_figures, the unsuppressed value removed unless entitled
    indicator: dict  # label, definition, unit, aggregation (or where the definition lives)
    place: dict  # level, la / region / country names and codes, in words
    period: str
    disclosure: dict  # status, reason, whether this trace shows unsuppressed values
    arithmetic: list[str]  # sentences with the actual numbers
    contributions: list[dict]  # every contributing value: file, sha256, sheet, row, column, cell, value, role
    withheld: dict  # contributions not listed, and why
    files: list[dict]
    models: list[dict]  # dbt models in dependency order, each with one line of its description
    sources: list[str]
    published_in: list[dict]
    # roles whose values are another figure's: role, figure_id, shown_as, suppressed, values (how many:
    # the unsuppressed view only)
    references: list[dict] = field(default_factory=list)
    superseded: list[dict] = field(default_factory=list)
    docs_url: str | None = None  # dbt docs for model-level lineage, where published

    @property
    def rows(self) -> list[dict]:
        return self.contributions

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str, sort_keys=True)

    def to_text(self) -> str:
        f = self.figure
        out = [
            f"figure {f['figure_id']}",
            f"  what: {self.indicator['label']}",
            f"  definition: {self.indicator['definition']}",
            f"  where: {self.place['description']}",
            f"  when: {self.period}",
            f"  shown as {f['value_shown']!r} ({f['unit']})",
            f"  disclosure: {self.disclosure['statement']}",
        ]
        if self.disclosure["unsuppressed_view"]:
            out.append("  UNSUPPRESSED VIEW (--unsuppressed): values withheld from published outputs are shown")
        out += [
            f"  published in {p['report']} {p['region']} {p['period']}, section {p['section']!r}"
            for p in self.published_in
        ]
        if not self.published_in:
            out.append("  not shown in any rendered report (it is in the warehouse's figure table)")
        out.append("arithmetic:")
        out += [f"  {line}" for line in self.arithmetic]
        out.append(f"contributing values ({len(self.contributions)}):")
        for c in self.contributions[:SUMMARY_ROWS]:
            out.append(f"  {c['role']:<11} {c['file_path']}: {c['location']} = {_quoted(c['value'])}")
        if len(self.contributions) > SUMMARY_ROWS:
            out.append(
                f"  ... {len(self.contributions) - SUMMARY_ROWS} more (use --json, or the trace page, for every value)"
            )
        if self.withheld["any"]:
            out.append(f"  more withheld: {self.withheld['reason']}")
        out += [f"  {r['role']:<11} {reference_words(r)}" for r in self.references]
        out.append(f"raw files ({len(self.files)}):")
        for fl in self.files:
            out.append(
                f"  {fl['file_path']}  sha256 {fl['file_sha256']}  ({fl['rows']} values)  "
                f"loaded by run {fl['run_id']} at {fl['loaded_at']}"
            )
        for s in self.superseded:
            out.append(
                f"superseded submission: {s['file_path']} (sha256 {s['file_sha256']}, loaded by run {s['run_id']}) "
                f"superseded by {s['superseded_by']}"
            )
        out.append("computed by (dbt models, each after the models it reads):")
        out += [f"  {m['name']}: {m['description']}" for m in self.models]
        out.append("raw tables: " + ", ".join(self.sources))
        if self.docs_url:
            out.append(f"model lineage (dbt docs): {self.docs_url}")
        return "\n".join(out)


def reference_words(r: dict) -> str:
    """A role whose values are another figure's, in words (the page links the figure)."""
    if r["suppressed"]:
        return f"figure {r['figure_id']}, which is suppressed: its contributing values are withheld"
    if r["values"] is None:  # the published view: its own trace lists them, or withholds them whole
        return (
            f"figure {r['figure_id']}, shown as {r['shown_as']}: its contributing values are on its own trace "
            f"(succession trace {r['figure_id']})"
        )
    return (
        f"figure {r['figure_id']}, shown as {r['shown_as']}: its {r['values']} contributing values "
        f"are listed by its own trace (succession trace {r['figure_id']})"
    )


def _quoted(value) -> str:
    return "(not held: free text or a pseudonymised identifier)" if value is None else repr(value)


# --- the dbt manifest: models in dependency order --------------------------------


def _manifest(paths: ProjectPaths) -> dict:
    for candidate in (paths.dbt_target_dir / "manifest.json", DBT_PROJECT_DIR / "target" / "manifest.json"):
        if candidate.exists():
            return json.loads(candidate.read_text())
    raise FileNotFoundError("no dbt manifest: run `succession run` first")


def first_line(node: dict) -> str:
    """One line describing a dbt node: its description's first sentence, else that of the
    comment its SQL opens with (most intermediate models are documented there)."""
    text = node.get("description") or ""
    if not text.strip():
        lines = []
        for line in (node.get("raw_code") or "").splitlines():
            line = line.strip()
            if line.startswith("{{") and not lines:
                continue  # a config() line before the comment
            if not line.startswith("--"):
                break
            lines.append(line.removeprefix("--").strip())
        text = " ".join(lines)
    text = " ".join(text.split())
    match = re.match(r"(.+?)(?<!\.)[.;](?!\.)(\s+\S|$)", text)  # the first full stop, not an ellipsis
    if match:
        return match.group(1) + "."
    if text:
        return text
    reads = sorted(p.split(".", 2)[-1] for p in node.get("depends_on", {}).get("nodes", []))
    return "(no description) reads " + ", ".join(reads) if reads else "(no description)"


class Lineage:
    """The dbt graph from the manifest, read once for any number of figures."""

    def __init__(self, manifest: dict):
        self.nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
        self.sources = manifest.get("sources", {})
        self.by_name = {n["name"]: uid for uid, n in self.nodes.items()}
        self._cache: dict[str, tuple[list[dict], list[str]]] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        for uid, n in self.nodes.items():
            for parent in n.get("depends_on", {}).get("nodes", []):
                self.children[parent].append(uid)

    def parents(self, uid: str) -> list[str]:
        return sorted(self.nodes[uid].get("depends_on", {}).get("nodes", []))

    def models_for(self, model: str) -> tuple[list[dict], list[str]]:
        """``_models_for``, once per model (hundreds of figures share a handful of marts)."""
        if model not in self._cache:
            self._cache[model] = self._models_for(model)
        return self._cache[model]

    def _models_for(self, model: str) -> tuple[list[dict], list[str]]:
        """The models ``model`` is computed from plus the figure models that register it, in a
        topological order (every model after the models it reads; ties by name), and the raw
        (lake) tables at the bottom."""
        root = self.by_name[model]
        upstream, sources, stack = set(), set(), [root]
        while stack:
            uid = stack.pop()
            if uid in upstream:
                continue
            upstream.add(uid)
            for p in self.parents(uid):
                if p.startswith("source."):
                    s = self.sources[p]
                    sources.add(f"{s['source_name']}.{s['name']}")
                elif p in self.nodes:
                    stack.append(p)
        # downstream: the fig_* model that turns the mart into figures, then fct_figures
        register = [
            c
            for c in self.children.get(root, [])
            if self.nodes[c]["name"].startswith("fig_") and not self.nodes[c]["name"].endswith("__sources")
        ]
        register += [c for r in register for c in self.children.get(r, []) if self.nodes[c]["name"] == "fct_figures"]
        chosen = upstream | set(register)
        order = _topological(
            chosen, lambda uid: [p for p in self.parents(uid) if p in chosen], lambda uid: self.nodes[uid]["name"]
        )
        return [
            {
                "name": self.nodes[u]["name"],
                "kind": self.nodes[u]["resource_type"],
                "schema": self.nodes[u].get("schema"),
                "unique_id": u,
                "description": first_line(self.nodes[u]),
            }
            for u in order
        ], sorted(sources)


def _topological(nodes: set[str], parents, name) -> list[str]:
    """Kahn's algorithm; among the nodes ready at once, alphabetical (a stable order)."""
    waiting = {n: set(parents(n)) for n in nodes}
    order = []
    ready = sorted((n for n, ps in waiting.items() if not ps), key=name)
    while ready:
        n = ready.pop(0)
        order.append(n)
        for m, ps in waiting.items():
            if n in ps:
                ps.discard(n)
                if not ps and m not in order and m not in ready:
                    ready.append(m)
        ready.sort(key=name)
        waiting = {m: ps for m, ps in waiting.items() if m not in order}
    return order


# --- reading the warehouse --------------------------------------------------------


def _sql_text(value: str) -> str:
    """A string as an SQL literal. Literals, not bound parameters: binding a Python value
    makes the duckdb module import pandas, a second and a half of a one-second command."""
    return "'" + str(value).replace("'", "''") + "'"


def _sql_list(values: list[str]) -> str:
    return "(" + ", ".join(_sql_text(v) for v in values) + ")" if values else "(null)"


def _records(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@dataclass
class _Fetched:
    figures: dict[str, dict]
    cells: dict[str, list[dict]]
    # listed row -> the groups (table_id, indicator, period, breakdown) of the suppressed figures it makes up
    suppressed_rows: dict[str, set[tuple]]
    # figure id -> the roles its values are another figure's: role, via_figure_id, shown_as, suppressed, values
    references: dict[str, list[dict]]
    files: dict[str, dict]
    superseded: list[dict]
    indicators: dict[str, dict]
    disclosure_vars: dict[str, str]


def _connect(paths: ProjectPaths):
    """The warehouse, read-only, within the settings' DuckDB memory (dbt's): at 153 LAs x 40
    quarters the figures' cells are joined to 2.4 M raw rows, and unlimited DuckDB would take up
    to 80 % of RAM."""
    import duckdb  # here, not at import: `succession trace` starts fast

    from succession.settings import Settings

    con = duckdb.connect(str(paths.warehouse), read_only=True)
    con.execute("set enable_progress_bar = false")
    con.execute(f"set memory_limit = {_sql_text(Settings().duckdb_memory)}")
    # lets that join spill within the limit (over fct_figure_cells it ran out at 600 MB otherwise;
    # not re-measured over fct_figure_direct_cells); every query here that returns rows in an
    # order says which
    con.execute("set preserve_insertion_order = false")
    return con


def _stage(con, figure_ids: list[str]) -> None:
    """Join the figures' direct rows to their raw rows once, for all of them, into temporary
    tables that each batch then reads: the join scans every raw row (a view over every
    staging table), ~0.6 s at 153 LAs x 40 quarters however few it looks up, so joining per
    batch cost that once a batch."""
    wanted = _sql_list(figure_ids)
    con.execute(
        f"""create or replace temp table traced_cells as
            select * replace (loaded_at::varchar as loaded_at) from audit.fct_figure_direct_cells
            where figure_id in {wanted}
            """
    )
    # The rows listed (a figure's direct rows) that a suppressed figure is made of, directly,
    # with that figure's group. A suppressed percentage's denominator (a reference) is its
    # base's rows: a shown base's own, counted by the base and giving nothing of the percentage away.
    con.execute(
        """create or replace temp table traced_suppressed_rows as
            select distinct s._row_uid, f.table_id, f.indicator, f.period, f.breakdown
            from audit.fct_figure_source_rows as s
            inner join audit.fct_figures as f on f.figure_id = s.figure_id and f.suppressed
            where s.via_figure_id is null and s._row_uid in (select _row_uid from traced_cells)"""
    )


def _fetch(con, figure_ids: list[str]) -> _Fetched:
    """What the traces of ``figure_ids`` say, read from the warehouse and the tables `_stage` made."""
    wanted = _sql_list(figure_ids)
    figures = {
        r["figure_id"]: r for r in _records(con.execute(f"select * from audit.fct_figures where figure_id in {wanted}"))
    }
    unknown = [f for f in figure_ids if f not in figures]
    if unknown:
        head = unknown[0].rsplit(".", 1)[0]
        near = [
            r[0]
            for r in con.execute(
                f"select figure_id from audit.fct_figures where starts_with(figure_id, {_sql_text(head)}) order by 1 limit 5"
            ).fetchall()
        ]
        hint = f"; similar ids: {', '.join(near)}" if near else ""
        raise UnknownFigureError(
            f"unknown figure id {unknown[0]!r}: not in the warehouse's figure table (audit.fct_figures){hint}"
        )
    cells = defaultdict(list)
    for r in _records(
        con.execute(
            f"""select * from traced_cells where figure_id in {wanted}
                order by figure_id, role, file_path, row, column_letter, cell"""
        )
    ):
        cells[r["figure_id"]].append(r)
    references = defaultdict(list)
    for r in _records(
        con.execute(
            f"""with refs as (
                    select figure_id, role, via_figure_id from audit.fct_figure_source_rows
                    where figure_id in {wanted} and via_figure_id is not null
                ),
                counted as (
                    select figure_id as via_figure_id, count(*) as n_values from audit.fct_figure_source_rows
                    where via_figure_id is null and figure_id in (select via_figure_id from refs)
                    group by figure_id
                )
                select refs.figure_id, refs.role, refs.via_figure_id, b.value_shown as shown_as, b.suppressed,
                    coalesce(counted.n_values, 0) as n_values
                from refs
                inner join audit.fct_figures as b on b.figure_id = refs.via_figure_id
                left join counted using (via_figure_id)
                order by refs.figure_id, refs.role, refs.via_figure_id"""
        )
    ):
        references[r.pop("figure_id")].append(r)
    suppressed = defaultdict(set)
    for uid, *group in con.execute(
        f"""select * from traced_suppressed_rows
            where _row_uid in (select _row_uid from traced_cells where figure_id in {wanted})"""
    ).fetchall():
        suppressed[uid].add(tuple(group))
    shas = _sql_list(sorted({c["file_sha256"] for rows in cells.values() for c in rows}))
    files = {
        r["file_sha256"] + r["file_path"]: r
        for r in _records(
            con.execute(
                f"""select file_path, file_sha256, status, run_id, loaded_at::varchar as loaded_at, superseded_by
            from audit.fct_files where file_sha256 in {shas} order by file_path"""
            )
        )
    }
    superseded = _records(
        con.execute(
            f"""select file_path, file_sha256, run_id, superseded_by from audit.fct_files
            where superseded_by in {_sql_list(sorted({f["file_path"] for f in files.values()}))} order by file_path"""
        )
    )
    indicators = {
        r["indicator"]: r
        for r in _records(
            con.execute("select indicator, label, unit, aggregation, definition from publish.pub_indicator_dictionary")
        )
    }
    return _Fetched(figures, cells, suppressed, references, files, superseded, indicators, _disclosure_vars())


def _disclosure_vars() -> dict[str, str]:
    """The disclosure thresholds from dbt_project.yml's vars (the only place they are set)."""
    text = (DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    found = {}
    for name in DISCLOSURE_VARS:
        m = re.search(rf"^\s*{name}:\s*([0-9.]+)", text, re.M)
        if m:
            found[name] = m.group(1)
    return found


def register_entries(paths: ProjectPaths) -> dict[str, list[dict]]:
    """Figure id -> where the rendered documents show it (report, region, period, section)."""
    register = paths.figures_dir / REGISTER_FILE
    entries: dict[str, list[dict]] = defaultdict(list)
    if register.exists():
        with open(register, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                entries[r["figure_id"]].append({k: r[k] for k in ("report", "region", "period", "section")})
    return entries


# --- wording one figure -----------------------------------------------------------


def _place(f: dict) -> dict:
    level = f.get("geographic_level") or "National"
    region = f"{f['region_name']} ({f['region_code']})" if f.get("region_code") else None
    if level == "Local authority":
        text = f"{f['la_name']} (LA {f['new_la_code']}, DfE code {f['old_la_code']}), in {region}, England"
    elif level == "Regional":
        text = f"{region}, England" if region else "a region of England"
    else:
        text = f"England ({ENGLAND[0]})"
    return {
        "level": level,
        "la_name": f.get("la_name"),
        "new_la_code": f.get("new_la_code"),
        "old_la_code": f.get("old_la_code"),
        "region_name": f.get("region_name"),
        "region_code": f.get("region_code"),
        "country": ENGLAND[1],
        "country_code": f.get("country_code") or ENGLAND[0],
        "description": text,
    }


def _indicator(f: dict, dictionary: dict[str, dict], models: list[dict]) -> dict:
    entry = dictionary.get(f["indicator"]) if f["table_id"] == "table_one" else None
    if entry:
        return {**entry, "from": "indicator dictionary (dbt seed ref_indicators.csv, publish.pub_indicator_dictionary)"}
    computing = next((m for m in models if m["name"] == f["source_model"]), None)
    return {
        "indicator": f["indicator"],
        "label": f"{f['table_id']}: {f['indicator']}".replace("_", " "),
        "unit": f["unit"],
        "aggregation": None,
        "definition": (computing["description"] if computing else "(no description)")
        + f" (not in the indicator dictionary: the description of {f['source_model']}, the model that computes it)",
        "from": f"dbt model {f['source_model']}",
    }


def _number(v) -> str:
    if v is None:
        return "none"
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"


def _disclosure(f: dict, thresholds: dict[str, str], unsuppressed: bool) -> dict:
    counts, base = thresholds.get("suppress_counts_up_to", "?"), thresholds.get("suppress_rates_base_below", "?")
    if not f["suppressed"]:
        why = (
            f"not a count of 1 to {counts} at LA level, nor a rate on a base under {base}, "
            "and not needed to protect another suppressed cell"
        )
        status = "shown"
    elif f["suppression"] == "secondary":
        status = "suppressed (secondary)"
        why = (
            "suppressed to protect another suppressed figure of the same group: with this one shown, the group total "
            "minus the shown figures would reveal it"
        )
    else:
        status = "suppressed (primary)"
        why = (
            f"suppressed because it is a rate on a base under {base}"
            if f["unit"] in ("percent", "ratio", "rate", "score")
            else f"suppressed because it is a count of 1 to {counts}, small enough to identify people"
        )
    if f["suppressed"] and unsuppressed:
        why += f"; UNSUPPRESSED VIEW: its value is {_number(f['value'])}"
    elif f["suppressed"]:
        why += "; its value, arithmetic and contributing values are withheld (auditors: --unsuppressed)"
    return {
        "status": status,
        "suppressed": bool(f["suppressed"]),
        "suppression": f["suppression"],
        "statement": f"{status}: {why}",
        "unsuppressed_view": unsuppressed,
        "thresholds": thresholds,
    }


def _location(c: dict) -> str:
    """Where an auditor finds the value: Sheet!cell in a workbook; row and column in a CSV."""
    column = c.get("column_letter")
    if c["sheet"] is None:
        if column and c.get("row"):
            return f"row {c['row']}, column {column}" + (f" ({c['source_column']})" if c.get("source_column") else "")
        return f"entry {c['cell']}" if c.get("cell") else f"row {c['row']}"
    return f"{c['sheet']}!{c['cell']}" + (f" ({c['source_column']})" if c.get("source_column") and column else "")


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _group_rows(cells: list[dict]) -> str:
    """'852-DCS-01 (852_2024-25_Q4.xlsx rows 2, 3), ...' grouped by value, files named once each."""
    by_value: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for c in cells:
        by_value[c["value"]][_short(c["file_path"])].append(c["row"] if c["row"] is not None else c["cell"])
    parts = []
    for value, files in by_value.items():
        where = "; ".join(
            f"{name} {'row' if isinstance(rows[0], int) else 'cells'}{'s' if len(set(rows)) > 1 else ''} "
            f"{', '.join(str(r) for r in sorted(set(rows), key=str))}"
            for name, rows in files.items()
        )
        parts.append(f"{value} ({where})")
    return ", ".join(parts)


def _count_sentence(cells: list[dict], what: str, period: str) -> tuple[int, str]:
    column = cells[0]["source_column"]
    if column in COUNTED_BY_VALUE and all(c["value"] is not None for c in cells):
        n = len({c["value"] for c in cells})
        noun = COUNTED_BY_VALUE[column]
        if n == 1:
            noun, what = (
                noun.removesuffix("s").replace("returns'", "return").replace("authorities'", "authority's"),
                re.sub(r"^were\b", "was", what),
            )
        return n, f"{n} distinct {noun} {what} in {period}: {_group_rows(cells)}"
    keyed = {(c["file_path"], c["row"]) for c in cells}
    listed = ", ".join(
        f"{_location(c)} of {_short(c['file_path'])}" + ("" if c["value"] is None else f" = {c['value']!r}")
        for c in cells[:SUMMARY_ROWS]
    )
    more = f" and {len(cells) - SUMMARY_ROWS} more" if len(cells) > SUMMARY_ROWS else ""
    return len(keyed), f"{len(keyed)} rows ({len(cells)} cells) {what} in {period}: {listed}{more}"


def _counted_part(cells: list[dict], expected, period: str) -> str:
    """A numerator's or denominator's cells, and what the figure counts among them when that
    is not one per row (people among codings, respondents among answer cells)."""
    n, sentence = _count_sentence(cells, "", period)
    sentence = sentence.replace("  in ", " in ")
    if expected is not None and n != expected:
        sentence = f"{_number(expected)}, counted among these as the definition says: " + sentence
    return sentence


def _sum_sentence(cells: list[dict]) -> tuple[float | None, str]:
    try:
        values = [float(c["value"]) for c in cells]
    except (TypeError, ValueError):
        return None, f"{len(cells)} values read"
    terms = " + ".join(
        f"{_number(v)} ({_short(c['file_path'])} {_location(c)})" for v, c in zip(values, cells[:SUMMARY_ROWS])
    )
    if len(cells) > SUMMARY_ROWS:
        terms += f" + {len(cells) - SUMMARY_ROWS} more"
    return sum(values), f"{terms} = {_number(sum(values))}"


def _arithmetic(
    f: dict,
    label: str,
    cells: list[dict],
    period: str,
    withheld: frozenset = frozenset(),
    references: list[dict] = (),
    partial: bool = False,
) -> list[str]:
    """The arithmetic in words over the listed cells; ``withheld``: the roles whose cells are not
    listed (`_word`), said to be withheld rather than absent; ``partial``: some cells are not."""
    by_role = defaultdict(list)
    for c in cells:
        by_role[c["role"]].append(c)
    referenced = {r["role"]: r for r in references}
    lines = []
    if {"numerator", "denominator"} & (by_role.keys() | referenced.keys() | withheld):
        num, den = by_role.get("numerator", []), by_role.get("denominator", [])
        total = _sum_sentence(num)[0] if num and num[0]["source_column"] in SUMMED_COLUMNS else None
        numerator = f["numerator"] if f["numerator"] is not None else total  # a mean's figure may carry only its base
        if total is not None and total == numerator:
            lines.append(
                f"numerator: {num[0]['source_column']} added up over {len(num)} "
                f"{SUMMED_COLUMNS[num[0]['source_column']]} = {_sum_sentence(num)[1]}"
            )
        elif num:
            lines.append("numerator: " + _counted_part(num, f["numerator"], period))
        elif "numerator" in referenced:
            lines.append(f"numerator: {_number(f['numerator'])}, {reference_words(referenced['numerator'])}")
        elif "numerator" in withheld:
            lines.append(f"numerator: {_number(numerator)}, its contributing values withheld ({WITHHELD_ROLE})")
        else:
            lines.append("numerator: no contributing values (0)")
        if den:
            lines.append("denominator: " + _counted_part(den, f["denominator"], period))
        elif "denominator" in withheld:
            lines.append(
                f"denominator: {_number(f['denominator'])}, its contributing values withheld ({WITHHELD_ROLE})"
            )
        elif "denominator" in referenced:
            lines.append(f"denominator: {_number(f['denominator'])}, {reference_words(referenced['denominator'])}")
        else:
            lines.append("denominator: no contributing values")
        times = " × 100" if f["unit"] == "percent" else ""
        lines.append(
            f"{label} = {_number(numerator)} ÷ {_number(f['denominator'])}{times}"
            f" = {_number(f['value'])}, shown as {f['value_shown']}"
        )
        return lines
    if "counted" in by_role:
        n, sentence = _count_sentence(
            by_role["counted"],
            COUNTED_WHAT.get(f["indicator"], "counted") if f["table_id"] == "table_one" else "counted",
            period,
        )
        lines.append(sentence)
        if n != f["value"]:
            lines.append(
                f"the figure is {_number(f['value'])} {f['unit']}: {label} counts these rows as its definition says"
            )
    if "summed" in by_role:
        total, terms = _sum_sentence(by_role["summed"])
        lines.append(f"{label} = {terms}")
    for role in ("compared", "contributes"):
        if role in by_role:
            rows = by_role[role]
            tables = sorted({c["source_table"] for c in rows})
            lines.append(
                f"{_number(f['value'])} computed by {f['source_model']} from {len(rows)} values "
                f"({ROLE_WORDS[role]}) in {', '.join(tables)}; each is listed below"
            )
    lines += [
        f"{ROLE_WORDS.get(role, role)}: {reference_words(r)}"
        for role, r in referenced.items()
        if role not in ("numerator", "denominator")
    ]
    lines += [
        f"the values in the role '{role}': withheld ({WITHHELD_ROLE})"
        for role in sorted(withheld)
        if role not in ("numerator", "denominator")
    ]
    if not cells and not withheld and not references and not partial:
        lines.append(
            f"no raw value contributes: {label} is {_number(f['value'])} by definition (nothing to count in {period})"
        )
    lines.append(f"shown as {f['value_shown']} ({f['unit']})")
    return lines


def _reading_order(c: dict) -> tuple:
    """Numerator before denominator, then by file and position in it."""
    return (
        list(ROLE_WORDS).index(c["role"]) if c["role"] in ROLE_WORDS else len(ROLE_WORDS),
        c["file_path"],
        c["row"] if c["row"] is not None else -1,
        c["cell"] or "",
    )


def _contribution(c: dict) -> dict:
    """A cell as a trace lists it: the warehouse's columns without the figure id, the row's
    uid as ``row_uid`` and where an auditor finds it (once per cell of every page: kept lean)."""
    out = dict(c)
    del out["figure_id"]
    if out["loaded_at"] is not None:
        out["loaded_at"] = str(out["loaded_at"])
    out["row_uid"] = out.pop("_row_uid")
    out["location"] = _location(c)
    return out


def _reference(r: dict, unsuppressed: bool) -> dict:
    """A role whose values are another figure's, as a trace shows it. How many values that
    figure has is said only in the unsuppressed view: its own page may withhold them whole
    (`_word`), and a multiple-choice base's number of answers, less the options shown, counts
    the suppressed ones."""
    return {
        "role": r["role"],
        "figure_id": r["via_figure_id"],
        "shown_as": r["shown_as"],
        "suppressed": bool(r["suppressed"] and not unsuppressed),
        "values": r["n_values"] if unsuppressed else None,
    }


def _word(
    figure_id: str, data: _Fetched, lineage: Lineage, published: list[dict], unsuppressed: bool, docs_url: str | None
) -> Trace:
    f = data.figures[figure_id]
    models, sources = lineage.models_for(f["source_model"])
    indicator = _indicator(f, data.indicators, models)
    period = f["period"]
    disclosure = _disclosure(f, data.disclosure_vars, unsuppressed)
    cells = data.cells.get(figure_id, [])
    hide_all = f["suppressed"] and not unsuppressed
    # Rows of a shown figure that a suppressed figure is made of, listed, could be counted. Those
    # of suppressed cells of its own group (an LA's rows under its region's total) are left out
    # one by one: what the rows listed leave over is the group's suppressed sum, which the
    # published figures give anyway (complementary suppression). A role (numerator,
    # denominator, counted ...) holding a row of a suppressed figure of another group is withheld
    # whole (a multiple-choice base listed every answer's cell, and the column says which option
    # a suppressed percentage counts): left out one by one, the shown figure minus the rows
    # listed would count them.
    holders = {} if unsuppressed or hide_all else data.suppressed_rows
    group = (f["table_id"], f["indicator"], f["period"], f["breakdown"])
    withheld_rows = {c["_row_uid"] for c in cells if c["_row_uid"] in holders}
    withheld_roles = frozenset(c["role"] for c in cells if holders.get(c["_row_uid"], {group}) != {group})
    shown = sorted(
        (c for c in cells if c["role"] not in withheld_roles and c["_row_uid"] not in withheld_rows),
        key=_reading_order,
    )
    references = [] if hide_all else [_reference(r, unsuppressed) for r in data.references.get(figure_id, [])]
    # never how many values are withheld, nor from how many files: of a suppressed figure that is
    # its value (a count of people is a count of rows), and whether there are any tells 0 from not
    withheld = {
        "any": bool(hide_all or withheld_rows),
        "reason": "the figure is suppressed" if hide_all else WITHHELD_ROLE if withheld_rows else None,
    }
    if hide_all:
        shown, arithmetic = [], [f"withheld: {disclosure['statement']}"]
    elif withheld_roles:
        arithmetic = _arithmetic(f, indicator["label"], shown, period, withheld_roles, references) + [
            f"auditors: succession trace {figure_id} --unsuppressed lists them"
        ]
    elif withheld_rows:
        arithmetic = _arithmetic(f, indicator["label"], shown, period, references=references, partial=True) + [
            "some contributing values are not listed: they also make up suppressed figures of the same group "
            "(auditors: --unsuppressed)"
        ]
    else:
        arithmetic = _arithmetic(f, indicator["label"], cells, period, references=references)
    contributions = [_contribution(c) for c in shown]
    counts = defaultdict(int)
    for c in contributions:
        counts[(c["file_sha256"], c["file_path"])] += 1
    files = [
        {**data.files[sha + path], "rows": n}
        for (sha, path), n in sorted(counts.items(), key=lambda kv: kv[0][1])
        if sha + path in data.files
    ]
    used = {fl["file_path"] for fl in files}
    figure = dict(f)
    if hide_all:
        for k in ("value", "numerator", "denominator", "base"):
            figure[k] = None
    return Trace(
        figure=figure,
        indicator=indicator,
        place=_place(f),
        period=period,
        disclosure=disclosure,
        arithmetic=arithmetic,
        contributions=contributions,
        withheld=withheld,
        files=files,
        models=models,
        sources=sources,
        published_in=published,
        references=references,
        superseded=[s for s in data.superseded if s["superseded_by"] in used],
        docs_url=docs_url,
    )


def dbt_docs_url(paths: ProjectPaths) -> str | None:
    """Where dbt docs are published for this build (build/docs/index.html), if they are."""
    index = paths.build_dir / "docs" / "index.html"
    return index.as_uri() if index.exists() else None


# contributing cells fetched at once when tracing many figures: ~0.5 GB as Python dicts (the
# static pages at 153 LAs x 40 quarters listed 3.6 M cells, 7 GB at once, before a percentage's
# denominator was named by its base figure instead of listed again).
CELLS_PER_BATCH = 100_000
# contributing cells joined to the raw rows at once (`_stage`): each join scans every raw row,
# ~0.6 s at 153 LAs x 40 quarters however few cells it looks up, and hashes the cells it looks
# up, so memory stays bounded however many figures the documents register (500,000 cells: ~300
# MB of DuckDB's, on one thread or two).
CELLS_PER_STAGE = 500_000


def iter_traces(
    paths: ProjectPaths,
    figure_ids: list[str],
    *,
    unsuppressed: bool = False,
    cells_per_batch: int | None = CELLS_PER_BATCH,
    cells_per_stage: int | None = CELLS_PER_STAGE,
) -> Iterator[Trace]:
    """Trace many figures (the static pages), in order, on one connection. Their cells are
    joined to the raw rows a stage of at most ``cells_per_stage`` cells at a time (`_stage`),
    then read and worded a batch of at most ``cells_per_batch`` cells at a time (a figure with
    more is a stage or batch alone; None: no limit), so that memory stays bounded however many
    cells the figures list."""
    if not figure_ids:
        return
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {paths.warehouse}: run `succession run` first")
    lineage = Lineage(_manifest(paths))
    where = register_entries(paths)
    docs = dbt_docs_url(paths)
    with _connect(paths) as con:
        limited = len(figure_ids) > 1 and (cells_per_batch, cells_per_stage) != (None, None)
        cells = _cell_counts(con, figure_ids) if limited else {}

        def weight(fid: str) -> int:
            return cells.get(fid, 0)

        for stage in runs_within(figure_ids, weight, cells_per_stage):
            _stage(con, stage)
            for batch in runs_within(stage, weight, cells_per_batch):
                data = _fetch(con, batch)
                for fid in batch:
                    yield _word(fid, data, lineage, where.get(fid, []), unsuppressed, docs)


def _cell_counts(con, figure_ids: list[str]) -> dict[str, int]:
    """Figure id -> how many contributing cells its trace lists (its direct rows)."""
    return dict(
        con.execute(
            "select figure_id, count(*) from audit.fct_figure_source_rows "
            f"where figure_id in {_sql_list(figure_ids)} and via_figure_id is null group by figure_id"
        ).fetchall()
    )


def trace(paths: ProjectPaths, figure_id: str, *, unsuppressed: bool = False) -> Trace:
    return next(iter_traces(paths, [figure_id], unsuppressed=unsuppressed, cells_per_batch=None, cells_per_stage=None))
