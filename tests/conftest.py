"""Shared pytest set-up: the ``--site`` switch for the (slow) browser tests, and the
headless Chromium they drive (``tests/_browser.py``).

(The reference numeric platform is pinned by the conftest.py at the root.)"""

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--site",
        action="store_true",
        default=False,
        help="run tests/test_site.py: build the book if it is stale, then check every "
        "page in headless Chromium (scripts/test passes this)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--site"):
        return
    skip = pytest.mark.skip(reason="site tests need --site (bash scripts/test runs them)")
    for item in items:
        if "site" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright; one per test module."""
    from _browser import launch

    with launch() as chromium:
        yield chromium
