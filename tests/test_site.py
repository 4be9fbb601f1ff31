"""The built site works offline, as a reader sees it (run with ``--site``).

The book is built first if ``_build/html`` is missing or older than its sources
(``bash scripts/build-book``).  Then ``_build/html`` is served from 127.0.0.1 and
every page is opened in Debian's headless Chromium (``/usr/bin/chromium``, driven
by the Python ``playwright`` package; no ``playwright install``), with every
request to any other host aborted and recorded.  On each page:

* no request to another host, no local 4xx/5xx, no JavaScript error;
* math, if any, typeset by the *local* MathJax (every ``.math`` holds an
  ``mjx-container``, no ``mjx-merror``, no raw ``\\(``, ``\\[``, ``$$`` left in the text);
* every ``<img>`` loaded (``naturalWidth > 0``);
* no error outputs (tracebacks), no blank output areas, no live-widget views;
* scrubbers work: matplotlib ``to_jshtml`` animations (``div.animation``) and our
  own ``.lstm-scrubber`` elements are operated (slider moved, "next frame"
  clicked) and the displayed frame must change;
* code blocks have copy buttons; chapter pages offer their ``.ipynb`` for download.

A full-page screenshot of each page is saved to ``_build/screenshots/``.
``linkchecker`` checks every internal link (external URLs are not fetched), and
the cheat sheet must print on two A4 or Letter pages.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from _browser import is_local, keep_offline
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
HASH_FILE = ROOT / "_build" / ".book-sources.sha256"

pytestmark = pytest.mark.site


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return pages


def source_pages() -> list[str]:
    """The highlighted-source pages sphinx.ext.viewcode makes for the API page.

    viewcode writes one page per module that defines a function or class the API
    page documents (a package's re-exports are shown in the modules that define
    them), plus the index of them all. Autodoc documents a module's ``__all__`` if it
    has one, else what the module defines itself; ``:no-members:`` documents none.
    """
    import importlib
    import inspect

    api = (ROOT / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^\.\. automodule:: ([\w.]+)\n((?:   .*\n)*)", api, re.M)
    defining = set()
    for name, options in blocks:
        if ":no-members:" in options:
            continue
        module = importlib.import_module(name)
        listed = re.search(r":members: (.+(?:\n      .+)*)", options)
        names = (listed.group(1).replace(",", " ").split() if listed
                 else getattr(module, "__all__", None) or vars(module))
        for member in names:
            obj = getattr(module, member, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not member.startswith("_"):
                if listed or hasattr(module, "__all__") or obj.__module__ == name:
                    defining.add(obj.__module__)
    return ["_modules/index"] + sorted(f"_modules/{m.replace('.', '/')}" for m in defining
                                       if m.startswith("lstmlib"))


# Every page a reader can reach: the toc, the API page's source pages, and Sphinx's
# own index and search pages.
PAGES = toc_pages() + source_pages() + ["genindex", "search"]


def _sources_hash() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from book_sources_hash import sources_hash
    finally:
        sys.path.pop(0)
    return sources_hash(ROOT)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site() -> Path:
    fresh = (
        (SITE / "index.html").is_file()
        and HASH_FILE.is_file()
        and HASH_FILE.read_text().strip() == _sources_hash()
    )
    if not fresh:
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "build-book")],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if proc.returncode != 0:
            pytest.fail("book build failed:\n" + proc.stdout[-8000:], pytrace=False)
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the stdlib
        pass

    def end_headers(self):
        # LinkChecker only goes faster than ~3 requests/s against servers that
        # send this header (see its `maxrequestspersecond` setting).
        self.send_header("LinkChecker", "local test server")
        super().end_headers()


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- in-page JS

JS_WAIT_IMAGES = """
() => {
  for (const img of document.images) if (img.loading === 'lazy') img.loading = 'eager';
  return Array.from(document.images).every(i => !i.getAttribute('src') || i.complete);
}
"""

JS_BROKEN_IMAGES = """
() => Array.from(document.images)
  .filter(i => i.getAttribute('src') && !(i.complete && i.naturalWidth > 0))
  .map(i => (i.id ? '#' + i.id + ' ' : '') + i.getAttribute('src').slice(0, 120))
