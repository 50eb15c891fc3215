"""Static trace pages: `<build>/audit/trace/<figure_id>.html` for every registered figure
and an index of them, written with the documents (each number in the HTML documents links
to its page). Where a figure's role is another figure's values (a survey percent's
denominator is its base's answers), its page links that figure's page, which lists them:
so every figure a page links has a page, registered or not.

A page shows what `succession trace ID` shows, in the published (suppressed) view: plain,
printable HTML with no server and no external resources, every string from the data
escaped. The index groups the figures by document and section and filters them in the
browser with a few lines of inline script (it works from file://; without script the
full list is still there).
"""

from __future__ import annotations

import html
import json
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from succession.paths import ProjectPaths
from succession.trace import CELLS_PER_BATCH, CELLS_PER_STAGE, Trace, iter_traces, reference_words, register_entries

INDEX = "index.html"
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45;color:#111}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #999;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eee}caption{text-align:left;font-weight:600;padding:.25rem 0}dt{font-weight:600}dd{margin:0 0 .5rem 1rem}
.notice{border:2px solid #111;padding:.5rem .75rem}a{color:#0645ad}a:focus{outline:3px solid #fd0}
label{font-weight:600}input[type=search]{font-size:1rem;padding:.3rem;width:min(30rem,100%)}
@media print{a{color:#000;text-decoration:none}.noprint{display:none}th{background:none}}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page_name(figure_id: str) -> str:
    """A figure's page file (the documents link to this name, relative to the trace folder)."""
    return f"{figure_id}.html"


def _document(title: str, body: list[str], script: str = "") -> str:
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            "</main>",
            *([f"<script>{script}</script>"] if script else []),
            "</body>",
            "</html>",
            "",
        ]
    )


MONO_TD = '<td class="mono">'


def _link(href: str | None, text: str) -> str:
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


def _table(caption: str, headers: list[str], rows: list[list], mono: set[int] = frozenset()) -> list[str]:
    out = [
        "<table>",
        f"<caption>{_e(caption)}</caption>",
        "<thead><tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h in headers) + "</tr></thead>",
        "<tbody>",
    ]
    opening = [MONO_TD if i in mono else "<td>" for i in range(len(headers))]
    escape = html.escape
    for r in rows:  # every contributing cell of every page: kept to one pass of plain string work
        out.append(
            "<tr>" + "".join(o + ("" if v is None else escape(str(v))) + "</td>" for o, v in zip(opening, r)) + "</tr>"
        )
    out += ["</tbody>", "</table>"]
    return out


@dataclass(frozen=True)
class _Links:
    """Where a page links to, relative to the trace folder: the documents and dbt docs."""

    documents: dict[tuple[str, str, str], str]
    dbt_docs: str | None

    @classmethod
    def find(cls, paths: ProjectPaths) -> _Links:
        documents = {}
        for used in sorted(paths.reports_dir.rglob("figures_used.json")) if paths.reports_dir.exists() else []:
            payload = json.loads(used.read_text(encoding="utf-8"))
            pages = sorted(used.parent.glob("*.html"))
            if pages:
                key = (payload["report"], payload["region"], payload["period"])
                documents[key] = _relative(pages[0], paths.trace_dir)
        docs = paths.build_dir / "docs" / "index.html"
        return cls(documents, _relative(docs, paths.trace_dir) if docs.exists() else None)


def _relative(target: Path, start: Path) -> str:
    import os

    return Path(os.path.relpath(target, start)).as_posix()


def render_page(t: Trace, links: _Links) -> str:
    f = t.figure
    body = [
        f"<h1>Trace of figure <code>{_e(f['figure_id'])}</code></h1>",
        f"<p>Shown as <strong>{_e(f['value_shown'])}</strong> ({_e(f['unit'])}). "
        f'<a class="noprint" href="{INDEX}">All figures</a></p>',
    ]
    if t.disclosure["unsuppressed_view"]:
        body.append('<p class="notice">Unsuppressed view: values withheld from published outputs are shown.</p>')
    body += [
        "<h2>What it measures</h2>",
        "<dl>",
        f"<dt>Indicator</dt><dd>{_e(t.indicator['label'])}</dd>",
        f"<dt>Definition</dt><dd>{_e(t.indicator['definition'])}</dd>",
        f"<dt>Definition from</dt><dd>{_e(t.indicator['from'])}</dd>",
        f"<dt>Place</dt><dd>{_e(t.place['description'])}</dd>",
        f"<dt>Period</dt><dd>{_e(t.period)}</dd>",
        "</dl>",
        "<h2>Disclosure control</h2>",
        f"<p>{_e(t.disclosure['statement'])}</p>",
        "<h2>Where it is published</h2>",
    ]
    if t.published_in:
        body.append("<ul>")
        for p in t.published_in:
            href = links.documents.get((p["report"], p["region"], p["period"]))
            doc = f"{p['report'].replace('_', ' ')}, {p['region']}, {p['period']}"
            body.append(f"<li>{_link(href, doc)}, section “{_e(p['section'])}”</li>")
        body.append("</ul>")
    else:
        body.append("<p>Not shown in any rendered document.</p>")
    body += [
        "<h2>The arithmetic</h2>",
        "<ol>",
        *(f"<li>{_e(line)}</li>" for line in t.arithmetic),
        "</ol>",
        "<h2>Contributing values</h2>",
    ]
    if t.contributions:
        body += _table(
            f"{len(t.contributions)} values, each where an auditor finds it in the raw file",
            ["Role", "File", "Sheet", "Row", "Column", "Cell", "Field", "Value found there"],
            [
                [
                    c["role"],
                    c["file_path"],
                    c["sheet"] if c["sheet"] is not None else "(CSV: no sheets)",
                    c["row"],
                    c["column_letter"],
                    c["cell"],
                    c["source_column"],
                    "(not held: free text or pseudonymised)" if c["value"] is None else c["value"],
                ]
                for c in t.contributions
            ],
            mono={1, 5, 7},
        )
    if t.withheld["any"]:
        body.append(f"<p>Contributing values are withheld: {_e(t.withheld['reason'])}.</p>")
    body += [
        f"<p>The {_e(r['role'])}: {_e(reference_words(r))} "
        f'(<a href="{_e(page_name(r["figure_id"]))}">its trace page</a>).</p>'
        for r in t.references
    ]
    if t.files:
        body += ["<h2>Raw files</h2>"] + _table(
            "Each file by its SHA-256, with the Dagster run that loaded it",
            ["File", "SHA-256", "Values used", "Status", "Loaded by run", "Loaded at"],
            [
                [fl["file_path"], fl["file_sha256"], fl["rows"], fl["status"], fl["run_id"], fl["loaded_at"]]
                for fl in t.files
            ],
            mono={0, 1, 4},
        )
    if t.superseded:
        body += _table(
            "Earlier submissions a corrected return superseded",
            ["File", "SHA-256", "Loaded by run", "Superseded by"],
            [[s["file_path"], s["file_sha256"], s["run_id"], s["superseded_by"]] for s in t.superseded],
            mono={0, 1, 3},
        )
    body += [
        "<h2>How it was computed</h2>",
        "<p>The dbt models, each listed after the models it reads"
        + (f' (<a href="{_e(links.dbt_docs)}">dbt docs: model lineage</a>)' if links.dbt_docs else "")
        + ":</p>",
        "<ol>",
    ]
    for m in t.models:
        name = f"<code>{_e(m['name'])}</code>"
        if links.dbt_docs:
            name = f'<a href="{_e(links.dbt_docs)}#!/{_e(m["kind"])}/{_e(m["unique_id"])}">{name}</a>'
        body.append(f"<li>{name} ({_e(m['kind'])}): {_e(m['description'])}</li>")
    body += [
        "</ol>",
        f"<p>Raw tables read: {_e(', '.join(t.sources))}.</p>",
        f"<p>Command line: <code>succession trace {_e(f['figure_id'])}</code> (add <code>--json</code> for this page as data).</p>",
    ]
    return _document(f"Trace: {f['figure_id']}", body)


FILTER_SCRIPT = """
(function(){var box=document.getElementById('q');var count=document.getElementById('count');
function run(){var words=box.value.toLowerCase().split(/\\s+/).filter(Boolean);var shown=0;
document.querySelectorAll('tbody tr').forEach(function(tr){var text=tr.textContent.toLowerCase();
var ok=words.every(function(w){return text.indexOf(w)>=0});tr.hidden=!ok;if(ok)shown++;});
document.querySelectorAll('section.section').forEach(function(s){s.hidden=!s.querySelector('tbody tr:not([hidden])');});
count.textContent=shown+' figures shown';}
box.addEventListener('input',run);document.getElementById('filter').hidden=false;run();})();
"""


INDEX_HEADER = (
    '<thead><tr><th scope="col">Figure</th><th scope="col">What</th><th scope="col">Place</th>'
    '<th scope="col">Period</th><th scope="col">Shown as</th></tr></thead>'
)


def _index_row(t: Trace) -> str:
    fid = t.figure["figure_id"]
    return (
        f'<tr><td class="mono"><a href="{_e(page_name(fid))}">{_e(fid)}</a></td><td>{_e(t.indicator["label"])}</td>'
        f"<td>{_e(t.place['description'])}</td><td>{_e(t.period)}</td><td>{_e(t.figure['value_shown'])}</td></tr>"
    )


def render_index(all_traces: list[Trace], links: _Links) -> str:
    groups: dict[tuple, dict[str, list[Trace]]] = defaultdict(lambda: defaultdict(list))
    for t in all_traces:
        for p in t.published_in:
            groups[(p["report"], p["region"], p["period"])][p["section"]].append(t)
    body = [
        "<h1>Trace pages: every published figure</h1>",
        "<p>Each figure links to its trace: definition, place, period, the arithmetic with the actual numbers, "
        "disclosure status and every contributing raw cell.</p>",
        '<p id="filter" class="noprint" hidden><label for="q">Filter figures</label><br>'
        '<input id="q" type="search" placeholder="e.g. vacancies E06000036 tier_1" autocomplete="off"> '
        '<span id="count" role="status" aria-live="polite"></span></p>',
    ]
    referred = sorted((t for t in all_traces if not t.published_in), key=lambda t: t.figure["figure_id"])
    for (report, region, period), sections in sorted(groups.items()):
        doc = f"{report.replace('_', ' ')}, {region}, {period}"
        href = links.documents.get((report, region, period))
        body.append(f"<h2>{_e(doc)}" + (f" ({_link(href, 'document')})" if href else "") + "</h2>")
        for section, items in sections.items():
            body += [
                '<section class="section">',
                f"<h3>{_e(section)}</h3>",
                "<table>",
                INDEX_HEADER,
                "<tbody>",
            ]
            body += [_index_row(t) for t in sorted(items, key=lambda t: t.figure["figure_id"])]
            body += ["</tbody>", "</table>", "</section>"]
    if referred:
        body += [
            "<h2>Figures the published ones refer to</h2>",
            '<section class="section">',
            "<p>Not shown in a document: each is a role of a published figure (a percentage's denominator, "
            "its base), whose values its page lists.</p>",
            "<table>",
            INDEX_HEADER,
            "<tbody>",
            *(_index_row(t) for t in referred),
            "</tbody>",
            "</table>",
            "</section>",
        ]
    if links.dbt_docs:
        body.append(f'<p>Model-level lineage: <a href="{_e(links.dbt_docs)}">dbt docs</a>.</p>')
    return _document("Trace pages: every published figure", body, FILTER_SCRIPT)


def write_trace_pages(
    paths: ProjectPaths,
    *,
    cells_per_batch: int | None = CELLS_PER_BATCH,
    cells_per_stage: int | None = CELLS_PER_STAGE,
) -> tuple[Path, int, float]:
    """Write a page for every figure in the register and every figure their pages link (a
    percentage's base), and the index; (index, pages, seconds). Pages of figures no longer
    registered are removed, so the folder matches the register. The figures are traced in
    stages and batches of at most so many cells (`iter_traces`)."""
    started = time.perf_counter()
    figure_ids = sorted(register_entries(paths))
    links = _Links.find(paths)
    # the set is written to a new folder and swapped in with one rename: never half old, half new,
    # and a figure no longer registered leaves no stale page behind
    out = paths.trace_dir
    new, old = out.with_name(out.name + ".new"), out.with_name(out.name + ".old")
    for scratch in (new, old):
        shutil.rmtree(scratch, ignore_errors=True)
    new.mkdir(parents=True)
    # a batch of figures at a time (iter_traces): the index keeps each trace without its cells
    listed, linked = [], set()

    def write(ids: list[str]) -> None:
        for t in iter_traces(paths, ids, cells_per_batch=cells_per_batch, cells_per_stage=cells_per_stage):
            (new / page_name(t.figure["figure_id"])).write_text(render_page(t, links), encoding="utf-8")
            listed.append(replace(t, contributions=[]))
            linked.update(r["figure_id"] for r in t.references)

    write(figure_ids)
    write(sorted(linked - set(figure_ids)))  # linked, not shown in a document (references do not chain)
    (new / INDEX).write_text(render_index(listed, links), encoding="utf-8")
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return out / INDEX, len(listed), time.perf_counter() - started
