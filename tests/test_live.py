"""The chapters as live notebooks, in a real JupyterLab in headless Chromium.

JupyterLab is started from the project's ``.venv`` (with jupyterlab-myst) on
127.0.0.1, on a free port, with a token (``--allow-root`` too, CI is root), over a
temporary copy of ``chapters/`` (so nothing it saves touches the sources), and
stopped at the end, also when a test fails; it keeps its notary (trust database and
signing key) in its temporary directory, shared with no other Jupyter.  Each notebook
is opened in a browser context of its own, and afterwards every session and kernel
is deleted, also those still starting.  Debian's ``/usr/bin/chromium`` is
driven by the Python ``playwright`` package, offline (every request to another
host is aborted).

For every chapter with a live dashboard (a code cell calling ``...dashboard(``, or
whose stored output is a dashboard's "Live dashboard: run this cell" text), one
kernel at a time:

* Run All, and wait for the kernel to go idle; no cell may end in an error;
* each dashboard rendered as widgets (the DOM contract with ``lstmlib.book.viz``:
  the VBox has class ``lstm-dashboard``, its image ``lstm-dashboard-image``, its
  readout ``lstm-dashboard-readout``), not as a text repr, not "model not found";
* every numeric control (ipywidgets ``FloatSlider``/``IntSlider``) is moved with the
  keyboard to a value that is **not** on the grid of the chapter's pre-drawn
  scrubbers (read from its stored outputs), and the image must change; so must it
  when the first toggle button that is off (a named choice, a mistake) is clicked;
* a screenshot of each dashboard goes to ``_build/screenshots/live/<chapter>.png``.

For every chapter (with or without a dashboard) the markdown, as jupyterlab-myst
renders it, must show no raw MyST (roles, targets, directives, ...), and the
browser console must show no errors.  jupyterlab-myst renders each notebook on its
own, so a reference to another chapter's label or to a MyST-NB figure (cell
metadata, jupyterlab-myst#176) cannot resolve there: it shows its text and logs a
console error; such errors are allowed when the label exists in the book.  A canary
notebook (not a chapter) checks that the raw-MyST check flags what does not render.

Run by ``bash scripts/test`` (it sets ``LSTM_LIVE=1``); alone:
``.venv/bin/pytest tests/test_live.py -m live -n0``; plain ``pytest`` skips them.
The timings of each chapter go to ``_build/screenshots/live/timings.txt``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from _browser import keep_offline

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
SHOTS = ROOT / "_build" / "screenshots" / "live"
RUN_ALL_TIMEOUT = 300  # s for one chapter's Run All (they take 10-60 s)
REDRAW_TIMEOUT = 30  # s for a dashboard to show a new frame

pytestmark = pytest.mark.live

# A code cell that builds a live dashboard: viz.dashboard(...), rnn_flow.live_dashboard(), ...
DASHBOARD_CALL = re.compile(r"\b\w*[Dd]ashboard\w*\s*\(")
DASHBOARD_TEXT = re.compile(r"^Live dashboard: run this cell", re.M)

# Raw MyST that a reader must never see in rendered markdown (outside code).
RAW_MYST = {
    "role": re.compile(r"\{[a-z][\w:.-]*\}`"),
    "target": re.compile(r"^\s*\([^\s()]+\)=\s*$", re.M),
    "colon fence": re.compile(r":::"),
    "backtick directive": re.compile(r"```\s*\{"),
    "unknown directive": re.compile(r"Unknown Directive"),
    "substitution": re.compile(r"\{\{.*?\}\}"),
    "equation label": re.compile(r"^\s*\$\$\s*\([^)]*\)\s*$|\$\$", re.M),
    "py role with ~ or <target>": re.compile(r"~lstmlib\.|<lstmlib\.[\w.]+>"),
    "numref template": re.compile(r"%s"),
    "math delimiter": re.compile(r"\\begin\{|\\\(|\\\["),
}


def chapters() -> list[Path]:
    return sorted(CHAPTERS.glob("[0-9]*.ipynb"))


def read_nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text_outputs(cell) -> str:
    texts = []
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/plain", "")
        texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts)


def is_dashboard_cell(cell) -> bool:
    """A code cell that calls a dashboard, or whose stored output is a Dashboard's text
    (``viz.Dashboard.text()``: "Live dashboard: run this cell ..."), e.g. ``live_clinic()``."""
    return cell["cell_type"] == "code" and bool(
        DASHBOARD_CALL.search(source(cell)) or DASHBOARD_TEXT.search(_text_outputs(cell)))


def dashboard_cells(path: Path) -> int:
    return sum(1 for c in read_nb(path)["cells"] if is_dashboard_cell(c))


@functools.cache
def dashboard_chapters() -> tuple[Path, ...]:
    return tuple(p for p in chapters() if dashboard_cells(p))


LABEL_PATTERNS = [re.compile(r"^\(([^\s()]+)\)=", re.M), re.compile(r"\$\$\s*\(([^\s()]+)\)"),
                  re.compile(r"^:(?:label|name):\s*(\S+)", re.M)]


def labels_in(path: Path) -> tuple[set[str], set[str]]:
    """(labels a markdown cell defines, MyST-NB figure names) of a notebook or .md file."""
    if path.suffix == ".md":
        texts, figures = [path.read_text(encoding="utf-8")], set()
    else:
        cells = read_nb(path)["cells"]
        texts = [source(c) for c in cells if c["cell_type"] == "markdown"]
        figures = {c.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
                   for c in cells} - {None}
    labels = {m for text in texts for pattern in LABEL_PATTERNS for m in pattern.findall(text)}
    return labels, figures


def book_labels() -> set[str]:
    found = set()
    for path in list(chapters()) + sorted(ROOT.glob("*.md")):
        labels, figures = labels_in(path)
        found |= labels | figures
    return found


def scrubber_grid(path: Path) -> set[float]:
    """Every numeric value on the grid of the notebook's pre-drawn scrubbers."""
    grid = set()
    for cell in read_nb(path)["cells"]:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            for match in re.finditer(r"var labels = (\{.*?\});", html):
                for values in json.loads(match.group(1)).values():
                    for value in values:
                        try:
                            grid.add(round(float(value), 9))
                        except ValueError:
                            pass
    return grid


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def _only_when_asked(request):
    """Like the site tests: slow, so only with --site (scripts/test), LSTM_LIVE=1 or -m live.
    (The tests that need no JupyterLab always run.)"""
    asked = (request.config.getoption("--site", default=False)
             or os.environ.get("LSTM_LIVE") == "1"
             or "live" in (request.config.getoption("markexpr") or ""))
    if not asked:
        pytest.skip("live tests need --site, LSTM_LIVE=1 or -m live (bash scripts/test runs them)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(directory: Path):
    """User settings for the test's JupyterLab: every cell in the DOM, no autosave, no news."""
    settings = {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                        "checkForUpdates": False},
        "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    }
    for name, values in settings.items():
        path = directory / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


CANARY = "live_test_canary.ipynb"
# Markdown the raw-MyST check must pass (cell 0) and must flag (cells 1-3), so the
# check is known to see what a reader sees.
CANARY_CELLS = [
    "(sec-canary)=\n## Canary\n\nSee {ref}`sec-canary`, {eq}`eq-canary`, "
    "{py:func}`lstmlib.rnn.rnn_forward`, {cite:p}`hochreiter1997` and $x$.\n\n"
    "$$\nx = 1\n$$ (eq-canary)\n\n:::{admonition} A box\nText.\n:::\n\n"
    ":::{dropdown} Folded\nHidden.\n:::",
    "A role with a tilde: {py:func}`~lstmlib.rnn.rnn_forward`.",
    "A substitution: {{ name }}.",
    "```{literalinclude-unknown} x\n```",
]
CANARY_FLAGS = {1: "py role with ~ or <target>", 2: "substitution", 3: "unknown directive"}


def _write_canary(path: Path):
    cells = [{"cell_type": "markdown", "id": f"canary-{i}", "metadata": {}, "source": text}
             for i, text in enumerate(CANARY_CELLS)]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}}}
    path.write_text(json.dumps(nb), encoding="utf-8")


