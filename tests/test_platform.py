"""The stored outputs reproduce because every kernel runs on one pinned platform."""
import json
import os
import subprocess
import sys
from pathlib import Path

import reference_platform  # on sys.path through conftest.py

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

# A notebook kernel started the way nbval and the build start one, from a process whose
# caller asked for another kernel and more threads: it must report the reference platform.
_KERNEL_REPORT = f"""
import json, os, sys
sys.path.insert(0, {str(SCRIPTS)!r})
import nbformat, reference_platform
from nbclient import NotebookClient
reference_platform.apply()
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(
    "import json, numpy\\n"
    "from threadpoolctl import threadpool_info\\n"
    "from numpy._core._multiarray_umath import __cpu_features__ as f\\n"
    "pool = threadpool_info()[0]\\n"
    "print(json.dumps([pool['architecture'], pool['num_threads'], bool(f.get('X86_V4'))]))")]
NotebookClient(nb, kernel_name="python3", timeout=120).execute()
print(nb.cells[0].outputs[0]["text"])
"""


def test_a_kernel_runs_on_the_reference_platform_whatever_the_caller_set():
    env = {**os.environ, "OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "2",
           "NPY_DISABLE_CPU_FEATURES": ""}
    out = subprocess.run([sys.executable, "-c", _KERNEL_REPORT], env=env, check=True,
                         capture_output=True, text=True).stdout
    kernel, threads, avx512 = json.loads(out.strip().splitlines()[-1])
    assert (kernel, threads, avx512) == ("Haswell", 1, False)


def test_overrides_and_removals():
    env = reference_platform.environment(base={"OPENBLAS_CORETYPE": "SkylakeX", "HOME": "/h"},
                                         OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS=None)
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert env["OPENBLAS_NUM_THREADS"] == "2" and "OMP_NUM_THREADS" not in env
    assert env["HOME"] == "/h"


def test_only_features_this_cpu_has_are_disabled():
    # numpy complains at every import about disabling a feature the machine lacks
    env = reference_platform.environment(base={}, NPY_DISABLE_CPU_FEATURES="X86_V3 NO_SUCH_FEATURE")
    assert "NO_SUCH_FEATURE" not in env.get("NPY_DISABLE_CPU_FEATURES", "")
