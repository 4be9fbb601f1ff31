"""Input checks shared by the public functions.

A learner's first bug is often a transposed matrix or a missing batch axis.
numpy then fails deep inside a matrix product with a message about
"operands could not be broadcast". These checks fail early instead, and say
which array was wrong, what shape it had and what shape was expected.
"""
import re

import numpy as np

_DIM = re.compile(r"^(\d*)([A-Za-z]\w*)$")


def check_arrays(**named):
    """Check shapes, dtypes and finiteness of named arrays against a spec.

    Each keyword is ``name=(array, "N T D")``: a space-separated shape spec
    whose symbols are bound on first use and must agree afterwards. A symbol
    may carry an integer factor, as in ``"D 4H"``; a literal integer is a
    fixed size. ``None`` arrays are skipped (optional inputs).

    Returns a dict of the bound sizes, e.g. ``{"N": 2, "T": 5, "D": 3, "H": 4}``.
    Raises ValueError naming the offending array and the expected shape.
    """
    dims = {}
    dtype = None
    for name, (arr, spec) in named.items():
        if arr is None:
            continue
        arr = check_float(name, arr)
        if dtype is None:
            dtype = arr.dtype
        elif arr.dtype != dtype:
            raise ValueError(
                f"{name} has dtype {arr.dtype} but earlier inputs are {dtype}; "
                "use one float dtype for all inputs (float64 to check gradients, "
                "float32 for speed) so nothing is silently upcast"
            )
        tokens = spec.split()
        if arr.ndim != len(tokens):
            raise ValueError(
                f"{name} should have shape ({', '.join(tokens)}), "
                f"i.e. {len(tokens)} axes, but has shape {arr.shape}"
            )
        for axis, (token, size) in enumerate(zip(tokens, arr.shape)):
            if token.isdigit():
                expected = int(token)
            else:
                factor, symbol = _DIM.match(token).groups()
                factor = int(factor or 1)
                if symbol not in dims:
                    if size % factor:
                        raise ValueError(
                            f"{name} should have shape ({', '.join(tokens)}), but axis "
                            f"{axis} has size {size}, which is not a multiple of {factor}"
                        )
                    dims[symbol] = size // factor
                expected = factor * dims[symbol]
            if size != expected:
                known = ", ".join(f"{k}={v}" for k, v in dims.items())
                raise ValueError(
                    f"{name} should have shape ({', '.join(tokens)}) with {known}, "
                    f"i.e. axis {axis} of size {expected}, but has shape {arr.shape}"
                )
    return dims


def check_float(name, arr):
    """Return ``arr`` as an array after checking it is a finite float array."""
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{name} should be a numpy array, got {type(arr).__name__}")
    if arr.dtype not in (np.float32, np.float64):
        raise ValueError(f"{name} should be a float32 or float64 array, got dtype {arr.dtype}")
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}); "
            "a non-finite input usually means an earlier step diverged"
        )
    return arr


def check_upstream(dh, h_shape, name="dh"):
    """Check the upstream gradient of every h_t against the forward's h: (N, T, H).

    The one check every sequence backward makes before it starts, so a
    gradient of the wrong shape is blamed by name and not deep in a product.
    """
    check_arrays(**{name: (dh, " ".join(str(size) for size in h_shape))})
