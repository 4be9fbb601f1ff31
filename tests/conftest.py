"""Shared pytest set-up: the reference numeric platform, and the ``--site`` switch."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import reference_platform  # noqa: E402

# nbval's kernels inherit this process's environment: pin them to the platform the
# stored outputs were made on, whatever the caller's shell says.
reference_platform.apply()


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