def _jupyter_lab() -> list[str]:
    venv = ROOT / ".venv" / "bin" / "jupyter-lab"
    return [str(venv)] if venv.exists() else [sys.executable, "-m", "jupyterlab"]


@dataclasses.dataclass
class Lab:
    base: str  # http://127.0.0.1:PORT
    token: str
    log: Path
    started: float  # seconds it took to start
    book: Path  # the copy it serves (tests read the chapters from here, not the sources)
    log_offset: int = 0  # where the log stood when the current notebook was opened

    def chapter(self, path: Path) -> Path:
        copy = self.book / "chapters" / path.name
        if not copy.exists():
            pytest.fail(f"{path.name} is not in chapters/ any more", pytrace=False)
        return copy


@pytest.fixture(scope="module")
def lab(_only_when_asked, tmp_path_factory):
    """A running JupyterLab over a copy of the book (chapters copied: they may change)."""
    home = tmp_path_factory.mktemp("live")
    book = home / "book"
    book.mkdir()
    for entry in ROOT.iterdir():  # the chapters copied, everything else linked (../ paths)
        if entry.name == "chapters":
            shutil.copytree(entry, book / "chapters",
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif entry.name not in {".git", "_build", ".venv"}:
            (book / entry.name).symlink_to(entry)
    _write_canary(book / CANARY)
    _settings(home / "settings")
    (home / "data").mkdir()  # the notary's (trust database, signing key): see cmd below
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    env.pop("MPLBACKEND", None)  # the kernels must pick matplotlib's inline backend
    log = home / "jupyterlab.log"
    cmd = _jupyter_lab() + [
        "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={book}", "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--MappingKernelManager.cull_idle_timeout=0",
        # its own trust database and signing key, not the user's ~/.local/share/jupyter
        f"--NotebookNotary.data_dir={home / 'data'}"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=book, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()[-4000:]}",
                            pytrace=False)
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-4000:]}",
                                pytrace=False)
                time.sleep(0.5)
        started = time.monotonic() - deadline + 90
        yield Lab(base, token, log, started, book)
    finally:
        _stop(proc, base, token)


