"""Turning an executed notebook into Pandoc markdown, then HTML (Pandoc) and PDF (Pandoc's Typst
writer + the `typst` package) - the fallback's stand-in for Quarto's own pipeline.

Output handling, per code cell (options merged: execute defaults < cell `#|` options):
  include: false   -> nothing from the cell
  echo: true       -> the code (without `#|` lines) as a ```python block
  output: false    -> no outputs
  output: asis     -> stdout / text/plain / text/markdown copied as raw markdown
  otherwise        -> stdout/stderr and text/plain as plain code blocks (stderr dropped when
                      warning: false), text/markdown as markdown, text/html only in HTML
  images           -> saved as <stem>_files/fig-N.<ext>, referenced as ![fig-cap](...){#label}
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import yaml

from .notebook import INJECTED_TAG, SETUP_TAG, USER_EXPRESSIONS, strip_ansi
from .qmd import QmdDocument, QmdError, RenderError

log = logging.getLogger(__name__)

IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
# Display preference per target (text/html is useless to the Typst writer: it drops raw HTML).
MIME_ORDER = {
    "html": ["text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/html", "text/plain"],
    "typst": ["text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain"],
}
METADATA_KEYS = ("title", "subtitle", "author", "date", "abstract", "keywords", "lang", "description")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_PAGEBREAK = re.compile(r"\{\{<\s*pagebreak\s*>\}\}")
_PAGEBREAK_RAW = {
    "html": '```{=html}\n<div style="page-break-after: always;"></div>\n```',
    "typst": "```{=typst}\n#pagebreak()\n```",
}
_PAGEBREAK_INLINE = {
    "html": '`<span style="page-break-after: always;"></span>`{=html}',
    "typst": "`#pagebreak(weak: true)`{=typst}",
}


def fenced(text: str, info: str = "") -> str:
    """A fenced code block that survives backticks in `text`."""
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def _outside_fences(text: str, fn) -> str:
    out, fence = [], None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            out.append(line)
        elif fence is not None:
            if m and not m.group(2).strip() and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
        else:
            out.append(fn(line))
    return "\n".join(out)


def _markdown_cell(text: str, target: str) -> str:
    def line_fn(line: str) -> str:
        if _PAGEBREAK.fullmatch(line.strip()):
            return "\n" + _PAGEBREAK_RAW[target] + "\n"
        return _PAGEBREAK.sub(_PAGEBREAK_INLINE[target], line)

    return _outside_fences(text, line_fn)


_INLINE = re.compile(r"(^|[^`])`\{python\}[ \t]([^`]+)`", re.MULTILINE)
_ESCAPED_PLAIN = re.compile(r"([\\`*_{}\[\]()>#+\-.!])")


def _plain_as_markdown(text: str) -> str:
    """Quarto's treatment of a text/plain inline result (core/jupyter/jupyter-inline.ts):
    a quoted repr loses its quotes and has Markdown punctuation escaped; anything else is
    inserted as it is."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return _ESCAPED_PLAIN.sub(r"\\\1", text[1:-1].replace("\\", "\\\\"))
    return text


def resolve_inline(source: str, user_expressions: list[dict[str, Any]], target: str) -> str:
    """Replace each `{python} expr` with its result, as Quarto does: text/markdown verbatim,
    text/html as raw HTML (HTML only), text/plain escaped (see :func:`_plain_as_markdown`)."""
    results = {r["expression"].strip(): r["result"] for r in user_expressions}

    def one(match: re.Match) -> str:
        result = results.get(match.group(2).strip())
        data = (result or {}).get("data") or {}
        if "text/html" in data and target == "html":
            return f"{match.group(1)}`{data['text/html']}`{{=html}}"
        if "text/markdown" in data:
            return match.group(1) + data["text/markdown"]
        if "text/plain" in data:
            return match.group(1) + _plain_as_markdown(data["text/plain"])
        return match.group(0)

    return _INLINE.sub(one, source)


