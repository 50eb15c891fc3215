"""Render a Quarto document to HTML and/or PDF.

With the Quarto CLI on PATH this runs ``quarto render`` (HTML, and PDF through Quarto's ``typst``
format). Without it (CI, this build machine) it uses the engines Quarto itself drives: Jupyter
(nbclient) executes the cells, Pandoc (pypandoc-binary's bundled binary) writes standalone HTML
and Typst, and the ``typst`` package compiles the PDF. Both paths get the same environment, the
same kernel (this interpreter, declared in a private Jupyter data dir: ``state_dir`` when given,
else a temporary folder removed afterwards, never inside the published ``out_dir``) and the
same parameter values.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from .assemble import extract_figures, notebook_markdown, target_metadata, with_front_matter, write_html, write_pdf
from .notebook import (
    build_notebook,
    execute_notebook,
    jupyter_environment,
    prepare_jupyter_dirs,
    setup_source,
    validate_params,
)
from .qmd import QmdDocument, QmdError, RenderError, read_qmd

log = logging.getLogger(__name__)

#: Output format name -> (Quarto/Pandoc target, file extension)
FORMATS = {"html": ("html", ".html"), "pdf": ("typst", ".pdf")}
ENGINES = ("auto", "quarto", "fallback")
DEFAULT_TIMEOUT = 1800  # seconds: per cell (fallback) / per format (quarto)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Quarto's default figure size for HTML (inches) and dpi; `fig-width` etc. override.
DEFAULT_FIG = {"fig-width": 7.0, "fig-height": 5.0, "fig-dpi": 96.0}


@dataclass
class RenderResult:
    outputs: dict[str, Path]  # format ("html" / "pdf") -> rendered file
    engine: str  # "quarto" or "fallback"
    seconds: float


def quarto_available() -> bool:
    """True when the Quarto CLI is on PATH (then engine="auto" renders with it)."""
    return shutil.which("quarto") is not None


def render_document(
    qmd: Path,
    params: dict[str, str],
    out_dir: Path,
    formats: Iterable[str] = ("html", "pdf"),
    *,
    env: dict[str, str] | None = None,
    engine: str = "auto",
    timeout: int = DEFAULT_TIMEOUT,
    keep_intermediates: bool = False,
    state_dir: Path | None = None,
) -> RenderResult:
    """Render `qmd` with `params` into `out_dir` as ``<stem>.html`` / ``<stem>.pdf``.

    `params` override the defaults in the document's cell tagged ``parameters`` (every name must
    have a default there). `env` is added to this process's environment for the kernel (and for
    quarto). `engine`: "auto" (quarto if on PATH, else fallback), "quarto" or "fallback".
    `keep_intermediates` keeps ``<stem>_files/`` (executed notebook, markdown, .typ, figures) from
    a fallback render; it is always kept when the render fails. `state_dir` holds Jupyter and
    IPython state (kernel spec, connection files); by default a temporary folder, so nothing
    but the rendered files lands in `out_dir` (a published folder).

    Raises QmdError (unreadable/unsupported document), ParameterError (bad params) or
    RenderError (a cell raised - message names the cell and its .qmd line - or pandoc/typst/quarto
    failed).
    """
    started = time.perf_counter()
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    fmts = _formats(formats)
    qmd_path = Path(qmd).resolve()
    out_path = Path(out_dir).resolve()
    params = dict(params or {})

    doc = read_qmd(qmd_path)
    _check_kernel(doc)
    validate_params(doc, params)

    out_path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="render-state-") as scratch:
        dirs = prepare_jupyter_dirs(Path(state_dir) if state_dir else Path(scratch) / "jupyter")
        full_env = jupyter_environment(dirs, env)
        full_env["MPLBACKEND"] = INLINE_BACKEND

        chosen = engine
        if engine == "auto":
            chosen = "quarto" if shutil.which("quarto", path=full_env.get("PATH")) else "fallback"
        if chosen == "quarto":
            if "QUARTO_PYTHON" not in (env or {}):
                full_env["QUARTO_PYTHON"] = sys.executable
            outputs = _render_quarto(doc, params, out_path, fmts, full_env, timeout)
        else:
            outputs = _render_fallback(doc, params, out_path, fmts, dirs, full_env, timeout, keep_intermediates)
    seconds = time.perf_counter() - started
    log.info(
        "rendered %s with %s in %.1fs: %s", qmd_path.name, chosen, seconds, ", ".join(str(p) for p in outputs.values())
    )
    return RenderResult(outputs=outputs, engine=chosen, seconds=seconds)


def _formats(formats: Iterable[str] | str) -> list[str]:
    items = [formats] if isinstance(formats, str) else list(formats)
    result: list[str] = []
    for fmt in items:
        fmt = {"typst": "pdf"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise ValueError(f"unsupported format {fmt!r}: choose from {sorted(FORMATS)}")
        if fmt not in result:
            result.append(fmt)
    if not result:
        raise ValueError("no output format requested")
    return result


def _check_kernel(doc: QmdDocument) -> None:
    for config, where in ((doc.project_config, "_quarto.yml"), (doc.front_matter, "front matter")):
        engine = config.get("engine")
        if engine not in (None, "jupyter"):
            raise QmdError(f"{doc.path}: engine {engine!r} in {where} is not supported (use jupyter)")
        kernel = config.get("jupyter")
        if isinstance(kernel, dict):
            kernel = (kernel.get("kernelspec") or {}).get("name")
        if kernel not in (None, "python3"):
            raise QmdError(f"{doc.path}: jupyter kernel {kernel!r} in {where} is not supported (use python3)")


# ---- quarto ---------------------------------------------------------------------------------------
def _quarto_param(name: str, value: Any) -> str:
    """`-P name:value`. Quarto parses the value as YAML, so strings go in JSON (= YAML double-quoted)
    form: "2024" stays the string "2024", as in the fallback."""
    return f"{name}:{json.dumps(value, ensure_ascii=False)}"


def _rel(path: Path, start: Path) -> str:
    try:
        return os.path.relpath(path, start)
    except ValueError:  # different drives on Windows
        return str(path)


def _render_quarto(
    doc: QmdDocument, params: dict[str, Any], out_dir: Path, fmts: list[str], env: dict[str, str], timeout: int
) -> dict[str, Path]:
    quarto = shutil.which("quarto", path=env.get("PATH"))
    if quarto is None:
        raise RenderError("engine='quarto' was requested but `quarto` is not on PATH")
    # Run from the project folder with relative paths: Quarto resolves --output-dir against the
    # project, so relative-to-cwd and relative-to-project agree.
    project_dir = doc.project_dir or doc.path.parent
    outputs: dict[str, Path] = {}
    for fmt in fmts:
        target, ext = FORMATS[fmt]
        staging = out_dir / f".quarto-{doc.stem}-{fmt}-{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        cmd = [
            quarto,
            "render",
            _rel(doc.path, project_dir),
            "--to",
            target,
            "--output-dir",
            _rel(staging, project_dir),
        ]
        for name, value in params.items():
            cmd += ["-P", _quarto_param(name, value)]
        log.info("running %s (cwd %s)", " ".join(cmd), project_dir)
        try:
            proc = subprocess.run(cmd, cwd=project_dir, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise RenderError(f"{doc.path}: quarto render --to {target} timed out after {timeout}s") from exc
        if proc.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            tail = "\n".join((proc.stderr + "\n" + proc.stdout).strip().splitlines()[-80:])
            raise RenderError(f"{doc.path}: quarto render --to {target} failed (exit {proc.returncode}):\n{tail}")
        produced = sorted(staging.rglob(doc.stem + ext))
        if not produced:
            shutil.rmtree(staging, ignore_errors=True)
            raise RenderError(f"{doc.path}: quarto render --to {target} succeeded but wrote no {doc.stem}{ext}")
        final = out_dir / f"{doc.stem}{ext}"
        os.replace(produced[0], final)
        shutil.rmtree(staging, ignore_errors=True)
        outputs[fmt] = final
    return outputs


# ---- fallback -------------------------------------------------------------------------------------
def _figure_options(doc: QmdDocument, fmts: list[str]) -> dict[str, float]:
    """Figure size/dpi for the single execution: the first requested format's settings."""
    options = doc.format_options(FORMATS[fmts[0]][0])
    merged = dict(DEFAULT_FIG)
    for key in merged:
        if options.get(key) is not None:
            merged[key] = float(options[key])
    return merged


