"""Reading Quarto documents: front matter, markdown, ``{python}`` cells and their ``#|`` options,
plus the enclosing Quarto project's ``_quarto.yml``.

Only the subset of Quarto that both render paths (real Quarto and the fallback) honour is accepted;
anything else raises :class:`QmdError` naming the file and line, so a document that renders on a
machine with Quarto cannot silently lose content in CI.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class RenderError(RuntimeError):
    """A render failed (bad document, failing cell, pandoc/typst/quarto error)."""


class QmdError(RenderError):
    """The .qmd (or its project configuration) cannot be read or uses unsupported features."""


class ParameterError(RenderError):
    """Parameters passed to a render do not match the document's parameters cell."""


# Cell options whose defaults come from `execute:` (project, then front matter).
EXECUTE_DEFAULTS: dict[str, Any] = {
    "echo": True,
    "eval": True,
    "output": True,
    "include": True,
    "warning": True,
    "error": False,
}

_OPEN_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
_EXEC_INFO = re.compile(r"^\{\s*(?P<engine>[A-Za-z_][\w-]*)\s*(?P<rest>[^}]*)\}$")
_OPTION_LINE = re.compile(r"^#\|\s?(?P<yaml>.*)$")
_INLINE_CODE = re.compile(r"`\{(?P<engine>r|julia|ojs)\}\s")
_SHORTCODE = re.compile(r"\{\{<\s*(?P<name>[\w-]+)(?P<args>[^>]*)>\}\}")
# Shortcodes the fallback implements; any other one is rejected.
SUPPORTED_SHORTCODES = {"pagebreak"}


@dataclass
class MarkdownChunk:
    text: str
    line: int  # 1-based line in the .qmd where the chunk starts


@dataclass
class CodeChunk:
    source: str  # cell source as Quarto gives it to Jupyter: option lines included
    options: dict[str, Any]
    line: int  # 1-based line of the opening fence
    n_option_lines: int = 0
    index: int = 0  # position among the document's code cells (0-based)

    @property
    def code(self) -> str:
        """The source without the leading ``#|`` option lines (what `echo` shows)."""
        return "\n".join(self.source.split("\n")[self.n_option_lines :]).strip("\n")

    @property
    def tags(self) -> list[str]:
        tags = self.options.get("tags") or []
        return [tags] if isinstance(tags, str) else [str(t) for t in tags]

    @property
    def label(self) -> str | None:
        label = self.options.get("label")
        return str(label) if label is not None else None

    def describe(self) -> str:
        name = f"'{self.label}'" if self.label else f"#{self.index + 1}"
        return f"cell {name}"


