"""The chapters read like a textbook: checked on the committed notebooks (no kernel).

* every code line and every printed output line fits the page (88 characters);
* no markdown cell runs over ~300 words of prose;
* every chapter opens with its learning objectives and ends with a summary and
  exercises, at least two of them checked by lstmlib (``check(...)`` cells), each
  with a solution that ``must_pass``;
* every figure a cell draws has a number and a caption (MyST-NB figure metadata),
  and the prose points at figures by number, not by "above" or "below";
* a hidden input is hidden in JupyterLab too, not only on the site.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
WIDTH = 88
WORDS = 300

# Display math, code fences and directive option lines are not prose.
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|```.*?```|^:[a-z-]+:.*$|<[^>]+>", re.S | re.M)
_POINTING = re.compile(r"\b(the (?:\w+ )?(?:figure|plot|picture|curve|panel|chart|image)s? "
                       r"(?:above|below))\b", re.I)


def _ids(paths):
    return [p.name for p in paths]


def _read(path):
    return nbformat.read(path, as_version=4)


def _output_lines(cell):
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield from out.text.splitlines()
        elif "data" in out and "text/plain" in out.data and not any(
                kind in out.data for kind in ("text/html", "image/png", "text/markdown")):
            yield from out.data["text/plain"].splitlines()
        elif "data" in out and "text/markdown" in out.data:
            # show_source blocks: the fenced code is shown as code on the page
            yield from out.data["text/markdown"].splitlines()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_code_and_output_line_fits_the_page(path):
    nb = _read(path)
    wide = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if len(line) > WIDTH:
                wide.append(f"cell {index} code ({len(line)}): {line[:60]}...")
        for line in _output_lines(cell):
            if len(line) > WIDTH:
                wide.append(f"cell {index} output ({len(line)}): {line[:60]}...")
    assert not wide, f"lines wider than {WIDTH} characters scroll off the page:\n" + "\n".join(wide)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_markdown_cell_is_a_wall_of_text(path):
    nb = _read(path)
    long = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            words = len(_NOT_PROSE.sub(" ", cell.source).split())
            if words > WORDS:
                long.append(f"cell {index}: {words} words")
    assert not long, f"markdown cells over {WORDS} words: break them up\n" + "\n".join(long)


def _headings(nb):
    return [line.lstrip("#").strip().lower()
            for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if re.match(r"#{1,3} ", line)]


def _check_calls(source):
    """(id, must_pass=True?) of each ``check("id", ...)`` call in a code cell."""
    # IPython magics and shell escapes are no Python: keep the line count, drop the code
    lines = ["" if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = node.args[0] if node.args else None
        if name != "check" or not (isinstance(first, ast.Constant)
                                   and isinstance(first.value, str)):
            continue
        must_pass = any(kw.arg == "must_pass" and isinstance(kw.value, ast.Constant)
                        and kw.value.value is True for kw in node.keywords)
        yield first.value, must_pass


def test_check_calls_are_read_one_call_at_a_time():
    cell = ('check("a", answer_a)\n%time x = 1\n'
            'check("b", answer_b, must_pass=True)\n'
            'unrolled_check("c", must_pass=True)\n'
            'exercises.check("d", f, must_pass=False)')
    assert list(_check_calls(cell)) == [("a", False), ("b", True), ("d", False)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_chapter_has_objectives_summary_and_checked_exercises(path):
    nb = _read(path)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    head = "\n".join(cell.source for cell in nb.cells[:3] if cell.cell_type == "markdown")
    assert re.search(r"learning objectives|you will learn|by the end of this chapter", head,
                     re.I), "the chapter should open with its learning objectives"
    assert any("summary" in h for h in _headings(nb)), "the chapter needs a summary section"
    assert "{exercise}" in text or "{exercise-start}" in text, "no {exercise} in the chapter"
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    calls = [call for src in code for call in _check_calls(src)]
    checks = {exercise_id for exercise_id, _ in calls}
    proved = {exercise_id for exercise_id, must_pass in calls if must_pass}
    assert len(checks) >= 2, f"needs at least two checked coding exercises, has {sorted(checks)}"
    assert checks <= proved, f"exercises without a proved solution: {sorted(checks - proved)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_figure_has_a_number_and_a_caption(path):
    nb = _read(path)
    bare = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        draws = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if draws and not (figure.get("caption") and figure.get("name")):
            bare.append(f"cell {index}")
    assert not bare, ("figures without mystnb.figure caption and name: " + ", ".join(bare))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_prose_points_at_figures_by_number(path):
    nb = _read(path)
    pointing = [f"cell {i}: {m.group(1)!r}" for i, cell in enumerate(nb.cells)
                if cell.cell_type == "markdown" for m in _POINTING.finditer(cell.source)]
    assert not pointing, "refer to figures with {numref}, not by position:\n" + "\n".join(pointing)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_hidden_inputs_are_hidden_in_jupyterlab_too(path):
    nb = _read(path)
    shown = [f"cell {i}" for i, cell in enumerate(nb.cells)
             if "hide-input" in cell.metadata.get("tags", [])
             and not cell.metadata.get("jupyter", {}).get("source_hidden")]
    assert not shown, ("hide-input cells need metadata jupyter.source_hidden = true: "
                       + ", ".join(shown))