def _source_date(env: dict[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH (reproducible-builds convention) for the PDF's creation date."""
    value = env.get("SOURCE_DATE_EPOCH", "")
    return int(value) if value.isdigit() else None


def _render_fallback(
    doc: QmdDocument,
    params: dict[str, Any],
    out_dir: Path,
    fmts: list[str],
    dirs,
    env: dict[str, str],
    timeout: int,
    keep_intermediates: bool,
) -> dict[str, Path]:
    stem = doc.stem
    files_dir = out_dir / f"{stem}_files"
    if files_dir.exists():
        shutil.rmtree(files_dir)
    files_dir.mkdir(parents=True)
    fig = _figure_options(doc, fmts)
    nb = build_notebook(doc, params, setup_source(fig["fig-width"], fig["fig-height"], fig["fig-dpi"]))
    notebook_file = files_dir / f"{stem}.ipynb"
    try:
        execute_notebook(nb, doc, cwd=doc.path.parent, dirs=dirs, env=env, timeout=timeout)
    except RenderError as exc:
        nbformat.write(nb, notebook_file)
        raise type(exc)(f"{exc}\n\n(partially executed notebook: {notebook_file})") from None
    extract_figures(nb, files_dir, f"{stem}_files")
    nbformat.write(nb, notebook_file)

    resource_dirs = [out_dir, doc.path.parent]
    outputs: dict[str, Path] = {}
    for fmt in fmts:
        target, ext = FORMATS[fmt]
        options = doc.format_options(target)
        meta = target_metadata(doc, options, target)
        markdown = files_dir / f"{stem}.{target}.md"
        markdown.write_text(with_front_matter(meta, notebook_markdown(nb, target)), encoding="utf-8")
        final = out_dir / f"{stem}{ext}"
        partial = out_dir / f".{stem}.{uuid.uuid4().hex[:8]}{ext}"
        try:
            if fmt == "html":
                write_html(
                    markdown,
                    partial,
                    options,
                    out_dir=out_dir,
                    resource_dirs=resource_dirs,
                    title=str(meta.get("title") or stem),
                )
            else:
                # Typst's root is the render folder: a document cannot read files outside it.
                write_pdf(
                    markdown,
                    partial,
                    options,
                    out_dir=out_dir,
                    resource_dirs=[out_dir],
                    typ_file=files_dir / f"{stem}.typ",
                    timestamp=_source_date(env),
                )
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        outputs[fmt] = final
    if not keep_intermediates:
        shutil.rmtree(files_dir, ignore_errors=True)
    return outputs