def _api(base, token, path, method="GET"):
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _delete(base, token, path):
    try:
        _api(base, token, path, method="DELETE")
    except urllib.error.HTTPError as err:
        if err.code != 404:  # 404: it went away by itself meanwhile
            raise


def _shutdown_kernels(base, token, timeout=60):
    """Delete every session and kernel, and those that appear meanwhile: a kernel the
    closed page asked for can still be starting (its session appears when it has)."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 2 and time.monotonic() < deadline:
        sessions = _api(base, token, "/api/sessions") or []
        for session in sessions:
            _delete(base, token, f"/api/sessions/{session['id']}")
        kernels = _api(base, token, "/api/kernels") or []
        for kernel in kernels:
            _delete(base, token, f"/api/kernels/{kernel['id']}")
        quiet = 0 if sessions or kernels else quiet + 1
        time.sleep(0.5)


def _stop(proc, base, token):
    """Shut the kernels down, then the server (its kernels run in their own sessions)."""
    if proc.poll() is None:
        try:
            _shutdown_kernels(base, token)
            _api(base, token, "/api/shutdown", method="POST")
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            pass
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def timings():
    found = {}
    yield found
    if found:
        SHOTS.mkdir(parents=True, exist_ok=True)
        lines = [f"{name}: {text}" for name, text in sorted(found.items())]
        (SHOTS / "timings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- in-page JS

JS_NOTEBOOK_READY = """
() => {
  const app = window.jupyterapp;
  const nb = app && app.shell.currentWidget;
  if (!nb || !nb.content || !nb.sessionContext) return 'no notebook';
  if (!nb.context.isReady) return 'loading';
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return 'kernel ' + (kernel ? kernel.status : 'none');
  return 'ready';
}
"""

JS_RUN_ALL = """
() => {
  window.__runAll = 'running';
  window.jupyterapp.commands.execute('notebook:run-all-cells')
    .then(ok => { window.__runAll = ok === false ? 'errors' : 'done'; })
    .catch(e => { window.__runAll = 'failed: ' + e; });
}
"""

JS_RUN_STATE = """
() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
  return {run: window.__runAll, kernel: kernel ? kernel.status : 'none',
          pending: cells.filter(c => c.promptNode && c.promptNode.textContent.includes('*'))
                        .length};
}
"""

JS_ERRORS = """
() => window.jupyterapp.shell.currentWidget.content.widgets
  .map((cell, index) => [index, cell.model.type === 'code' ? cell.model.outputs.toJSON() : []])
  .flatMap(([index, outputs]) => outputs.filter(o => o.output_type === 'error')
    .map(o => `cell ${index}: ${o.ename}: ${o.evalue}`.slice(0, 1500)))
