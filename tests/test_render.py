"""Report rendering: the fallback (Jupyter + Pandoc + Typst) end to end, the quarto command line
(against a stand-in `quarto` executable), and the .qmd reader's validation."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from succession.paths import REPORTS_DIR
from succession.render import ParameterError, QmdError, RenderError, md_table, render_document
from succession.render.qmd import read_qmd

SMOKE = REPORTS_DIR / "_smoke.qmd"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


# ---- fallback, end to end ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def smoke_render(tmp_path_factory):
    """Render _smoke.qmd once (HTML + PDF) with HOME pointing at an empty folder."""
    base = tmp_path_factory.mktemp("smoke")
    home = base / "home"
    home.mkdir()
    out = base / "out"
    real_home = Path.home()
    before = {p: p.exists() for p in (real_home / ".jupyter", real_home / ".ipython")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("MPLBACKEND", "Agg")  # a caller's Agg must not cost the report its figures
        result = render_document(
            SMOKE, {"who": "tester"}, out, ("html", "pdf"), env={"HOME": str(home)}, engine="fallback"
        )
    return result, out, home, before


@pytest.mark.slow
def test_smoke_html(smoke_render):
    result, out, _, _ = smoke_render
    assert result.engine == "fallback"
    assert result.outputs["html"] == out / "_smoke.html"
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert "Hello, <strong>tester</strong>!" in html  # the injected parameter, not the default
    assert "world" not in html
    for value in ("1,234", "5,678", "910", "12.5%", "87.5%", "Placements by region"):
        assert value in html
    assert 'style="text-align: right;">1,234' in html  # numeric column right-aligned
    assert 'aria-label="Bar chart of children in each of three regions" src="data:image/png;base64,' in html
    # inline expressions, as Quarto resolves them: values, Markdown, escaped plain strings
    assert re.search(r"Inline: 7822\s+children in total", html)
    assert "<strong>markdown</strong> result" in html and "plain tester*s" in html
    # a labelled cell with tbl-cap captions the table it outputs
    assert '<a href="#tbl-rates">Table 2</a>' in html and "Table 2: Rates by region" in html
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="en-GB"' in html
    assert 'id="fig-demo.one"' in html and 'title="demo.one"' in html
    # Quarto-style cross-references and caption numbering
    assert '<a href="#fig-children">Figure 1</a>' in html
    assert '<a href="#tbl-placements">Table 1</a>' in html
    assert "Figure 1: Children by region" in html
    # echo: false from _quarto.yml: no code in the report; self-contained: no intermediates left
    assert "import pandas" not in html and "md_table(" not in html
    assert not (out / "_smoke_files").exists()
    assert "<link" not in html  # css embedded
    assert "fig-id" in html and "border-collapse" in html


@pytest.mark.slow
def test_smoke_pdf(smoke_render):
    result, out, _, _ = smoke_render
    pdf = result.outputs["pdf"]
    assert pdf == out / "_smoke.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: PDF text not checked")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Hello, tester!" in text
    for value in ("1,234", "5,678", "910", "12.5%", "Placements by region", "Figure 1: Children by region"):
        assert value in text
    assert "charted in Figure 1" in text and "by region in Table 1" in text
    assert "7822" in text and "plain tester*s" in text and "in Table 2" in text


@pytest.mark.slow
def test_jupyter_state_stays_out_of_home_and_output_folder(smoke_render):
    _, out, home, before = smoke_render
    for leaked in (".jupyter", ".ipython", ".local/share/jupyter"):
        assert not (home / leaked).exists(), f"render wrote {leaked} into $HOME"
    for path, existed in before.items():
        assert path.exists() == existed, f"render created {path}"
    # the output folder is what gets published: only the rendered documents in it
    assert sorted(p.name for p in out.iterdir()) == ["_smoke.html", "_smoke.pdf"]


@pytest.mark.slow
def test_jupyter_state_in_given_folder(tmp_path):
    state = tmp_path / "state"
    render_document(SMOKE, {}, tmp_path / "out", ("html",), engine="fallback", state_dir=state)
    spec = json.loads((state / "data/kernels/python3/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert (state / "ipython").is_dir()
    assert not list((state / "runtime").iterdir())  # connection files cleaned up
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["_smoke.html"]


@pytest.mark.slow
def test_failing_cell_names_the_cell(tmp_path):
    qmd = _write(
        tmp_path / "doc/boom.qmd",
        """
        ---
        title: Boom
        ---

        ```{python}
        def explode(y):
            raise ValueError(f"kaboom {y}")
        ```

        ```{python}
        #| label: boom-cell
        y = 1 + 1
        explode(y)
        ```
        """,
    )
    with pytest.raises(RenderError) as info:
        render_document(qmd, {}, tmp_path / "out", ("html",), engine="fallback")
    message = str(info.value)
    assert f"{qmd}:13:" in message  # the failing call, in .qmd coordinates
    assert "cell 'boom-cell'" in message and "starting at line 10" in message
    assert "ValueError: kaboom 2" in message
    assert not (tmp_path / "out/boom.html").exists()


@pytest.mark.slow
def test_cell_options(tmp_path):
    _write(
        tmp_path / "proj/_quarto.yml",
        """
        project:
          type: default
        execute:
          echo: false
          warning: false
        """,
    )
    qmd = _write(
        tmp_path / "proj/opts.qmd",
        """
        ---
        title: Options
        ---

        ```{python}
        #| tags: [parameters]
        n = 1
        year = "2024"
        ```

        ```{python}
        #| echo: true
        shown_code = n * 2
        print("plain", type(n).__name__, shown_code, type(year).__name__, year)
        ```

        ```{python}
        #| include: false
        print("INCLUDED-FALSE")
        ```

        ```{python}
        #| output: false
        print("OUTPUT-FALSE")
        ```

        ```{python}
        #| eval: false
        raise SystemExit("must not run")
        ```

        ```{python}
        import sys
        print("STDERR-HIDDEN", file=sys.stderr)
        import pandas as pd
        pd.DataFrame({"col": [7]})
        ```

        ```{python}
        #| output: asis
        from IPython.display import Markdown, display
        display(Markdown("**from-markdown**"))
        ```

        {{< pagebreak >}}

        Tail text.
        """,
    )
    result = render_document(qmd, {"n": "3", "year": "2025"}, tmp_path / "out", ("html",), engine="fallback")
    html = result.outputs["html"].read_text(encoding="utf-8")
    assert "shown_code" in html  # echo: true
    assert "plain str 33 str 2025" in html  # params arrive as the strings given ("3" * 2), even "2025"
    assert "INCLUDED-FALSE" not in html and "OUTPUT-FALSE" not in html
    assert "must not run" not in html and "STDERR-HIDDEN" not in html
    assert "<td>7</td>" in html  # text/html display kept for HTML
    assert "<strong>from-markdown</strong>" in html
    assert "page-break-after" in html and "Tail text." in html


# ---- parameters and document validation (fast) --------------------------------------------------
def test_unknown_parameter_is_rejected(tmp_path):
    with pytest.raises(ParameterError, match=r"whom.*no default.*defaults: who"):
        render_document(SMOKE, {"whom": "x"}, tmp_path, engine="fallback")


def test_parameters_without_parameters_cell(tmp_path):
    qmd = _write(
        tmp_path / "plain.qmd",
        """
        ```{python}
        x = 1
        ```
        """,
    )
    with pytest.raises(ParameterError, match="no cell tagged `parameters`"):
        render_document(qmd, {"x": "2"}, tmp_path / "out", engine="fallback")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("```{python}\nx = 1\n", r"bad\.qmd:1: code cell is never closed"),
        ("```{r}\nx <- 1\n```\n", r"only \{python\} cells"),
        ("```{python echo=FALSE}\nx = 1\n```\n", r"'#\|' comment lines"),
        ("Value: `{r} x`\n", "inline `{r}` expressions are not supported"),
        ("{{< meta title >}}\n", r"shortcode \{\{< meta >\}\} is not supported"),
        ("---\ntitle: [unclosed\n---\n", "invalid YAML"),
        ("```{python}\n#| echo: [\nx = 1\n```\n", r"bad\.qmd:2 \(cell options\): invalid YAML"),
        (
            "```{python}\n#| tags: [parameters]\na = 1\n```\n```{python}\n#| tags: [parameters]\nb = 1\n```\n",
            "more than one cell tagged 'parameters'",
        ),
    ],
)
def test_bad_documents(tmp_path, body, message):
    qmd = tmp_path / "bad.qmd"
    qmd.write_text(body, encoding="utf-8")
    with pytest.raises(QmdError, match=message):
        render_document(qmd, {}, tmp_path / "out", engine="fallback")


def test_reader_keeps_display_blocks_and_options():
    doc = read_qmd(SMOKE)
    assert doc.project_dir == REPORTS_DIR
    assert doc.execute_options()["echo"] is False
    assert doc.parameter_defaults() == {"who": doc.parameters_cell.line + 2}
    chart = next(c for c in doc.code_cells if c.label == "fig-children")
    assert chart.options["fig-cap"] == "Children by region"
    assert chart.code.startswith("fig, ax")
    typst = doc.format_options("typst")
    assert typst["papersize"] == "a4" and typst["toc"] is True
    assert doc.format_options("html")["css"] == REPORTS_DIR / "styles.css"


def test_md_table():
    df = pd.DataFrame({"name": ["a|b", "c"], "n": [1234, None], "share": [0.5, 0.25]})
    text = md_table(df, formats={"share": ".0%"}, caption="Shares", label="tbl-shares")
    lines = text.strip().splitlines()
    assert lines[0] == "| name | n | share |"
    assert lines[1] == "|:---|---:|---:|"
    assert lines[2] == "| a\\|b | 1,234 | 50% |"
    assert lines[3] == "| c |  | 25% |"
    assert lines[-1] == ": Shares {#tbl-shares}"


# ---- quarto command line (stand-in executable) ---------------------------------------------------
FAKE_QUARTO = """\
#!{python}
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
with open(os.environ["FAKE_QUARTO_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "cwd": os.getcwd(),
                          "env": {{k: os.environ.get(k) for k in
                                  ("QUARTO_PYTHON", "JUPYTER_DATA_DIR", "IPYTHONDIR", "WAREHOUSE")}}}}) + "\\n")
