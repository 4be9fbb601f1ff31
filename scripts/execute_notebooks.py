"""Re-execute chapter notebooks in place, each top to bottom in one fresh kernel.

    .venv/bin/python scripts/execute_notebooks.py [chapters/NN_topic.ipynb ...]

With no arguments, every notebook in chapters/. This is how a chapter's stored
outputs (which nbval compares against) are refreshed after an edit. Widget
state is not stored: the static site shows scrubbers instead, and stored
widget state would make the site try to load a widget manager.
"""
import sys
import time
from pathlib import Path

import nbformat
import reference_platform
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path):
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", store_widget_state=False, timeout=300,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    reference_platform.apply()  # the kernels inherit it
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        print(f"{path.relative_to(ROOT)}: executed in {execute(path):.1f} s", flush=True)
