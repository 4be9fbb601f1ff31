"""One vocabulary for comparing gradients.

Every comparison in lstmlib and in the book uses these names:

- ``GATES = "ifog"``: the gate order along every 4H axis (i, f, o, g).
- ``gate_blocks(a)``: split a (..., 4H) array into its four (..., H) gate blocks.
- ``rel_error(a, b)``: the gradient check's error, max|a - b| / (max|a| + max|b|)
  (defined in ``lstmlib.gradcheck``, re-exported here).
- ``gate_errors(a, b)``: ``rel_error`` of each gate block against itself.
- ``gate_error_shares(got, want)``: each gate block's largest error as a share of
  the whole array's scale, so a block that is slightly off in a large array
  does not look as bad as a block that is wrong outright.
- ``relative_error(reference, approximate)`` and ``cosine_similarity(...)``: how far
  one whole gradient (a sequence of arrays, flattened and joined) is from another,
  ||g_approx - g|| / ||g|| and g_approx . g / (||g_approx|| ||g||); together in
  ``relative_error_and_cosine``. A cosine above 0 means a small step along
  -g_approx still lowers the loss.

Tolerances, as named constants:

- ``CHECK_TOLERANCE`` (1e-8): a float64 backward against central differences.
- ``MATCH_TOLERANCE`` (1e-7): two float64 analytic gradients that should be equal
  (the diagnoser's "your gradient equals this mistake's").
- ``LOW_PRECISION_TOLERANCE`` (1e-4): the same when one side came back in float32.
"""
import numpy as np

from .gradcheck import TOLERANCE, rel_error
from .lstm import split_gates

GATES = "ifog"
CHECK_TOLERANCE = TOLERANCE
MATCH_TOLERANCE = 1e-7
LOW_PRECISION_TOLERANCE = 1e-4

__all__ = ["GATES", "CHECK_TOLERANCE", "MATCH_TOLERANCE", "LOW_PRECISION_TOLERANCE",
           "gate_blocks", "rel_error", "gate_errors", "gate_error_shares", "relative_error",
           "cosine_similarity", "relative_error_and_cosine"]


gate_blocks = split_gates
"""Split (..., 4H) into the four (..., H) blocks in the order i, f, o, g: ``lstm.split_gates``."""


def gate_errors(analytic, numeric):
    """Relative error of each gate's block of two (..., 4H) gradients.

    analytic, numeric: arrays of the same shape whose last axis is 4H, gate
    order i, f, o, g (e.g. dWx (D, 4H), dWh (H, 4H), db (4H,)).
    Returns a dict gate name -> ``rel_error`` of that gate's (..., H) block.
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    if analytic.shape != numeric.shape or analytic.ndim == 0 or analytic.shape[-1] % 4:
        raise ValueError("gate_errors needs two arrays of one shape (..., 4H); got shapes "
                         f"{analytic.shape} and {numeric.shape}")
    blocks = zip(gate_blocks(analytic), gate_blocks(numeric))
    return {gate: rel_error(a, n) for gate, (a, n) in zip(GATES, blocks)}


def gate_error_shares(got, want):
    """Largest error of each gate block, as a share of the whole array's scale.

    got, want: (..., 4H) arrays, gate order i, f, o, g.
    Returns a (4,) array: max ``|got - want|`` over the block, divided by
    max|want| + max|got| over the whole array (0 where both are zero).
    """
    scale = np.abs(want).max() + np.abs(got).max()
    diff = np.abs(np.asarray(got, dtype=np.float64) - want)
    return np.array([block.max() / scale if scale else 0.0 for block in gate_blocks(diff)])


def _flatten(reference, approximate):
    if len(reference) != len(approximate):
        raise ValueError(f"got {len(reference)} reference and {len(approximate)} approximate "
                         "gradients; pass the same arrays in the same order")
    for a, b in zip(reference, approximate):
        if np.shape(a) != np.shape(b):
            raise ValueError(f"cannot compare gradients of shapes {np.shape(a)} and {np.shape(b)}")
    g = np.concatenate([np.ravel(a) for a in reference])
    g_approx = np.concatenate([np.ravel(a) for a in approximate])
    return g, g_approx


def relative_error_and_cosine(reference, approximate):
    """How far an approximate (truncated, buggy...) gradient is from a reference one.

    reference, approximate: sequences of arrays in the same order, e.g.
    (dWx, dWh, db); each sequence is flattened and joined into one vector,
    g and g_approx.
    Returns (relative error ||g_approx - g|| / ||g||, cosine similarity
    g_approx . g / (||g_approx|| ||g||)). Raises ValueError if either is zero.
    """
    g, g_approx = _flatten(reference, approximate)
    norm, norm_approx = np.linalg.norm(g), np.linalg.norm(g_approx)
    if norm == 0 or norm_approx == 0:
        raise ValueError("a gradient is exactly zero: relative error and cosine are undefined")
    return (float(np.linalg.norm(g_approx - g) / norm),
            float(g_approx @ g / (norm * norm_approx)))


def relative_error(exact, approx):
    """||approx - exact|| / ||exact|| of two arrays of one shape; nan if ``exact`` is zero."""
    exact, approx = np.asarray(exact), np.asarray(approx)
    norm_e = np.linalg.norm(exact)
    return float(np.linalg.norm(approx - exact) / norm_e) if norm_e > 0 else float("nan")


def cosine_similarity(exact, approx):
    """<approx, exact> / (||approx|| ||exact||) of two arrays of one shape; nan if one is zero."""
    exact, approx = np.asarray(exact), np.asarray(approx)
    norm_e, norm_a = np.linalg.norm(exact), np.linalg.norm(approx)
    if norm_a > 0 and norm_e > 0:
        return float(np.sum(approx * exact) / (norm_a * norm_e))
    return float("nan")
