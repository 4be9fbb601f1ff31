"""Structure checks on the committed chapter notebooks (fast; no kernel needed).

The outputs themselves are checked by nbval, which re-executes every chapter and
compares it with what is stored:  ``pytest --nbval`` (see scripts/test and
nbval_sanitize.cfg).  These tests make sure there *is* something sound to compare:

* every chapter notebook is in _toc.yml, and every chapter in _toc.yml exists;
* every code cell was executed, top to bottom, in one fresh kernel (counts 1..n);
* no stored output is an error (or a traceback on stderr);
* no ipywidgets state or widget view is stored: a live dashboard's cell keeps
  its text, which tells the reader (on the site, or in an unrun notebook) to run it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Tags (MyST-NB) that keep a cell's outputs off the static page.
OUTPUT_REMOVING_TAGS = {"remove-output", "remove-cell"}


def toc_files() -> list[str]:
    """Every `file:` in _toc.yml, without suffix, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def _ids(paths):
    return [p.name for p in paths]


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files())
    missing = [p.name for p in NOTEBOOKS if f"chapters/{p.stem}" not in listed]
    assert not missing, f"chapter notebooks missing from _toc.yml: {missing}"


def test_every_toc_entry_exists():
    missing = [
        f
        for f in toc_files()
        if not any((ROOT / f).with_suffix(s).is_file() for s in (".ipynb", ".md"))
    ]
    assert not missing, f"_toc.yml lists pages that do not exist (yet): {missing}"


def test_chapter_notebooks_are_named_nn_topic():
    bad = [p.name for p in NOTEBOOKS if not (p.stem[:2].isdigit() and p.stem[2] == "_")]
    assert not bad, f"chapter notebooks must be named NN_topic.ipynb: {bad}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_valid_and_uses_python3_kernel(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    assert kernel == "python3", f"kernelspec name is {kernel!r}, expected 'python3'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_cells_executed_in_order(path):
    nb = nbformat.read(path, as_version=4)
    problems = []
    counts = []
    for i, cell in enumerate(_code_cells(nb)):
        if not cell.source.strip():
            if cell.get("outputs"):
                problems.append(f"code cell {i} is empty but has outputs")
            continue  # Jupyter does not number empty cells
        if cell.execution_count is None:
            problems.append(f"code cell {i} has no stored execution: {cell.source[:60]!r}")
        counts.append(cell.execution_count)
    expected = list(range(1, len(counts) + 1))
    if not problems and counts != expected:
        problems.append(
            f"execution counts are {counts}, expected {expected}: restart the kernel "
            "and run all cells, then save"
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_error_outputs(path):
    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(_code_cells(nb)):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"code cell {i}: stored error {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                if "Traceback (most recent call last)" in out.text:
                    problems.append(f"code cell {i}: traceback on stderr")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_stored_widget_state_or_widget_views(path):
    """An unrun notebook shows each dashboard's text, not "model not found"."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    if state:
        problems.append(
            "notebook metadata stores ipywidgets state (JupyterLab: Settings > "
            "'Save Widget State Automatically' off; or clear metadata.widgets)"
        )
    for i, cell in enumerate(_code_cells(nb)):
        for out in cell.get("outputs", []):
            if WIDGET_VIEW in out.get("data", {}):
                problems.append(f"code cell {i} stores a widget view: re-run "
                                "scripts/execute-notebooks, which keeps only its text")
            elif "Live dashboard: run this cell" in out.get("data", {}).get("text/plain", ""):
                if set(cell.metadata.get("tags", [])) & OUTPUT_REMOVING_TAGS:
                    problems.append(f"code cell {i}: a dashboard's text is removed from the "
                                    "site, so its place there says nothing")
    assert not problems, "\n".join(problems)
