"""The numeric platform every stored output is made on, in one place.

OpenBLAS picks a kernel per CPU (SkylakeX, Zen, Haswell, ...), numpy picks SIMD
loops per CPU, and the BLAS thread count changes the order of sums: each changes
the last bits of a result, and training amplifies last bits into different
numbers. So the book build, nbval and scripts/execute-notebooks all run the
notebooks on one pinned platform that any x86-64 machine with AVX2 can run:

- OpenBLAS's Haswell kernel,
- numpy's dispatch without AVX-512,
- one BLAS thread.

Used three ways:
    eval "$(python scripts/reference_platform.py)"    # shell: export the variables
    reference_platform.apply()                        # Python: set os.environ for kernels
    reference_platform.environment(**overrides)       # a copy, e.g. for the robustness run
"""
import os
import subprocess
import sys

REFERENCE = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def _present_features(names):
    """The subset of numpy SIMD feature names this CPU has.

    numpy rejects (with a message on every import) an attempt to disable a feature
    the machine does not have, so only the present ones are listed.
    """
    probe = ("from numpy._core._multiarray_umath import __cpu_features__ as f;"
             f"print(' '.join(n for n in {names.split()!r} if f.get(n)))")
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def environment(base=None, **overrides):
    """A copy of `base` (default os.environ) on the reference platform, with overrides.

    An override of None removes that variable (e.g. NPY_DISABLE_CPU_FEATURES=None).
    """
    env = dict(os.environ if base is None else base)
    wanted = {**REFERENCE, **overrides}
    for name, value in wanted.items():
        if value is None:
            env.pop(name, None)
        elif name == "NPY_DISABLE_CPU_FEATURES":
            present = _present_features(value)
            if present:
                env[name] = present
            else:
                env.pop(name, None)
        else:
            env[name] = value
    return env


def apply():
    """Put this process (and every kernel it starts) on the reference platform."""
    env = environment()
    for name in REFERENCE:
        if name in env:
            os.environ[name] = env[name]
        else:
            os.environ.pop(name, None)


if __name__ == "__main__":
    env = environment()
    for name in REFERENCE:
        if name in env:
            print(f"export {name}='{env[name]}'")
        else:
            print(f"unset {name}")
