# Sourced by scripts/build-book and scripts/test (not run on its own).
# Creates .venv with Python 3.11 if it is missing and (re)installs
# requirements.txt whenever it (or pyproject.toml) changed since the last install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1

pick_python() {
    local c
    for c in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$c" ] || continue
        if command -v "$c" >/dev/null 2>&1 &&
            "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$c"
            return 0
        fi
    done
    echo "error: Python 3.11 not found (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    PY="$(pick_python)"
    echo "==> creating $VENV with $("$PY" --version)"
    "$PY" -m venv "$VENV"
fi

stamp="$VENV/.requirements.sha256"
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "==> installing requirements.txt into .venv"
    t0=$SECONDS
    "$VENV/bin/python" -m pip install --quiet -r requirements.txt
    echo "$want" >"$stamp"
    echo "==> requirements installed in $((SECONDS - t0)) s"
fi

export PATH="$VENV/bin:$PATH"
# Every notebook (book build, nbval, scripts/execute-notebooks) runs on one pinned
# numeric platform: OpenBLAS's Haswell kernel, numpy without AVX-512, one BLAS
# thread.  Training amplifies last-bit differences between platforms, and the
# stored outputs are made on this one (scripts/reference_platform.py says why).
eval "$("$VENV/bin/python" "$ROOT/scripts/reference_platform.py")"
# Let ipykernel pick matplotlib's inline backend: an inherited MPLBACKEND
# (e.g. Agg) would silently drop every figure from the notebooks' outputs.
unset MPLBACKEND
