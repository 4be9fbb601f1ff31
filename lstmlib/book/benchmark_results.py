"""Results tables of the benchmarks, shipped with the package for the chapters to read.

``benchmarks/adding_problem.py --save`` writes ``lstmlib/book/results/adding_problem.txt``;
the capstone (chapter 8) reads it with ``adding_problem_results()``, so the page and the
benchmark share one file wherever lstmlib is installed.
"""
from importlib import resources

NAMES = ("adding_problem",)


def results_path(name):
    """The results file of benchmark ``name`` (a ``Traversable``; ``str()`` gives its path)."""
    if name not in NAMES:
        raise ValueError(f"name should be one of {NAMES}, got {name!r}")
    return resources.files("lstmlib.book").joinpath("results", f"{name}.txt")


def read_results(name):
    """The text of benchmark ``name``'s results table."""
    return results_path(name).read_text(encoding="utf-8")


def adding_problem_results():
    """The text of ``benchmarks/adding_problem.py``'s table (the adding problem, LSTM vs RNN)."""
    return read_results("adding_problem")