"""

JS_MATH = r"""
() => {
  const math = Array.from(document.querySelectorAll('.math'));
  return {
    count: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container'))
                   .map(m => m.textContent.trim().slice(0, 80)),
    errors: Array.from(document.querySelectorAll('mjx-merror'))
                 .map(e => e.getAttribute('data-mjx-error') || e.textContent)
                 // undefined macros (MathJax's noundefined package): red text
                 .concat(Array.from(document.querySelectorAll('mjx-container mjx-mtext'))
                         .filter(e => /color:\s*red/.test(e.getAttribute('style') || ''))
                         .map(e => {
                           const mml = e.closest('mjx-container')
                                        .querySelector('mjx-assistive-mml [mathcolor="red"]');
                           return 'undefined macro ' + (mml ? mml.textContent : '(red text)');
                         })),
    // a macro inside \\text{}/\\texttt{} is not expanded: "dprev\\_c" shows its backslash
    literal: Array.from(document.querySelectorAll('mjx-assistive-mml mtext'))
                  .map(e => e.textContent).filter(t => t.includes('\\')),
    mathjax: !!(window.MathJax && window.MathJax.startup),
    scripts: Array.from(document.scripts).map(s => s.getAttribute('src') || '')
                  .filter(s => s.includes('mathjax')),
  };
}
"""

# Visible article text, without code, scripts and typeset math.
JS_PROSE_TEXT = """
() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight,'
                         + ' .MathJax, mjx-assistive-mml').forEach(e => e.remove());
  return clone.textContent;
}
"""

JS_OVERFLOW = """
() => Array.from(document.querySelectorAll(
        "div.cell div.highlight pre, div.cell_output pre, div.output pre"))
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => [el.textContent.trim().split("\\n")[0].slice(0, 60), el.scrollWidth,
              el.clientWidth])
"""

# A matplotlib figure in a cell's output sits in a <figure> with a numbered caption.
JS_UNCAPTIONED = """
() => Array.from(document.querySelectorAll("div.cell_output img"))
  .filter(img => !img.closest(".lstm-scrubber") && !img.closest("div.animation"))
  // a training's progress display (its last line and loss curve), not a figure
  .filter(img => !img.classList.contains("lstm-progress-curve"))
  .filter(img => {
    const fig = img.closest("figure");
    return !(fig && fig.querySelector("figcaption span.caption-number"));
  })
  .map(img => (img.getAttribute("alt") || img.getAttribute("src") || "").slice(0, 60))
