"""Keep the built book usable offline.

* Copies MathJax 3 (shipped by the pinned PyPI package ``sphinx-mathjax-offline``,
  a byte-for-byte copy of the npm ``mathjax@3.2.2`` ``es5/`` folder) into
  ``<outdir>/_static/mathjax/``.  ``mathjax_path`` in ``_config.yml`` points there.
* Drops the one remote asset that matplotlib's ``Animation.to_jshtml()`` output
  carries: a ``<link>`` to Font Awesome 4 on a CDN, used only for its button
  icons.  The theme already ships Font Awesome locally, so the icons still show.
* Refuses a remote ``mathjax_path`` and, after the build, warns (an error under
  ``-W``) about every ``<script src>``, ``<link href>`` (stylesheet/preload/icon),
  ``<img src>`` or ``<iframe src>`` in the built HTML that points to another host.
  Ordinary ``<a href>`` links to other sites are fine: they load nothing.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_DIST = "sphinx-mathjax-offline"
MATHJAX_ENTRY = "tex-mml-chtml.js"
REMOTE_PREFIXES = ("http://", "https://", "//")
# matplotlib/_animation_data.py: JS_INCLUDE starts with this stylesheet link.
MPL_FONT_AWESOME_LINK = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/'
    r'font-awesome/[0-9.]+/css/font-awesome\.min\.css"\s*/?>'
)


def mathjax_source_dir() -> Path:
    """Folder holding MathJax's ``tex-mml-chtml.js`` and its lazily loaded parts."""
    try:
        dist = metadata.distribution(MATHJAX_DIST)
    except metadata.PackageNotFoundError as err:
        raise ExtensionError(
            f"{MATHJAX_DIST} is not installed: run `pip install -r requirements.txt` "
            "(or `bash scripts/build-book`, which does it for you)"
        ) from err
    for f in dist.files or ():
        if f.name == MATHJAX_ENTRY and f.parent.name == "mathjax":
            return Path(dist.locate_file(f)).parent
    raise ExtensionError(f"{MATHJAX_DIST} does not contain mathjax/{MATHJAX_ENTRY}")


def check_config(app: Sphinx, config) -> None:
    path = config.mathjax_path or ""
    if path.startswith(REMOTE_PREFIXES):
        raise ConfigError(
            f"mathjax_path={path!r} loads MathJax from the network; "
            "use the local copy (mathjax/tex-mml-chtml.js)"
        )
    if path and not path.startswith("mathjax/"):
        raise ConfigError(f"mathjax_path={path!r}: expected a path under mathjax/")
    mathjax_source_dir()  # fail early if the package is missing


class _RemoteAssetFinder(HTMLParser):
    LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = None
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed"):
            url = a.get("src")
        elif tag == "link":
            rels = set((a.get("rel") or "").lower().split())
            if rels & self.LOADING_LINK_RELS:
                url = a.get("href")
        if url and url.strip().lower().startswith(REMOTE_PREFIXES):
            self.remote.append(f"<{tag}> {url}")


def strip_cdn_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Remove matplotlib's CDN Font Awesome <link> from raw HTML cell outputs."""
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext()
        new = MPL_FONT_AWESOME_LINK.sub("", text)
        if new != text:
            node.replace_self(nodes.raw(new, new, format=node["format"]))


def finish(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    target = outdir / "_static" / "mathjax"
    shutil.copytree(mathjax_source_dir(), target, dirs_exist_ok=True)
    logger.info(f"[offline_assets] MathJax copied to {target.relative_to(outdir)}/")

    for page in sorted(outdir.rglob("*.html")):
        if "_static" in page.relative_to(outdir).parts:
            continue
        finder = _RemoteAssetFinder()
        finder.feed(page.read_text(encoding="utf-8", errors="replace"))
        for item in finder.remote:
            logger.warning(
                f"[offline_assets] {page.relative_to(outdir)} loads a remote asset: {item}"
            )


def setup(app: Sphinx):
    app.connect("config-inited", check_config)
    app.connect("doctree-resolved", strip_cdn_links)
    app.connect("build-finished", finish)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