"""

# The rendered text of every markdown cell, without code and typeset math.
JS_MARKDOWN = """
() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.map((cell, index) => {
    if (cell.model.type !== 'markdown') return null;
    const shown = cell.node.querySelector('.myst') || cell.node.querySelector('.jp-MarkdownOutput');
    if (!shown || !cell.rendered) return {index, text: null};
    const clone = shown.cloneNode(true);
    clone.querySelectorAll('pre, code, .katex, .MathJax, mjx-container, script, style')
         .forEach(e => e.remove());
    return {index, text: clone.innerText,
            mathErrors: Array.from(shown.querySelectorAll('.katex-error'))
                             .map(e => e.textContent.slice(0, 120))};
  }).filter(x => x);
}
"""

JS_DASHBOARDS = """
() => Array.from(document.querySelectorAll('.jp-Notebook .lstm-dashboard')).map(d => {
  const img = d.querySelector('img.lstm-dashboard-image, .lstm-dashboard-image img');
  return {
    image: img ? img.getAttribute('src') : null,
    imageSize: img ? [img.naturalWidth, img.clientWidth] : null,
    readout: !!d.querySelector('.lstm-dashboard-readout'),
    busy: !!d.querySelector('.lstm-dashboard-busy'),
    sliders: d.querySelectorAll('.widget-hslider').length,
  };
})
"""


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def opened(browser, lab, rel: str):
    """The notebook open in a new page, its kernel idle: yields (page, console problems).

    Afterwards (also when the test fails, or the notebook never got ready) the page
    is closed and every kernel shut down, those still starting included."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)  # JupyterLab loads slowly on 2 busy cores
    problems: list[str] = []
    keep_offline(context, problems)
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))
        page.on("console", lambda m: problems.append(f"console error: {m.text} "
                                                     f"(at {m.location.get('url')})")
                if m.type == "error" else None)
        # A failed request is logged by the browser without its URL: record the URL;
        # the server's own account of it comes from its log (server_errors).
        page.on("response", lambda r: problems.append(
            f"server error: {r.status} for {r.request.method} {r.url.split('?')[0]}")
            if r.status >= 500 else None)
        lab.log_offset = lab.log.stat().st_size
        page.goto(f"{lab.base}/lab/tree/{rel}?token={lab.token}&reset", wait_until="commit")
        deadline = time.monotonic() + 120
        state = None
        while time.monotonic() < deadline:
            state = page.evaluate(JS_NOTEBOOK_READY)
            if state == "ready":
                break
            page.wait_for_timeout(500)  # not time.sleep: Playwright serves routes meanwhile
        else:
            pytest.fail(f"{rel}: notebook not ready in JupyterLab ({state})", pytrace=False)
        yield page, problems
    finally:
        context.close()
        _shutdown_kernels(lab.base, lab.token)


def wait_markdown(page, rel, count: int):
    """The rendered markdown cells (jupyterlab-myst renders asynchronously)."""
    deadline = time.monotonic() + 60
    previous = None
    while True:
        cells = page.evaluate(JS_MARKDOWN)
        rendered = len(cells) == count and all(c["text"] is not None for c in cells)
        if rendered and cells == previous:  # MyST re-renders (references, eval) settled
            return cells
        if time.monotonic() > deadline:
            missing = [c["index"] for c in cells if c["text"] is None]
            pytest.fail(f"{rel}: {len(cells)} of {count} markdown cells in JupyterLab, "
                        f"not rendered: {missing}; or still changing", pytrace=False)
        previous = cells if rendered else None
        page.wait_for_timeout(500)


def raw_myst_kinds(text: str) -> set[str]:
    """The kinds of raw MyST (keys of RAW_MYST) in a rendered text."""
    return {kind for kind, pattern in RAW_MYST.items() if pattern.search(text)}


