"""Run axe-core (npm ``axe-core``) on an HTML file in headless Chromium; no browser driver needed.

A copy of the page gets axe's script and a call that writes the violations into a ``<pre>``;
``chromium --dump-dom`` prints the DOM once axe has finished. Where axe-core lives:
``$AXE_CORE_JS`` (path to axe.min.js), else ``/tmp/axe/node_modules/axe-core/axe.min.js``.
Usable from the command line: ``python tests/accessibility.py page.html [...]``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

AXE_CANDIDATES = [os.environ.get("AXE_CORE_JS", ""), "/tmp/axe/node_modules/axe-core/axe.min.js"]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
RUN = """
<script>
axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  var pre = document.createElement("pre");
  pre.id = "axe-results";
  pre.textContent = JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
            targets: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); })};
  }));
  document.body.appendChild(pre);
});
</script>
"""


def axe_js() -> Path | None:
    return next((Path(p) for p in AXE_CANDIDATES if p and Path(p).is_file()), None)


def chromium() -> str | None:
    return next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)


def violations(page: Path, timeout: int = 180) -> list[dict]:
    """axe-core's violations for one HTML file (every rule axe runs by default)."""
    js, browser = axe_js(), chromium()
    if js is None or browser is None:
        raise FileNotFoundError("axe-core or Chromium not found")
    source = Path(page).read_text(encoding="utf-8")
    injected = f"<script>{js.read_text(encoding='utf-8')}</script>{RUN}"
    marked = source.replace("</body>", injected + "</body>", 1)
    with tempfile.TemporaryDirectory(prefix="axe-") as tmp:
        copy = Path(tmp) / "page.html"
        copy.write_text(marked, encoding="utf-8")
        proc = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--virtual-time-budget=60000",
                "--dump-dom",
                copy.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', proc.stdout, re.S)
    if not found:
        raise RuntimeError(f"axe produced no result for {page}: {proc.stderr[-2000:]}")
    return json.loads(html.unescape(found.group(1)))


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        result = violations(Path(arg))
        print(arg, json.dumps(result, indent=1))
