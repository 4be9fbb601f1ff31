"""Re-execute chapter notebooks in place, each top to bottom in one fresh kernel.

    .venv/bin/python scripts/execute_notebooks.py [chapters/NN_topic.ipynb ...]

With no arguments, every notebook in chapters/. This is how a chapter's stored
outputs (which nbval compares against) are refreshed after an edit.

Markdown cells take their numbers from the kernel with MyST's {eval} role. Each
one is evaluated here at its place in the run (after the code cells above it)
and stored in the cell's ``user_expressions`` metadata, the format jupyterlab-myst
reads: so JupyterLab shows the numbers before the notebook is run, and an
expression that fails stops this script, naming the cell.

Widgets are not stored: neither their state nor the view of a live dashboard.
An unrun notebook in JupyterLab would show "model not found" for a stored view,
so a dashboard cell keeps only its text ("Live dashboard: run this cell ..."),
which is also what the static site shows under the pre-drawn scrubber.
"""
import re
import sys
import time
from pathlib import Path

import nbformat
import reference_platform
from nbclient import NotebookClient
from nbclient.util import run_sync

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")


class EvalFailed(RuntimeError):
    pass


def evaluate(client, expressions):
    """The kernel's user_expressions results for each expression, in order."""
    names = {f"e{i}": expr for i, expr in enumerate(expressions)}
    reply = run_sync(client.kc.execute_interactive)(
        "", silent=True, store_history=False, user_expressions=names, timeout=120)
    results = reply["content"]["user_expressions"]
    return [results[name] for name in names]


def execute(path):
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    start = time.perf_counter()
    client = NotebookClient(nb, kernel_name="python3", store_widget_state=False, timeout=300,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
            elif cell.cell_type == "markdown":
                expressions = EVAL_ROLE.findall(cell.source)
                cell.metadata.pop("user_expressions", None)
                if not expressions:
                    continue
                results = evaluate(client, expressions)
                for expr, result in zip(expressions, results):
                    if result.get("status") != "ok":
                        raise EvalFailed(f"{path.name}, cell {index}: {{eval}}`{expr}` failed: "
                                         f"{result.get('ename')}: {result.get('evalue')}")
                cell.metadata["user_expressions"] = [
                    {"expression": e, "result": r} for e, r in zip(expressions, results)]
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    reference_platform.apply()  # the kernels inherit it
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"{path.relative_to(ROOT)}: executed in {execute(path):.1f} s", flush=True)
