"""Executing a parsed .qmd as a Jupyter notebook (the fallback's stand-in for Quarto's Jupyter engine).

All Jupyter/IPython state lives under ``<jupyter_root>`` (normally ``<out_dir>/.jupyter``); nothing is
written to $HOME. The kernel is this project's interpreter (``sys.executable``), declared through a
kernel spec named ``python3`` in that private data dir - the same spec real Quarto picks up when it
is given the same JUPYTER_DATA_DIR (see :func:`jupyter_environment`).
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .qmd import CodeChunk, ParameterError, QmdDocument, RenderError

KERNEL_NAME = "python3"
INJECTED_TAG = "injected-parameters"
SETUP_TAG = "render-setup"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Inline expressions in a markdown cell, found as Quarto's Jupyter engine finds them
# (quarto's share/jupyter/notebook.py): `{python} expr` not preceded by a backtick.
INLINE_EXPRESSION = re.compile(r"(?:^|[^`])`\{python\}[ \t]([^`]+)`", re.MULTILINE)
USER_EXPRESSIONS = "user_expressions"


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class JupyterDirs:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def runtime(self) -> Path:
        return self.root / "runtime"

    @property
    def ipython(self) -> Path:
        return self.root / "ipython"

    @property
    def kernels(self) -> Path:
        return self.data / "kernels"

    def env(self) -> dict[str, str]:
        return {
            "JUPYTER_CONFIG_DIR": str(self.config),
            "JUPYTER_DATA_DIR": str(self.data),
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            "IPYTHONDIR": str(self.ipython),
        }


def prepare_jupyter_dirs(root: Path) -> JupyterDirs:
    """Create the private Jupyter folders and a `python3` kernel spec running this interpreter."""
    dirs = JupyterDirs(Path(root).resolve())
    for folder in (dirs.config, dirs.data, dirs.runtime, dirs.ipython):
        folder.mkdir(parents=True, exist_ok=True)
    spec_dir = dirs.kernels / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (succession project)",
        "language": "python",
        "metadata": {"debugger": False},
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }
    target = spec_dir / "kernel.json"
    text = json.dumps(spec, indent=1)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        tmp = spec_dir / f".kernel.{uuid.uuid4().hex}.json"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)  # atomic: concurrent renders sharing the folder see a whole file
    return dirs


def jupyter_environment(dirs: JupyterDirs, env: dict[str, str] | None) -> dict[str, str]:
    """The environment for the kernel (fallback) or the quarto process: ours, the caller's, then
    the Jupyter/IPython folders, which always win so nothing lands in $HOME."""
    merged = dict(os.environ)
    merged.update({k: str(v) for k, v in (env or {}).items()})
    merged.update(dirs.env())
    return merged


def python_literal(name: str, value: Any) -> str:
    """Source for one injected parameter; only plain data is allowed."""
    allowed = (str, int, float, bool, type(None))

    def check(v: Any) -> None:
        if isinstance(v, (list, tuple)):
            for item in v:
                check(item)
        elif isinstance(v, dict):
            for k, item in v.items():
                check(k)
                check(item)
        elif not isinstance(v, allowed):
            raise ParameterError(f"parameter {name!r}: unsupported value type {type(v).__name__}")

    check(value)
    return f"{name} = {value!r}"


def validate_params(doc: QmdDocument, params: dict[str, Any]) -> None:
    """Every passed parameter must be a Python name with a default in the parameters cell."""
    if not params:
        return
    for name in params:
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(f"{doc.path}: parameter name {name!r} is not a valid Python identifier")
    cell = doc.parameters_cell
    if cell is None:
        raise ParameterError(
            f"{doc.path}: parameters {sorted(params)} were given but the document has no cell "
            "tagged `parameters` (add `#| tags: [parameters]` to a cell holding the defaults)"
        )
    defaults = doc.parameter_defaults()
    missing = sorted(set(params) - set(defaults))
    if missing:
        raise ParameterError(
            f"{doc.path}:{cell.line}: parameter(s) {', '.join(missing)} have no default in the "
            f"parameters cell (defaults: {', '.join(sorted(defaults)) or 'none'})"
        )


def setup_source(fig_width: float, fig_height: float, fig_dpi: float) -> str:
    """Hidden first cell: what Quarto's Jupyter setup does for matplotlib (size, dpi, retina PNG)."""
    return (
        "def __render_setup():\n"
        "    import importlib.util\n"
        "    if importlib.util.find_spec('matplotlib') is None:\n"
        "        return\n"
        "    import matplotlib\n"
        "    matplotlib.use('module://matplotlib_inline.backend_inline')\n"
        "    import matplotlib.pyplot  # noqa: F401  (activates the inline backend)\n"
        "    matplotlib.rcParams['figure.figsize'] = "
        f"({float(fig_width)!r}, {float(fig_height)!r})\n"
        f"    matplotlib.rcParams['figure.dpi'] = {float(fig_dpi)!r}\n"
        "    from matplotlib_inline.backend_inline import set_matplotlib_formats\n"
        "    set_matplotlib_formats('retina')\n"
        "__render_setup()\n"
        "del __render_setup\n"
    )