"""

JS_OUTPUTS = """
() => {
  const visible = el => {
    const r = el.getBoundingClientRect();
    const media = 'img, svg, canvas, video, iframe, table, mjx-container, input';
    const content = el.matches(media) || el.innerText.trim() !== '' || el.querySelector(media);
    return r.height > 0 && r.width > 0 && !!content;
  };
  const problems = [];
  document.querySelectorAll('.cell_output').forEach((out, i) => {
    if (!visible(out)) problems.push(`output area ${i} is blank`);
    for (const child of out.children) {
      if (['SCRIPT', 'STYLE', 'LINK'].includes(child.tagName)) continue;
      if (!visible(child)) problems.push(`output area ${i} has a blank output <${child.tagName.toLowerCase()} class="${child.className}">`);
    }
  });
  document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')
    .forEach(() => problems.push('a live ipywidget view is on the static page (tag its cell remove-output)'));
  document.querySelectorAll('.output.traceback, .output.error, .cell_output .traceback')
    .forEach(e => problems.push('error output: ' + e.innerText.trim().split('\\n').slice(-1)[0]));
  document.querySelectorAll('.output.stderr').forEach(e => {
    if (e.innerText.includes('Traceback')) problems.push('traceback on stderr: ' + e.innerText.slice(0, 200));
  });
  return problems;
}
"""

JS_SCRUBBERS = """
() => {
  const ours = Array.from(document.querySelectorAll('div.animation, .lstm-scrubber'));
  const stray = Array.from(document.querySelectorAll('input[type=range]'))
    .filter(r => !r.closest('div.animation, .lstm-scrubber'));
  ours.forEach((el, i) => el.setAttribute('data-scrubber-test', String(i)));
  return {count: ours.length, stray: stray.length};
}
"""

JS_SNAPSHOT = """
el => {
  const imgs = Array.from(el.querySelectorAll('img')).map(i => i.getAttribute('src') || '');
  return imgs.length ? imgs.join('|') : el.innerHTML;
}
"""

JS_SLIDER_COUNT = "el => el.querySelectorAll('input[type=range]').length"

# Put every slider of a scrubber except k at its max (some controls only matter
# in some settings of the others, e.g. a forget-gate bias when the model is an LSTM).
JS_OTHERS_TO_MAX = """
(el, k) => el.querySelectorAll('input[type=range]').forEach((r, j) => {
  if (j === k) return;
  r.value = r.max;
  r.dispatchEvent(new Event('input', {bubbles: true}));
  r.dispatchEvent(new Event('change', {bubbles: true}));
})
"""

# Move slider k of a scrubber to its other end (max, or min if already at max).
JS_MOVE_SLIDER = """
(el, k) => {
  const r = el.querySelectorAll('input[type=range]')[k];
  const lo = Number(r.min || 0), hi = Number(r.max || 100);
  if (!(hi > lo)) return `slider ${k} has a single position (min=${lo}, max=${hi})`;
  r.value = String(Number(r.value) >= hi ? lo : hi);
  r.dispatchEvent(new Event('input', {bubbles: true}));
  r.dispatchEvent(new Event('change', {bubbles: true}));
  return '';
}
"""


# --------------------------------------------------------------------------- tests


def test_every_built_page_is_checked(site):
    built = sorted(
        p.relative_to(site).with_suffix("").as_posix()
        for p in site.rglob("*.html")
        if not {"_static", "_sources", "_images", "jupyter_execute"} & set(p.relative_to(site).parts)
    )
    unchecked = [p for p in built if p not in PAGES and p != "index"]
    assert not unchecked, f"pages built but not in _toc.yml (so never browser-tested): {unchecked}"


def test_mathjax_is_served_locally(site):
    entry = site / "_static" / "mathjax" / "tex-mml-chtml.js"
    assert entry.is_file(), "local MathJax missing from the built site"
    fonts = list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert fonts, "MathJax CHTML fonts missing from the built site"


def test_internal_links(base_url, tmp_path):
    """linkchecker over the served site: every internal link and #anchor must resolve
    (warnings count as failures); other hosts are never fetched.

    (Over HTTP rather than file://: run as root, linkchecker drops to user
    "nobody", who may not be able to read the checkout.)
    """
    config = tmp_path / "linkcheckerrc"
    config.write_text("[checking]\nmaxrequestspersecond=200\n\n[AnchorCheck]\n", encoding="utf-8")
    exe = Path(sys.executable).with_name("linkchecker")
    cmd = [
        str(exe),
        f"--config={config}",
        "--no-status",
        "--no-robots",
        "--threads=2",
        "--timeout=30",
        r"--ignore-url=^https?://(?!127\.0\.0\.1[:/])",
        "--ignore-url=^(mailto|javascript|data):",
        # matplotlib's to_jshtml puts a dummy `action="#n"` on its mode <form>
        r"--ignore-url=\.html#n$",
        base_url + "index.html",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, "broken internal links:\n" + proc.stdout[-8000:] + proc.stderr[-2000:]


@pytest.mark.parametrize("name", PAGES)
def test_page(name, site, base_url, browser):
    path = site / f"{name}.html"
    assert path.is_file(), f"{path.relative_to(ROOT)} was not built"

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(30_000)

    keep_offline(context, problems)
    page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location.get("url", "")
            if loc and not is_local(loc):
                return  # already reported as a remote request
            problems.append(f"console error: {msg.text} ({loc})")

    page.on("console", on_console)
    page.on(
        "response",
        lambda resp: resp.status >= 400
        and problems.append(f"HTTP {resp.status} for {resp.url}"),
    )

    try:
        page.goto(base_url + f"{name}.html", wait_until="load")

        # Math: typeset by the local MathJax, nothing left raw.
        math = page.evaluate(JS_MATH)
        if math["count"]:
            if not math["mathjax"]:
                problems.append(f"{math['count']} math elements but MathJax did not load")
            else:
                page.wait_for_function("window.MathJax.startup.promise !== undefined")
                page.evaluate("window.MathJax.startup.promise.then(() => true)")
                math = page.evaluate(JS_MATH)
                problems += [f"math not typeset: {t!r}" for t in math["untypeset"]]
                problems += [f"MathJax error: {e}" for e in math["errors"]]
                problems += [f"backslash shown literally in math text: {t!r}"
                             for t in math["literal"]]
            problems += [f"MathJax not local: {s}" for s in math["scripts"] if "://" in s]
        prose = page.evaluate(JS_PROSE_TEXT)
        raw_tex = re.search(
            r"\\\(|\\\[|\$\$|\\begin\{|\$[^$\s][^$]*\\[a-zA-Z]+[^$]*\$", prose
        )
        if raw_tex:
            snippet = prose[max(0, raw_tex.start() - 30) : raw_tex.end() + 30]
            problems.append(f"raw TeX visible in the text: ...{' '.join(snippet.split())}...")
        # Numbers in the prose come from {eval}: an expression left unevaluated, or a
        # numpy repr instead of a formatted number, would show here.
        for leftover in re.findall(r"\{eval\}|np\.float\d+\(|np\.int\d+\(|np\.True_|np\.False_",
                                   prose):
            problems.append(f"unformatted computed value in the text: {leftover!r}")

        # Images (matplotlib animations set their <img> src from JS: wait for it).
        page.wait_for_function(
            "Array.from(document.querySelectorAll('div.animation img')).every(i => i.getAttribute('src'))"
        )
        page.wait_for_function(JS_WAIT_IMAGES)
        problems += [f"image did not load: {s}" for s in page.evaluate(JS_BROKEN_IMAGES)]

        problems += page.evaluate(JS_OUTPUTS)

        if name.startswith("chapters/"):
            # Code and outputs fit the page at its default width: no sideways scrolling.
            problems += [f"scrolls sideways ({w}px in {c}px): {t!r}"
                         for t, w, c in page.evaluate(JS_OVERFLOW)]
            problems += [f"figure without a numbered caption: {s}"
                         for s in page.evaluate(JS_UNCAPTIONED)]

        code_blocks = page.locator("div.highlight pre").count()
        if code_blocks and not page.locator("button.copybtn").count():
            problems.append(f"{code_blocks} code blocks but no copy buttons (sphinx-copybutton)")

        if name.startswith("chapters/"):
            links = page.eval_on_selector_all(
                'a[href$=".ipynb"]', "as => as.map(a => a.getAttribute('href'))"
            )
            if not links:
                problems.append("no .ipynb download link on a chapter page")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '__')}.png"), full_page=True)

        # Scrubbers: move the slider / click "next frame", the frame must change.
        found = page.evaluate(JS_SCRUBBERS)
        if found["stray"]:
            problems.append(
                f"{found['stray']} slider(s) outside div.animation / .lstm-scrubber "
                "(the test cannot tell whether they work)"
            )
        def changed(el, before) -> bool:
            try:
                page.wait_for_function(
                    "([el, before]) => (" + JS_SNAPSHOT + ")(el) !== before",
                    arg=[el.element_handle(), before],
                    timeout=3_000,
                )
                return True
            except PlaywrightTimeout:
                return False

        def move(el, k) -> bool | None:
            """Move slider k to its other end; None if it cannot move."""
            before = el.evaluate(JS_SNAPSHOT)
            err = el.evaluate(JS_MOVE_SLIDER, k)
            if err:
                problems.append(f"scrubber {i}: {err}")
                return None
            return changed(el, before)

        for i in range(found["count"]):
            el = page.locator(f'[data-scrubber-test="{i}"]')
            el.scroll_into_view_if_needed()
            n_sliders = el.evaluate(JS_SLIDER_COUNT)
            if not n_sliders:
                problems.append(f"scrubber {i} has no input[type=range]")
            for k in range(n_sliders):
                ok = move(el, k)
                if ok is False and n_sliders > 1:
                    el.evaluate(JS_OTHERS_TO_MAX, k)
                    ok = move(el, k)
                if ok is False:
                    problems.append(f"scrubber {i}: moving slider {k} never changes the frame")
                elif ok and move(el, k) is False:  # and back again
                    problems.append(f"scrubber {i}: moving slider {k} back did not change the frame")
            buttons = el.locator("button[onclick*='next_frame']")
            if buttons.count():  # matplotlib's "next frame" button, clicked for real
                before = el.evaluate(JS_SNAPSHOT)
                buttons.first.click()
                if not changed(el, before):
                    problems.append(f"scrubber {i}: clicking 'next frame' changed nothing")
    finally:
        context.close()

    assert not problems, f"{name}.html:\n  " + "\n  ".join(dict.fromkeys(problems))


def test_cheatsheet_prints_on_two_pages(site, browser):
    """The cheat sheet (cheatsheet.md) is meant to be printed: two A4 or Letter pages."""
    page = browser.new_page()
    try:
        page.goto((site / "cheatsheet.html").as_uri(), wait_until="load")
        page.wait_for_function("window.MathJax && MathJax.startup.promise !== undefined")
        page.evaluate("MathJax.startup.promise.then(() => true)")
        for paper in ("A4", "Letter"):
            pdf = page.pdf(format=paper)
            sheets = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            assert sheets <= 2, f"the cheat sheet prints on {sheets} {paper} pages"
    finally:
        page.close()