def raw_myst_problems(cells) -> list[str]:
    found = []
    for cell in cells:
        for kind, pattern in RAW_MYST.items():
            for match in pattern.finditer(cell["text"]):
                start = max(0, match.start() - 50)
                snippet = cell["text"][start:match.end() + 50].replace("\n", " ")
                found.append(f"cell {cell['index']}: raw MyST ({kind}): ...{snippet}...")
        for error in cell.get("mathErrors") or []:
            found.append(f"cell {cell['index']}: math error: {error}")
    return found


UNRESOLVED = re.compile(r'Cross reference target was not found: (\S+)'
                        r'|No target for internal reference "#([^"]+)"')


def console_problems(problems, path: Path) -> tuple[list[str], list[str]]:
    """(errors, tolerated): jupyterlab-myst's unresolved references are tolerated when
    the label is another chapter's (or page's) or one of this notebook's MyST-NB figures,
    which a notebook rendered on its own cannot resolve."""
    own_labels, own_figures = labels_in(path)
    elsewhere = book_labels() - own_labels
    errors, tolerated = [], []
    for text in problems:
        found = [a or b for a, b in UNRESOLVED.findall(text)]
        if found and text.startswith("console error:"):
            bad = [label for label in found
                   if not (label in own_figures or label in elsewhere)]
            if not bad:
                tolerated.extend(found)
                continue
        errors.append(text)
    return errors, sorted(set(tolerated))


SERVER_ERROR = re.compile(r"^\[E \d")  # the start of an error record in JupyterLab's log


def server_errors(lab) -> str:
    """The error records (tracebacks included) JupyterLab logged since the notebook was
    opened, for a failure message."""
    with open(lab.log, encoding="utf-8", errors="replace") as log:
        log.seek(lab.log_offset)
        lines = log.read().splitlines()
    records, keep = [], False
    for line in lines:
        if line.startswith("["):
            keep = bool(SERVER_ERROR.match(line))
        if keep:
            records.append(line)
    return "\n".join(records[-80:])


def console_report(errors, rel, lab) -> str:
    """The failure message for console errors, with the server's errors from its log."""
    log = server_errors(lab)
    return (f"{rel}: browser console:\n" + "\n".join(errors)
            + (f"\nJupyterLab's log:\n{log}" if log else ""))


def markdown_count(path: Path) -> int:
    return sum(1 for c in read_nb(path)["cells"] if c["cell_type"] == "markdown")


def move_slider(page, dashboard, slider_index, grid):
    """Move one numeric slider with the keyboard to a value off the scrubbers' grid.

    Returns (old readout text, new readout text)."""
    slider = dashboard.locator(".widget-hslider").nth(slider_index)
    readout = slider.locator(".widget-readout")
    old = readout.inner_text().strip()
    handle = slider.locator(".noUi-handle")
    handle.focus()
    key = "ArrowRight"
    for attempt in range(8):
        before = readout.inner_text().strip()
        handle.press(key)
        now = before
        for _ in range(20):  # up to 2 s for the readout to follow the key
            page.wait_for_timeout(100)
            now = readout.inner_text().strip()
            if now != before:
                break
        if now == before:  # at the end of its range: go the other way
            key = "ArrowLeft"
            continue
        try:
            on_grid = round(float(now), 9) in grid
        except ValueError:
            on_grid = False
        if not on_grid:
            return old, now
    pytest.fail(f"could not move slider {slider_index} off the scrubbers' grid "
                f"(readout {old!r} -> {readout.inner_text()!r})", pytrace=False)


def wait_new_image(page, i, before, rel, what):
    """Wait for dashboard i to show an image other than ``before``, and then to settle
    (the same image, not busy, for half a second), so that a late frame of this move
    is not taken for the next one's."""
    deadline = time.monotonic() + REDRAW_TIMEOUT
    changed, stable_since = None, None
    while True:
        now = page.evaluate(JS_DASHBOARDS)[i]
        if now["image"] != before and not now["busy"]:
            if now["image"] != changed:
                changed, stable_since = now["image"], time.monotonic()
            elif time.monotonic() - stable_since >= 0.5:
                return
        else:
            changed = None
        if time.monotonic() > deadline:
            pytest.fail(f"{rel}: dashboard {i + 1}: {what}, the image did not change in "
                        f"{REDRAW_TIMEOUT} s", pytrace=False)
        page.wait_for_timeout(100)