def build_notebook(doc: QmdDocument, params: dict[str, Any], setup: str) -> nbformat.NotebookNode:
    """Markdown chunks become markdown cells, `{python}` chunks code cells (skipped when eval is
    false), with the qmd position in metadata; the injected-parameters cell follows the
    parameters cell, papermill-style."""
    execute = doc.execute_options()
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    setup_cell = new_code_cell(setup)
    setup_cell.metadata["tags"] = [SETUP_TAG]
    nb.cells.append(setup_cell)
    for chunk in doc.chunks:
        if not isinstance(chunk, CodeChunk):
            cell = new_markdown_cell(chunk.text)
            cell.metadata["qmd"] = {"line": chunk.line}
            nb.cells.append(cell)
            continue
        options = {**execute, **chunk.options}
        cell = new_code_cell(chunk.source)
        cell.metadata["qmd"] = {
            "line": chunk.line,
            "index": chunk.index,
            "options": _jsonable(options),
            "option_lines": chunk.n_option_lines,
        }
        tags = list(chunk.tags)
        if options.get("error"):
            tags.append("raises-exception")  # nbclient: keep going, keep the error output
        if not options.get("eval", True):
            tags.append("skip-execution")
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
        if "parameters" in chunk.tags and params:
            source = "# Injected Parameters\n" + "\n".join(python_literal(k, v) for k, v in params.items())
            injected = new_code_cell(source)
            injected.metadata["tags"] = [INJECTED_TAG]
            nb.cells.append(injected)
    return nb


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def execute_notebook(
    nb: nbformat.NotebookNode,
    doc: QmdDocument,
    *,
    cwd: Path,
    dirs: JupyterDirs,
    env: dict[str, str],
    timeout: int,
) -> nbformat.NotebookNode:
    """Run the notebook in a fresh kernel; a failing cell raises RenderError naming the qmd cell."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    ksm = KernelSpecManager(kernel_dirs=[str(dirs.kernels)], ensure_native_kernel=False)
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
    token = uuid.uuid4().hex
    km.connection_file = str(dirs.runtime / f"kernel-{token}.json")
    # The kernel's own stderr (startup chatter, crash reports) goes to a log, quoted on failure.
    kernel_log = dirs.runtime / f"kernel-{token}.log"
    kernel_env = dict(env)
    # Figures must reach the notebook as image/png outputs: force the inline backend, whatever
    # MPLBACKEND the caller's environment has (Agg would silently drop every chart).
    kernel_env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    kernel_env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    client = _InlineClient(
        nb,
        km=km,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        allow_errors=False,
        record_timing=False,
        skip_cells_with_tag="skip-execution",  # eval: false
        resources={"metadata": {"path": str(cwd)}},
    )
    log_handle = open(kernel_log, "wb")  # noqa: SIM115 - closed in the finally below, after the kernel stops
    try:
        # cleanup_kc: we pass our own km, so nbclient would otherwise leave the kernel running.
        client.execute(env=kernel_env, cwd=str(cwd), stdout=log_handle, stderr=log_handle, cleanup_kc=True)
    except InlineExpressionError as exc:
        raise RenderError(
            f"{doc.path}:{exc.line}: inline expression `{{python}} {exc.expression}` raised {exc.error}"
        ) from None
    except CellExecutionError as exc:
        raise _cell_error(nb, doc, exc) from None
    except CellTimeoutError as exc:
        raise _cell_error(nb, doc, exc, timeout=True) from None
    except (DeadKernelError, RuntimeError) as exc:
        log_handle.flush()
        tail = "\n".join(kernel_log.read_text(errors="replace").strip().splitlines()[-30:])
        raise RenderError(f"{doc.path}: the Jupyter kernel failed: {exc}\n--- kernel log ---\n{tail}") from None
    finally:
        log_handle.close()
        Path(km.connection_file).unlink(missing_ok=True)
        kernel_log.unlink(missing_ok=True)
    return nb


class InlineExpressionError(Exception):
    def __init__(self, expression: str, line: int, error: str) -> None:
        super().__init__(f"{expression}: {error}")
        self.expression, self.line, self.error = expression, line, error


def _inline_client_class():
    """nbclient's client, plus Quarto's handling of markdown cells: each cell's inline
    expressions are evaluated in the kernel, in document order, as Jupyter
    ``user_expressions``, and the results (MIME bundles) kept in the cell's metadata."""
    from nbclient import NotebookClient

    class InlineClient(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            if cell.cell_type == "markdown":
                await self._inline(cell)
                return cell
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

        async def _inline(self, cell) -> None:
            expressions = INLINE_EXPRESSION.findall(cell.source)
            cell.metadata.pop(USER_EXPRESSIONS, None)
            if not expressions:
                return
            wanted = {str(i): e for i, e in enumerate(expressions)}
            msg_id = self.kc.execute("", silent=False, store_history=False, user_expressions=wanted)
            reply = await self.async_wait_for_reply(msg_id)
            content = (reply or {}).get("content", {})
            line = int(cell.metadata.get("qmd", {}).get("line", 0))
            if content.get("status") != "ok":
                raise InlineExpressionError("", line, f"{content.get('ename')}: {content.get('evalue')}")
            results = []
            for key, expression in wanted.items():
                result = content.get(USER_EXPRESSIONS, {}).get(key, {})
                if result.get("status") != "ok":
                    at = line + next((n for n, text in enumerate(cell.source.split("\n")) if expression in text), 0)
                    raise InlineExpressionError(expression, at, f"{result.get('ename')}: {result.get('evalue')}")
                results.append({"expression": expression, "result": result})
            cell.metadata[USER_EXPRESSIONS] = results

    return InlineClient


def _InlineClient(*args, **kwargs):
    return _inline_client_class()(*args, **kwargs)


def _cell_error(nb: nbformat.NotebookNode, doc: QmdDocument, exc: Exception, timeout: bool = False) -> RenderError:
    """Find the failing cell (the first unexecuted or erroring one) and describe it in qmd terms."""
    failing = None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])) and "raises-exception" not in tags:
            failing = cell
            break
    if failing is None and timeout:
        # nbclient stops at the cell that timed out: the last one with an execution count set
        started = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
        failing = started[-1] if started else None
    detail = strip_ansi(str(exc)).strip()
    if failing is None:
        return RenderError(f"{doc.path}: execution failed: {detail}")
    tags = failing.metadata.get("tags", [])
    if SETUP_TAG in tags:
        return RenderError(f"{doc.path}: the render setup cell failed: {detail}")
    if INJECTED_TAG in tags:
        return ParameterError(f"{doc.path}: the injected parameters cell failed: {detail}")
    meta = failing.metadata.get("qmd", {})
    fence_line = int(meta.get("line", 0))
    chunk = next((c for c in doc.code_cells if c.line == fence_line), None)
    name = chunk.describe() if chunk else "a cell"
    where = f"{doc.path}:{fence_line}"
    error = next((o for o in failing.get("outputs", []) if o.get("output_type") == "error"), None)
    if timeout:
        return RenderError(f"{where}: {name} timed out: {detail}")
    summary = f"{error.get('ename')}: {error.get('evalue')}" if error else detail.splitlines()[-1]
    # IPython tracebacks say "Cell In[n], line k" for frames in cell n: map the failing cell's own
    # frame (n = its execution count) to the qmd line; later frames may be other cells' functions.
    traceback = strip_ansi("\n".join(error.get("traceback", []))) if error else detail
    count = failing.get("execution_count")
    match = next(
        (
            m
            for m in re.finditer(r"Cell In\[(\d+)\], line (\d+)", traceback)
            if count is None or int(m.group(1)) == count
        ),
        None,
    )
    if match:
        where = f"{doc.path}:{fence_line + int(match.group(2))}"
    source = failing.get("source", "")
    return RenderError(
        f"{where}: {name} (starting at line {fence_line}) raised {summary}\n\n"
        f"--- cell source ---\n{source}\n--- traceback ---\n{traceback}"
    )