@dataclass
class QmdDocument:
    path: Path
    front_matter: dict[str, Any]
    chunks: list[MarkdownChunk | CodeChunk]
    project_dir: Path | None = None
    project_config: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def code_cells(self) -> list[CodeChunk]:
        return [c for c in self.chunks if isinstance(c, CodeChunk)]

    @property
    def parameters_cell(self) -> CodeChunk | None:
        cells = [c for c in self.code_cells if "parameters" in c.tags]
        if len(cells) > 1:
            lines = ", ".join(str(c.line) for c in cells)
            raise QmdError(f"{self.path}: more than one cell tagged 'parameters' (lines {lines})")
        return cells[0] if cells else None

    def parameter_defaults(self) -> dict[str, int]:
        """Names assigned at top level of the parameters cell -> line in the .qmd."""
        cell = self.parameters_cell
        if cell is None:
            return {}
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            raise QmdError(
                f"{self.path}:{cell.line + (exc.lineno or 0)}: parameters cell is not valid Python: {exc.msg}"
            ) from exc
        names: dict[str, int] = {}
        for node in tree.body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets = [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.setdefault(sub.id, cell.line + node.lineno)
        return names

    # ---- configuration ------------------------------------------------------------------------
    def execute_options(self) -> dict[str, Any]:
        """Quarto's execute defaults, overridden by _quarto.yml then front matter `execute:`."""
        merged = dict(EXECUTE_DEFAULTS)
        for source in (self.project_config, self.front_matter):
            execute = source.get("execute") or {}
            if not isinstance(execute, dict):
                raise QmdError(f"{self.path}: `execute:` must be a mapping")
            merged.update(execute)
        return merged

    def format_options(self, fmt: str) -> dict[str, Any]:
        """Options for one Quarto format ("html" or "typst"), merged the way Quarto does:
        project top level < project format < document top level < document format.
        Relative paths in `css` / `include-in-header` are resolved against the file declaring them."""
        merged: dict[str, Any] = {}
        sources = [(self.project_config, self.project_dir or self.path.parent), (self.front_matter, self.path.parent)]
        for config, base in sources:
            top = {k: v for k, v in config.items() if k in FORMAT_KEYS}
            per_format = _format_entry(config.get("format"), fmt, self.path)
            for options in (top, per_format):
                for key, value in options.items():
                    if key in PATH_KEYS:
                        value = _resolve_paths(value, base)
                    merged[key] = value
        return merged


# Options read from format blocks (and from the top level, where Quarto also accepts them).
FORMAT_KEYS = {
    "toc",
    "toc-depth",
    "toc-title",
    "css",
    "embed-resources",
    "include-in-header",
    "papersize",
    "margin",
    "mainfont",
    "fontsize",
    "section-numbering",
    "number-sections",
    "columns",
    "lang",
    "fig-width",
    "fig-height",
    "fig-dpi",
    "fig-format",
}
PATH_KEYS = {"css", "include-in-header"}


def _format_entry(formats: Any, fmt: str, path: Path) -> dict[str, Any]:
    if formats is None:
        return {}
    if isinstance(formats, str):
        return {}
    if isinstance(formats, list):
        return {}
    if isinstance(formats, dict):
        entry = formats.get(fmt)
        if entry in (None, "default"):
            return {}
        if not isinstance(entry, dict):
            raise QmdError(f"{path}: `format: {fmt}:` must be a mapping or 'default'")
        return entry
    raise QmdError(f"{path}: `format:` must be a string, list or mapping")


def _resolve_paths(value: Any, base: Path) -> Any:
    def one(item: Any) -> Any:
        if isinstance(item, str):
            return (base / item).resolve()
        if isinstance(item, dict) and "file" in item:
            return (base / str(item["file"])).resolve()
        return item  # e.g. {"text": "..."}

    if isinstance(value, list):
        return [one(v) for v in value]
    return one(value)


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding _quarto.yml / _quarto.yaml (as Quarto does)."""
    for folder in [start, *start.parents]:
        for name in ("_quarto.yml", "_quarto.yaml"):
            if (folder / name).is_file():
                return folder
    return None


def _load_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise QmdError(f"{where}: invalid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QmdError(f"{where}: expected a YAML mapping, got {type(data).__name__}")
    return data


def read_qmd(path: Path) -> QmdDocument:
    path = Path(path).resolve()
    if not path.is_file():
        raise QmdError(f"{path}: no such document")
    if path.suffix.lower() != ".qmd":
        raise QmdError(f"{path}: expected a .qmd file")
    text = path.read_text(encoding="utf-8")
    front_matter, chunks = parse_qmd(text, path)
    project_dir = find_project(path.parent)
    project_config: dict[str, Any] = {}
    if project_dir is not None:
        config_file = next(p for p in (project_dir / "_quarto.yml", project_dir / "_quarto.yaml") if p.is_file())
        project_config = _load_yaml(config_file.read_text(encoding="utf-8"), str(config_file))
    doc = QmdDocument(path, front_matter, chunks, project_dir, project_config)
    doc.parameters_cell  # noqa: B018 - validates there is at most one
    return doc


def parse_qmd(text: str, path: Path) -> tuple[dict[str, Any], list[MarkdownChunk | CodeChunk]]:
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    front_matter: dict[str, Any] = {}
    i = 0
    if lines and lines[0].strip() == "---":
        for j in range(1, len(lines)):
            if lines[j].strip() in ("---", "..."):
                front_matter = _load_yaml("\n".join(lines[1:j]), f"{path}:1 (front matter)")
                i = j + 1
                break
        else:
            raise QmdError(f"{path}:1: front matter opened with '---' is never closed")

    chunks: list[MarkdownChunk | CodeChunk] = []
    md_lines: list[str] = []
    md_start = i + 1
    n_cells = 0

    def flush_markdown(next_line: int) -> None:
        nonlocal md_lines, md_start
        body = "\n".join(md_lines)
        if body.strip():
            _check_markdown(body, path, md_start)
            chunks.append(MarkdownChunk(body.strip("\n"), md_start))
        md_lines = []
        md_start = next_line

    while i < len(lines):
        line = lines[i]
        match = _OPEN_FENCE.match(line)
        if not match:
            md_lines.append(line)
            i += 1
            continue
        fence, info = match.group("fence"), match.group("info")
        if fence[0] == "`" and "`" in info:  # inline code spanning the line, not a fence
            md_lines.append(line)
            i += 1
            continue
        close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        exec_match = _EXEC_INFO.match(info)
        if exec_match is None:
            # Ordinary (display) code block or raw block: markdown, copied verbatim.
            stop = len(lines) if end is None else end + 1
            md_lines.extend(lines[i:stop])
            i = stop
            continue
        fence_line = i + 1
        engine, rest = exec_match.group("engine"), exec_match.group("rest").strip()
        if engine != "python":
            raise QmdError(f"{path}:{fence_line}: only {{python}} cells are supported, found {{{engine}}}")
        if rest:
            raise QmdError(
                f"{path}:{fence_line}: put cell options in '#|' comment lines, not in the fence ({{python {rest}}})"
            )
        if end is None:
            raise QmdError(f"{path}:{fence_line}: code cell is never closed (missing {fence})")
        flush_markdown(end + 2)
        body = lines[i + 1 : end]
        option_lines: list[str] = []
        for body_line in body:
            opt = _OPTION_LINE.match(body_line)
            if not opt:
                break
            option_lines.append(opt.group("yaml"))
        options = _load_yaml("\n".join(option_lines), f"{path}:{fence_line + 1} (cell options)")
        chunks.append(CodeChunk("\n".join(body), options, fence_line, len(option_lines), n_cells))
        n_cells += 1
        i = end + 1
    flush_markdown(len(lines) + 1)
    return front_matter, chunks


def _check_markdown(body: str, path: Path, start: int) -> None:
    """Reject Quarto markdown features the fallback cannot reproduce."""
    in_fence: str | None = None  # the opening fence while inside a display code block
    for offset, line in enumerate(body.split("\n")):
        fence = _OPEN_FENCE.match(line)
        if in_fence is None and fence:
            in_fence = fence.group("fence")
            continue
        if in_fence is not None:
            if (
                fence
                and not fence.group("info")
                and fence.group("fence")[0] == in_fence[0]
                and len(fence.group("fence")) >= len(in_fence)
            ):
                in_fence = None
            continue
        where = f"{path}:{start + offset}"
        other = _INLINE_CODE.search(line)
        if other:
            raise QmdError(
                f"{where}: inline `{{{other.group('engine')}}}` expressions are not supported (use `{{python}} ...`)"
            )
        for sc in _SHORTCODE.finditer(line):
            if sc.group("name") not in SUPPORTED_SHORTCODES:
                raise QmdError(
                    f"{where}: shortcode {{{{< {sc.group('name')} >}}}} is not supported "
                    f"(supported: {', '.join(sorted(SUPPORTED_SHORTCODES))})"
                )
