"""The three layers of lstmlib: the core and the clinic are numpy only, imports go one way.

core (lstmlib/*.py)  <-  clinic (lstmlib/diagnose/)  <-  book (lstmlib/book/)
"""
import ast
import json
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "lstmlib"
BOOK_ONLY = ("matplotlib", "ipywidgets", "IPython")
CORE = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
CLINIC = sorted(p.stem for p in (PACKAGE / "diagnose").glob("*.py") if p.stem != "__init__")


def test_the_core_and_the_clinic_load_no_plotting_or_notebook_package():
    # A fresh interpreter: this test process may have imported matplotlib already.
    modules = [f"lstmlib.{m}" for m in CORE] + ["lstmlib.diagnose"] + [
        f"lstmlib.diagnose.{m}" for m in CLINIC]
    code = ("import importlib, json, sys\n"
            "import lstmlib\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "from lstmlib import diagnose\n"
            "diagnose.diagnose_step(lstmlib.lstm_step_forward, lstmlib.lstm_step_backward)\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {BOOK_ONLY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_import_lstmlib_is_lazy():
    code = ("import sys, lstmlib\n"
            "before = sorted(m for m in sys.modules if m.startswith('lstmlib'))\n"
            "lstmlib.lstm_forward\n"
            "print(before, 'lstmlib.lstm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['lstmlib']", "True"]


def _imports(path):
    """The lstmlib modules a file imports, as dotted names ('lstmlib.book.viz', ...)."""
    tree = ast.parse(path.read_text())
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_the_core_imports_neither_the_clinic_nor_the_book(path):
    if path.name == "__init__.py":
        # lstmlib/__init__.py names the subpackages only as strings, resolved lazily.
        assert not [m for m in _imports(path) if m.startswith("lstmlib")]
        return
    bad = {m for m in _imports(path)
           if m.startswith(("lstmlib.diagnose", "lstmlib.book")) or m.split(".")[0] in BOOK_ONLY}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "diagnose").glob("*.py")), ids=lambda p: p.name)
def test_the_clinic_does_not_import_the_book(path):
    bad = {m for m in _imports(path)
           if m.startswith("lstmlib.book") or m.split(".")[0] in BOOK_ONLY}
    assert not bad, f"diagnose/{path.name} imports {sorted(bad)}"


def test_the_scan_sees_imports():
    # The scanner itself: a book module's imports are found, relative ones included.
    found = _imports(PACKAGE / "book" / "clinic_views.py")
    assert "lstmlib.diagnose" in found and "lstmlib.book.viz" in found
