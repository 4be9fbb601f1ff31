"""The book layer's small pieces: showing code on a page, package data, the explicit style."""
import subprocess
import sys

import pytest

from lstmlib import lstm
from lstmlib.book import benchmark_results, source
from lstmlib.diagnose import catalogue, variants

RUNNABLE = (catalogue.STEP_IDS + catalogue.SEQUENCE_IDS + catalogue.LOSS_IDS
            + catalogue.HEAD_IDS + catalogue.PEEPHOLE_IDS)


def test_show_source_is_the_real_source_as_a_python_fence():
    block = source.show_source(lstm.lstm_step_backward)
    markdown = block._repr_markdown_()
    assert markdown.startswith("**lstmlib.lstm.lstm_step_backward**")
    assert "```python\ndef lstm_step_backward(dnext_h, dnext_c, cache):" in markdown
    assert "dprev_c = dc * f" in repr(block)
    assert repr(block) == repr(source.show_source(lstm.lstm_step_backward))  # deterministic


@pytest.mark.parametrize("mistake_id", sorted(set(RUNNABLE)))
def test_every_runnable_mistake_has_marked_lines(mistake_id):
    right, wrong = source.marked_lines(mistake_id)
    assert right or wrong
    for line in right + wrong:
        assert "# mistake:" not in line and "# right:" not in line


def test_show_mistake_takes_both_lines_from_the_code():
    block = source.show_mistake("tanh_grad_at_preactivation")
    (_, right), (_, wrong) = block.parts
    assert right == "dtanh_c = dtanh_from_output(tanh_c)"
    assert wrong.startswith("dtanh_c = dtanh_from_output(cache.next_c)")
    text = "\n".join(variants.__loader__.get_source(variants.__name__).splitlines())
    assert "dtanh_from_output(cache.next_c)  # 1 - c**2  # mistake: tanh_grad_at_preactivation" \
        in text
    with pytest.raises(ValueError, match="not in the mistake catalogue"):
        source.show_mistake("no_such_mistake")


def test_the_adding_problem_results_ship_with_the_package():
    text = benchmark_results.adding_problem_results()
    assert text.startswith("adding problem:")
    assert benchmark_results.results_path("adding_problem").name == "adding_problem.txt"
    with pytest.raises(ValueError):
        benchmark_results.read_results("nothing")


def test_importing_viz_leaves_matplotlib_settings_alone():
    code = ("import matplotlib\nbefore = dict(matplotlib.rcParams)\n"
            "from lstmlib.book import viz, rnn_flow, lstm_flow, peephole_flow, clinic_views\n"
            "assert dict(matplotlib.rcParams) == before\n"
            "viz.use_book_style()\n"
            "assert matplotlib.rcParams['figure.dpi'] == viz.STYLE['figure.dpi']\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"MPLBACKEND": "Agg", "PATH": ""})
    assert out.stdout.strip() == "ok", out.stderr


def test_no_chapter_reads_a_file_outside_the_package():
    """A chapter must work wherever it is opened: data comes through lstmlib, not ``../``."""
    import json
    import pathlib

    chapters = sorted(pathlib.Path(__file__).resolve().parents[1].glob("chapters/*.ipynb"))
    assert chapters
    for path in chapters:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            code = "".join(cell["source"])
            if cell["cell_type"] == "code":
                for marker in ("../", "..\\", "benchmarks/results", ".parents["):
                    assert marker not in code, f"{path.name} reads {marker!r}: {code[:80]}"


def test_every_shipped_results_file_is_package_data():
    import pathlib

    import tomllib

    root = pathlib.Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "results/*.txt" in config["tool"]["setuptools"]["package-data"]["lstmlib.book"]
    for name in benchmark_results.NAMES:
        assert pathlib.Path(str(benchmark_results.results_path(name))).is_file()