def extract_figures(nb: nbformat.NotebookNode, files_dir: Path, rel_prefix: str) -> int:
    """Write every image output to files_dir/fig-N.ext (N counts from 1 in document order) and
    note the relative path in the output's metadata (`render_path`). Returns the count."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            mime = next((m for m in IMAGE_TYPES if m in data), None)
            if mime is None or "text/markdown" in data:
                continue
            count += 1
            files_dir.mkdir(parents=True, exist_ok=True)
            name = f"fig-{count}.{IMAGE_TYPES[mime]}"
            payload = data[mime]
            if mime == "image/svg+xml":
                blob = (payload if isinstance(payload, str) else "".join(payload)).encode("utf-8")
            else:
                blob = base64.b64decode(payload if isinstance(payload, str) else "".join(payload))
            (files_dir / name).write_bytes(blob)
            output.setdefault("metadata", {})["render_path"] = f"{rel_prefix}/{name}"
            output["metadata"]["render_mime"] = mime
    return count


def _merge_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for output in outputs:
        if (
            output.get("output_type") == "stream"
            and merged
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == output.get("name")
        ):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + output["text"]}
        else:
            merged.append(dict(output))
    return merged


def _link_target(path: str) -> str:
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path


def _figure(output: dict[str, Any], options: dict[str, Any], index: int, n_images: int, target: str) -> str:
    path = output["metadata"]["render_path"]
    label = options.get("label")
    captions = options.get("fig-cap")
    if isinstance(captions, list):
        caption = str(captions[index]) if index < len(captions) else ""
    else:
        caption = str(captions) if captions is not None and index == 0 else ""
    attrs: list[str] = []
    if isinstance(label, str) and label.startswith("fig-"):
        attrs.append("#" + (label if n_images == 1 else f"{label}-{index + 1}"))
    alts = options.get("fig-alt")
    alt = (alts[index] if index < len(alts) else "") if isinstance(alts, list) else (alts if index == 0 else None)
    if alt:
        attrs.append('alt="' + " ".join(str(alt).split()).replace("\\", "\\\\").replace('"', '\\"') + '"')
    if target == "html":
        meta = output.get("metadata", {}).get(output["metadata"].get("render_mime"), {})
        if isinstance(meta, dict) and meta.get("width"):
            attrs.append(f"width={int(meta['width'])}px")  # retina PNGs: show at 1x size
    attr = "{" + " ".join(attrs) + "}" if attrs else ""
    caption = " ".join(caption.split())
    return f"![{caption}]({_link_target(path)}){attr}"


def _is_true(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() not in ("false", "no", "0", "")
    return bool(value)


def _code_cell(cell: nbformat.NotebookNode, target: str) -> list[str]:
    meta = cell.metadata.get("qmd", {})
    options: dict[str, Any] = meta.get("options", {})
    if not _is_true(options.get("include", True)):
        return []
    blocks: list[str] = []
    if _is_true(options.get("echo", True)):
        code = "\n".join(cell.source.split("\n")[int(meta.get("option_lines", 0)) :]).strip("\n")
        if code:
            blocks.append(fenced(code, "python"))
    output_opt = options.get("output", True)
    asis = output_opt == "asis"
    if not asis and not _is_true(output_opt):
        return blocks
    outputs = _merge_streams(cell.get("outputs", []))
    n_images = sum(1 for o in outputs if o.get("metadata", {}).get("render_path"))
    image_index = 0
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stderr" and not _is_true(options.get("warning", True)):
                continue
            text = output.get("text", "")
            if not text.strip():
                continue
            blocks.append(text.strip("\n") if asis and output.get("name") == "stdout" else fenced(text))
        elif kind in ("display_data", "execute_result"):
            if output.get("metadata", {}).get("render_path"):
                blocks.append(_figure(output, options, image_index, n_images, target))
                image_index += 1
                continue
            data = output.get("data", {})
            mime = next((m for m in MIME_ORDER[target] if m in data), None)
            if mime is None:
                continue
            value = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
            if mime == "text/markdown":
                blocks.append(value.strip("\n"))
            elif mime == "text/html":
                blocks.append(fenced(value, "{=html}"))
            elif asis:
                blocks.append(value.strip("\n"))
            else:
                blocks.append(fenced(value))
        elif kind == "error":
            blocks.append(fenced(strip_ansi("\n".join(output.get("traceback", [])))))
    return _table_caption(blocks, options)


_PIPE_TABLE = re.compile(r"^\|.*\|\s*$")


def _table_caption(blocks: list[str], options: dict[str, Any]) -> list[str]:
    """A cell labelled ``tbl-...`` with ``tbl-cap`` captions the table it outputs (as Quarto
    does): the caption and id go under the cell's last pipe table, so ``@tbl-...`` finds it."""
    label, caption = options.get("label"), options.get("tbl-cap")
    if not (isinstance(label, str) and label.startswith("tbl-") and caption):
        return blocks
    for n in range(len(blocks) - 1, -1, -1):
        lines = blocks[n].rstrip("\n").split("\n")
        if lines and _PIPE_TABLE.match(lines[-1]):
            blocks[n] = blocks[n].rstrip("\n") + f"\n\n: {' '.join(str(caption).split())} {{#{label}}}"
            break
    return blocks