to = args[args.index("--to") + 1]
out = Path(args[args.index("--output-dir") + 1])
out.mkdir(parents=True, exist_ok=True)
(out / (Path(args[1]).stem + {{"html": ".html", "typst": ".pdf"}}[to])).write_text("fake " + to)
"""


@pytest.mark.skipif(os.name == "nt", reason="stand-in quarto is a shebang script")
def test_quarto_command_line(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(FAKE_QUARTO.format(python=sys.executable))
    fake.chmod(0o755)
    log = tmp_path / "calls.jsonl"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_QUARTO_LOG": str(log),
        "WAREHOUSE": "/data/w.duckdb",
    }
    out = tmp_path / "out"
    result = render_document(SMOKE, {"who": "2024-25 Q4"}, out, env=env)  # engine="auto"
    assert result.engine == "quarto"
    assert result.outputs == {"html": out / "_smoke.html", "pdf": out / "_smoke.pdf"}
    assert (out / "_smoke.pdf").read_text() == "fake typst"
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [c["args"][c["args"].index("--to") + 1] for c in calls] == ["html", "typst"]
    for call in calls:
        args = call["args"]
        assert args[:2] == ["render", "_smoke.qmd"] and Path(call["cwd"]) == REPORTS_DIR
        assert args[args.index("-P") + 1] == 'who:"2024-25 Q4"'  # JSON-quoted: stays a string
        assert call["env"]["QUARTO_PYTHON"] == sys.executable
        assert not call["env"]["JUPYTER_DATA_DIR"].startswith(str(out))  # state never in the published folder
        assert call["env"]["WAREHOUSE"] == "/data/w.duckdb"
    assert not [p for p in out.iterdir() if p.name.startswith(".quarto-")]  # staging removed


def test_forced_quarto_without_quarto(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="not on PATH"):
        render_document(SMOKE, {}, tmp_path / "out", engine="quarto", env={"PATH": str(tmp_path)})
