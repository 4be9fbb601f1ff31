"""Debian's Chromium driven by Playwright, offline: shared by the site, page and live tests."""
import contextlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def launch():
    """A headless Chromium for the duration of the block."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `bash scripts/test` installs Debian's chromium "
                    "(apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    return url.startswith(("data:", "blob:", "file:")) or urlsplit(url).hostname in LOCAL_HOSTS


def keep_offline(context, problems: list):
    """Abort every request of ``context`` to another host, and record it in ``problems``:
    the book must work with no network."""
    def route(r):
        if is_local(r.request.url):
            r.continue_()
        else:
            problems.append(f"request to another host: {r.request.url}")
            r.abort()

    context.route("**/*", route)