def notebook_markdown(nb: nbformat.NotebookNode, target: str) -> str:
    """The document body (no front matter) for one target ("html" or "typst")."""
    blocks: list[str] = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if SETUP_TAG in tags or INJECTED_TAG in tags:
            continue
        if cell.cell_type == "markdown":
            source = resolve_inline(cell.source, cell.metadata.get(USER_EXPRESSIONS, []), target)
            blocks.append(_markdown_cell(source, target))
        elif cell.cell_type == "code":
            blocks.extend(_code_cell(cell, target))
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def document_metadata(doc: QmdDocument) -> dict[str, Any]:
    meta = {k: doc.front_matter[k] for k in METADATA_KEYS if k in doc.front_matter}
    date = meta.get("date")
    if isinstance(date, str) and date in ("today", "now", "last-modified"):
        if date == "today":
            meta["date"] = dt.date.today().isoformat()
        elif date == "now":
            meta["date"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        else:
            meta["date"] = dt.date.fromtimestamp(doc.path.stat().st_mtime).isoformat()
    elif isinstance(date, (dt.date, dt.datetime)):
        meta["date"] = date.isoformat()
    return meta


TYPST_VARIABLES = ("papersize", "margin", "mainfont", "fontsize", "section-numbering", "columns", "lang")


def target_metadata(doc: QmdDocument, options: dict[str, Any], target: str) -> dict[str, Any]:
    """Front matter for one target's markdown: title block fields plus, for Typst, the page
    variables Quarto's typst format takes (papersize, margin, mainfont, ...)."""
    meta = document_metadata(doc)
    if target == "typst":
        meta.update({k: options[k] for k in TYPST_VARIABLES if options.get(k) is not None})
    elif options.get("lang"):
        meta["lang"] = options["lang"]
    return meta


def with_front_matter(meta: dict[str, Any], body: str) -> str:
    if not meta:
        return body
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body


# ---- pandoc / typst ------------------------------------------------------------------------------
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(args: list[str], *, cwd: Path, what: str) -> None:
    proc = subprocess.run([pandoc_path(), *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RenderError(f"pandoc failed producing {what} (exit {proc.returncode}):\n{proc.stderr.strip()}")
    if proc.stderr.strip():
        log.warning("pandoc (%s): %s", what, proc.stderr.strip())


def _includes(value: Any, work_dir: Path, fmt: str) -> list[Path]:
    """`include-in-header` entries (paths or {text: ...}) as files pandoc can include."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    files: list[Path] = []
    for n, item in enumerate(items):
        if isinstance(item, Path):
            if not item.is_file():
                raise QmdError(f"include-in-header file not found: {item}")
            files.append(item)
        elif isinstance(item, dict) and "text" in item:
            path = work_dir / f"include-{fmt}-{n}.txt"
            path.write_text(str(item["text"]), encoding="utf-8")
            files.append(path)
        else:
            raise QmdError(f"unsupported include-in-header entry for {fmt}: {item!r}")
    return files


def _toc_args(options: dict[str, Any]) -> list[str]:
    args: list[str] = []
    if _is_true(options.get("toc", False)):
        args += ["--toc", f"--toc-depth={int(options.get('toc-depth', 3))}"]
        if options.get("toc-title"):
            args += ["--metadata", f"toc-title={options['toc-title']}"]
    if _is_true(options.get("number-sections", False)):
        args.append("--number-sections")
    return args


CROSSREF_FILTER = Path(__file__).with_name("crossref.lua")


def write_html(
    markdown_file: Path,
    html_file: Path,
    options: dict[str, Any],
    *,
    out_dir: Path,
    resource_dirs: list[Path],
    title: str,
) -> None:
    args = [
        str(markdown_file),
        "--from=markdown",
        "--to=html5",
        "--standalone",
        "--embed-resources",
        f"--output={html_file}",
        f"--resource-path={os.pathsep.join(str(d) for d in resource_dirs)}",
        "--metadata",
        f"pagetitle={title}",
        # Pandoc drops its own page CSS once --css is given; keep it (Quarto has its theme instead).
        "--variable",
        "document-css=true",
        "--variable",
        "maxwidth=60em",
        f"--lua-filter={CROSSREF_FILTER}",
        *_toc_args(options),
    ]
    css = options.get("css")
    for sheet in css if isinstance(css, list) else ([css] if css else []):
        if not Path(sheet).is_file():
            raise QmdError(f"css file not found: {sheet}")
        args.append(f"--css={Path(sheet).as_uri()}")
    for inc in _includes(options.get("include-in-header"), markdown_file.parent, "html"):
        args.append(f"--include-in-header={inc}")
    # One <main> landmark around the page, as Quarto's own template has (screen readers, axe).
    for where, tag in (("before", "<main>"), ("after", "</main>")):
        landmark = markdown_file.parent / f"landmark-{where}.html"
        landmark.write_text(tag + "\n", encoding="utf-8")
        args.append(f"--include-{where}-body={landmark}")
    run_pandoc(args, cwd=out_dir, what=html_file.name)


_LUA_TYPST_PATHS = r"""
-- Make relative image paths root-relative for Typst (which resolves them against --root).
local root = %s
local search = { %s }
local function exists(p) local f = io.open(p, "rb"); if f then f:close(); return true end; return false end
function Image(img)
  local src = img.src
  if src:match("^%%a[%%w+.-]*:") or src:sub(1, 1) == "/" then return nil end
  for _, dir in ipairs(search) do
    local full = pandoc.path.normalize(pandoc.path.join({ dir, src }))
    if exists(full) then
      img.src = "/" .. pandoc.path.make_relative(full, root):gsub("\\", "/")
      return img
    end
  end
  return nil
end
"""


def _lua_string(text: str) -> str:
    level = "=" * 4
    return f"[{level}[{text}]{level}]"


def write_pdf(
    markdown_file: Path,
    pdf_file: Path,
    options: dict[str, Any],
    *,
    out_dir: Path,
    resource_dirs: list[Path],
    typ_file: Path,
    timestamp: int | None = None,
) -> Path:
    """Pandoc -> `typ_file`, then typst -> PDF (dated `timestamp`, Unix seconds, when given, for
    reproducible PDFs). Returns the .typ path."""
    import typst

    root = Path(os.path.commonpath([str(d.resolve()) for d in [out_dir, *resource_dirs]]))
    work_dir = typ_file.parent
    lua = work_dir / "typst-paths.lua"
    lua.write_text(
        _LUA_TYPST_PATHS % (_lua_string(str(root)), ", ".join(_lua_string(str(d)) for d in resource_dirs)),
        encoding="utf-8",
    )
    args = [
        str(markdown_file),
        "--from=markdown",
        "--to=typst",
        "--standalone",
        f"--output={typ_file}",
        f"--lua-filter={CROSSREF_FILTER}",
        f"--lua-filter={lua}",
        *_toc_args(options),
    ]
    for inc in _includes(options.get("include-in-header"), work_dir, "typst"):
        args.append(f"--include-in-header={inc}")
    run_pandoc(args, cwd=out_dir, what=typ_file.name)
    try:
        typst.compile(str(typ_file), output=str(pdf_file), root=str(root), timestamp=timestamp)
    except Exception as exc:  # typst.TypstError and friends
        raise RenderError(f"typst failed compiling {typ_file}:\n{exc}") from exc
    return typ_file