def toggle_one(page, dashboard, i, rel):
    """Click the first toggle button that is off (a named choice, or a mistake switched
    on); the image must change. Returns its label, or None when there is none."""
    buttons = dashboard.locator(".widget-toggle-button:not(.mod-active)")
    if not buttons.count():
        return None
    button = buttons.first
    label = button.inner_text().strip()
    before = page.evaluate(JS_DASHBOARDS)[i]["image"]
    button.click()
    wait_new_image(page, i, before, rel, f"toggle {label!r} clicked")
    return label


# --------------------------------------------------------------------------- tests


# The chapters whose live dashboards are tested below: a chapter that lost its
# dashboard would otherwise move quietly to test_live_markdown, which runs nothing.
DASHBOARD_CHAPTERS = {"01_rnn_vanishing", "02_lstm_forward", "04_bptt_stacking",
                      "05_peephole", "07_checking_your_code"}

# One rendered text per kind of raw MyST the check must flag.
RAW_SAMPLES = {
    "role": "See {ref}`sec-x` for more.",
    "target": "(sec-x)=",
    "colon fence": ":::{note}",
    "backtick directive": "```{note}",
    "unknown directive": "Unknown Directive: literalinclude",
    "substitution": "A {{ name }} here.",
    "equation label": "$$ (eq-x)",
    "py role with ~ or <target>": "the function ~lstmlib.rnn.rnn_forward",
    "numref template": "Figure %s shows it.",
    "math delimiter": "\\begin{align} x \\end{align}",
}


def test_dashboards_are_found():
    found = {p.stem for p in dashboard_chapters()}
    assert found == DASHBOARD_CHAPTERS, (
        f"chapters with a live dashboard: {sorted(found)}, expected "
        f"{sorted(DASHBOARD_CHAPTERS)}")


@pytest.mark.parametrize("kind", RAW_MYST)
def test_the_raw_myst_check_flags_each_kind(kind):
    assert kind in RAW_SAMPLES, f"no sample of {kind!r} for the raw-MyST check"
    assert kind in raw_myst_kinds(RAW_SAMPLES[kind]), \
        f"{RAW_SAMPLES[kind]!r} is not flagged as {kind!r}"


def test_the_raw_myst_check_passes_rendered_text():
    rendered = ("Section 2.1 (the backward pass) shows dL/dh, see Figure 3 and (1).\n"
                "A sentence with x = 1, a {set} and a ratio of 0.5.")
    assert raw_myst_kinds(rendered) == set()


def run_all(page, rel):
    """Run All, waiting for the kernel to go idle; returns the seconds it took."""
    page.evaluate(JS_RUN_ALL)
    t0 = time.perf_counter()
    while True:
        state = page.evaluate(JS_RUN_STATE)
        if state["run"] != "running" and state["kernel"] == "idle" and not state["pending"]:
            break
        if time.perf_counter() - t0 > RUN_ALL_TIMEOUT:
            pytest.fail(f"{rel}: Run All not finished after {RUN_ALL_TIMEOUT} s: {state}",
                        pytrace=False)
        page.wait_for_timeout(500)
    errors = page.evaluate(JS_ERRORS)
    assert not errors and state["run"] == "done", \
        f"{rel}: Run All ended with errors ({state['run']}):\n" + "\n---\n".join(errors)
    return time.perf_counter() - t0


def wait_dashboards(page, rel, expected: int):
    """The rendered dashboards, once all ``expected`` of them are in the DOM."""
    deadline = time.monotonic() + 60
    while True:
        dashboards = page.evaluate(JS_DASHBOARDS)
        if len(dashboards) == expected and all(d["image"] for d in dashboards):
            return dashboards
        if time.monotonic() > deadline:
            pytest.fail(f"{rel}: {expected} dashboard cells, {len(dashboards)} rendered as "
                        "widgets with an image (class lstm-dashboard)", pytrace=False)
        page.wait_for_timeout(500)


