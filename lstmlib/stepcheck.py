"""Tools for the pitfalls of gradient checking.

``gradcheck`` answers "is this backward right?". These help when the answer
is surprising:

- ``step_size_sweep``: the error of central differences for many steps h;
  plotted on log-log axes it is a V: truncation error ~ h**2 on the right,
  rounding error ~ eps / h on the left.
- ``gate_errors``: the relative error of each gate's block of a (..., 4H)
  gradient, gate order i, f, o, g, to say *which* gate's derivative is off.
- ``compare_gradients``: how far one whole gradient is from another, as a
  relative error of the norm and a cosine similarity (is a wrong gradient
  still a descent direction?).
"""
import numpy as np

from .gradcheck import numerical_gradient, rel_error

GATES = ("i", "f", "o", "g")


def step_size_sweep(loss, x, exact, steps):
    """Relative error of the central-difference gradient of ``loss`` for each step h.

    loss: ``loss()`` -> float, reading ``x`` in place; x: the array differentiated
    (its dtype is the precision the differences are taken in); exact: the true
    gradient, same shape as x; steps: the step sizes h.
    Returns an array of len(steps): ``rel_error(numerical, exact)`` for each h.
    """
    if np.shape(exact) != np.shape(x):
        raise ValueError(f"exact should have the shape of x, {np.shape(x)}, got {np.shape(exact)}")
    if any(step <= 0 for step in steps):
        raise ValueError(f"every step h should be positive, got {list(steps)}")
    return np.array([rel_error(numerical_gradient(loss, x, step), exact) for step in steps])


def gate_errors(analytic, numeric):
    """Relative error of each gate's block of two (..., 4H) gradients.

    analytic, numeric: arrays of the same shape whose last axis is 4H, gate
    order i, f, o, g (e.g. dWx (D, 4H), dWh (H, 4H), db (4H,)).
    Returns a dict gate name -> rel_error of that gate's (..., H) block.
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    if analytic.shape != numeric.shape or analytic.ndim == 0 or analytic.shape[-1] % 4:
        raise ValueError("gate_errors needs two arrays of one shape (..., 4H); got shapes "
                         f"{analytic.shape} and {numeric.shape}")
    blocks = zip(np.split(analytic, 4, axis=-1), np.split(numeric, 4, axis=-1))
    return {gate: rel_error(a, n) for gate, (a, n) in zip(GATES, blocks)}


def compare_gradients(reference, approximate):
    """How far an approximate (truncated, buggy...) gradient is from a reference one.

    reference, approximate: sequences of arrays in the same order, e.g.
    (dWx, dWh, db); each sequence is flattened and joined into one vector,
    g and g_approx.
    Returns (relative error ||g_approx - g|| / ||g||, cosine similarity
    g_approx . g / (||g_approx|| ||g||)). A cosine above 0 means a small step
    along -g_approx still lowers the loss.
    """
    if len(reference) != len(approximate):
        raise ValueError(f"got {len(reference)} reference and {len(approximate)} approximate "
                         "gradients; pass the same arrays in the same order")
    for a, b in zip(reference, approximate):
        if np.shape(a) != np.shape(b):
            raise ValueError(f"cannot compare gradients of shapes {np.shape(a)} and {np.shape(b)}")
    g = np.concatenate([np.ravel(a) for a in reference])
    g_approx = np.concatenate([np.ravel(a) for a in approximate])
    norm, norm_approx = np.linalg.norm(g), np.linalg.norm(g_approx)
    if norm == 0 or norm_approx == 0:
        raise ValueError("a gradient is exactly zero: relative error and cosine are undefined")
    return (float(np.linalg.norm(g_approx - g) / norm),
            float(g_approx @ g / (norm * norm_approx)))
