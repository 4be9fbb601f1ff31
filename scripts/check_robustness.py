"""Execute every chapter under several numeric platforms; fail if any cell raises.

    .venv/bin/python scripts/check_robustness.py [--diff] [chapters/NN_topic.ipynb ...]

The chapters check their own claims (lstmlib.book.claims.claim raises when a
stated outcome does not hold), so a chapter that runs to the end on a platform
says what it says there too. Outputs are not compared (other platforms change
last digits) and nothing is written back. Prints a platform x chapter table;
with --diff, also which code cells print text that differs from the stored outputs
(after nbval's sanitizers), i.e. which results depend on the platform.
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import reference_platform

ROOT = Path(__file__).resolve().parent.parent

# name -> overrides of the reference platform (None removes the variable).
PLATFORMS = {
    "reference (Haswell, no AVX-512, 1 thread)": {},
    "Sandybridge kernel, 1 thread": {"OPENBLAS_CORETYPE": "Sandybridge"},
    "Nehalem kernel, 1 thread": {"OPENBLAS_CORETYPE": "Nehalem"},
    "native kernel and SIMD, 2 threads": {
        "OPENBLAS_CORETYPE": None, "NPY_DISABLE_CPU_FEATURES": None,
        "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
    "Haswell, numpy without AVX2, 2 threads": {
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR X86_V3",
        "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
}

_RUN_ONE = """
import configparser, re, sys, nbformat
from nbclient import NotebookClient
from pathlib import Path
path = Path(sys.argv[1])
stored = nbformat.read(path, as_version=4)
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=600,
               resources={"metadata": {"path": str(path.parent)}}).execute()
if sys.argv[2] == "diff":
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(sys.argv[3])
    subs = [(cfg[s]["regex"], cfg[s]["replace"]) for s in cfg.sections()]
    def text(cell):
        t = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")
                    for o in cell.get("outputs", []))
        for regex, replace in subs:
            t = re.sub(regex, replace, t)
        return t
    differ = [i for i, (a, b) in enumerate(zip(stored.cells, nb.cells))
              if a.cell_type == "code" and text(a) != text(b)]
    print("DIFFERS:" + ",".join(map(str, differ)))
"""


def run(path, env, diff=False):
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _RUN_ONE, str(path),
                           "diff" if diff else "run", str(ROOT / "nbval_sanitize.cfg")],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    message = ""
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        message = next((ln for ln in reversed(lines) if "Error" in ln or "Failed" in ln),
                       lines[-1] if lines else "failed")
    differs = next((ln.split(":", 1)[1] for ln in done.stdout.splitlines()
                    if ln.startswith("DIFFERS:")), "")
    return done.returncode == 0, elapsed, message, differs


def main(paths, diff=False):
    failures, table = [], []
    for name, overrides in PLATFORMS.items():
        env = reference_platform.environment(**overrides)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda p: run(p, env, diff), paths))
        table.append((name, results))
        cells = "  ".join(f"{p.stem[:2]} {'ok ' if ok else 'FAIL'} {t:5.1f} s"
                          + (f" (cells differ: {d or 'none'})" if diff and ok else "")
                          for p, (ok, t, _, d) in zip(paths, results))
        print(f"{name:42s} {cells}", flush=True)
        failures += [(name, p.name, msg) for p, (ok, _, msg, _) in zip(paths, results) if not ok]
    print()
    print("| platform | " + " | ".join(p.stem for p in paths) + " |")
    print("|---|" + "---|" * len(paths))
    for name, results in table:
        print(f"| {name} | " + " | ".join(f"{'pass' if ok else 'FAIL'} {t:.0f} s"
                                         for ok, t, _, _ in results) + " |")
    for name, chapter, msg in failures:
        print(f"FAILED on {name}: {chapter}: {msg}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    os.chdir(ROOT)
    diff = "--diff" in sys.argv[1:]
    args = [Path(a).resolve() for a in sys.argv[1:] if a != "--diff"]
    sys.exit(main(args or sorted((ROOT / "chapters").glob("*.ipynb")), diff))