@pytest.mark.parametrize("path", dashboard_chapters(), ids=lambda p: p.stem)
def test_live_dashboards(path, lab, browser, timings):
    rel = f"chapters/{path.name}"
    path = lab.chapter(path)  # the copy JupyterLab serves
    t0 = time.perf_counter()
    with opened(browser, lab, rel) as (page, problems):
        t_open = time.perf_counter() - t0
        t_run = run_all(page, rel)
        dashboards = wait_dashboards(page, rel, dashboard_cells(path))
        text = page.locator(".jp-Notebook").inner_text()
        assert "model not found" not in text.lower(), f"{rel}: a widget model was not found"
        grid = scrubber_grid(path)
        SHOTS.mkdir(parents=True, exist_ok=True)
        moved = []
        t2 = time.perf_counter()
        for i, info in enumerate(dashboards):
            assert info["readout"], f"{rel}: dashboard {i + 1} has no readout"
            assert info["sliders"], f"{rel}: dashboard {i + 1} has no numeric slider"
            dashboard = page.locator(".jp-Notebook .lstm-dashboard").nth(i)
            dashboard.scroll_into_view_if_needed()
            for s in range(info["sliders"]):
                before = page.evaluate(JS_DASHBOARDS)[i]["image"]
                old, new = move_slider(page, dashboard, s, grid)
                wait_new_image(page, i, before, rel, f"slider {s + 1} moved {old} -> {new}")
                moved.append(f"{old}->{new}")
            toggled = toggle_one(page, dashboard, i, rel)
            if toggled:
                moved.append(f"toggled {toggled!r}")
            name = path.stem if i == 0 else f"{path.stem}-{i + 1}"
            dashboard.screenshot(path=str(SHOTS / f"{name}.png"))
        t_move = time.perf_counter() - t2

        markdown = wait_markdown(page, rel, markdown_count(path))
        raw = raw_myst_problems(markdown)
        errors, tolerated = console_problems(problems, path)
        timings[path.stem] = (f"open {t_open:.1f} s, run all {t_run:.1f} s, "
                              f"{len(moved)} moves {t_move:.1f} s ({', '.join(moved)}; "
                              f"off a grid of {len(grid)} scrubber values); "
                              f"{len(tolerated)} labels of other chapters/figures unresolved there")
        assert not raw, f"{rel}: raw MyST in JupyterLab:\n" + "\n".join(raw)
        assert not errors, console_report(errors, rel, lab)


@pytest.mark.parametrize("path", [p for p in chapters() if p not in dashboard_chapters()],
                         ids=lambda p: p.stem)
def test_live_markdown(path, lab, browser, timings):
    """Chapters without a dashboard: opened (not run), no raw MyST, no console error."""
    rel = f"chapters/{path.name}"
    path = lab.chapter(path)  # the copy JupyterLab serves
    t0 = time.perf_counter()
    with opened(browser, lab, rel) as (page, problems):
        markdown = wait_markdown(page, rel, markdown_count(path))
        raw = raw_myst_problems(markdown)
        errors, tolerated = console_problems(problems, path)
        timings[path.stem] = (f"opened and checked in {time.perf_counter() - t0:.1f} s; "
                              f"{len(tolerated)} labels of other chapters/figures unresolved there")
        assert not raw, f"{rel}: raw MyST in JupyterLab:\n" + "\n".join(raw)
        assert not errors, console_report(errors, rel, lab)


def test_live_raw_myst_check_sees_raw_myst(lab, browser, timings):
    """The check on what JupyterLab really shows: it passes MyST that renders and flags
    MyST that does not."""
    timings["jupyterlab"] = f"started in {lab.started:.1f} s"
    with opened(browser, lab, CANARY) as (page, _):
        cells = wait_markdown(page, CANARY, len(CANARY_CELLS))
    flagged = {cell["index"]: raw_myst_kinds(cell["text"]) for cell in cells}
    assert not flagged[0], f"MyST that renders was flagged: {flagged[0]}"
    for index, kind in CANARY_FLAGS.items():
        assert kind in flagged[index], \
            f"raw MyST in canary cell {index} not flagged as {kind!r}: {flagged}"
