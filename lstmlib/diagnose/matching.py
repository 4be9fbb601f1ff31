"""Running the reader's code safely, and matching its gradients against the mistakes."""
import itertools

import numpy as np

from ..compare import LOW_PRECISION_TOLERANCE, MATCH_TOLERANCE, gate_blocks, gate_error_shares
from ..gradcheck import rel_error
from .report import Diagnosis

TOL = MATCH_TOLERANCE  # float64 gradients that should be equal


def _copies(arrays):
    return [np.array(a, copy=True) for a in arrays]


def _tolerance(arrays):
    """MATCH_TOLERANCE when everything is float64; LOW_PRECISION_TOLERANCE when some result
    came back in lower precision."""
    low = any(np.asarray(a).dtype != np.float64 for a in arrays)
    return LOW_PRECISION_TOLERANCE if low else MATCH_TOLERANCE


def _call(kind, what, fn, args):
    """fn(*args), or a Diagnosis saying it raised."""
    try:
        return fn(*args), None
    except Exception as err:  # the reader's code may raise anything; report it, don't crash
        problem = f"your {what} raised {type(err).__name__}: {err}"
        return None, Diagnosis(kind, TOL, problem=problem)


def _as_arrays(kind, what, result, names, expected_shapes):
    """Check a returned tuple has the right length and shapes; return (arrays, problem)."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = len(result) if isinstance(result, (tuple, list)) else type(result).__name__
        return None, Diagnosis(kind, TOL, problem=f"your {what} should return {len(names)} "
                               f"values ({', '.join(names)}), got {got}")
    arrays = []
    for name, value, shape in zip(names, result, expected_shapes):
        arr = np.asarray(value)
        if arr.shape != shape:
            if arr.size == int(np.prod(shape)) and np.squeeze(arr).shape == np.squeeze(
                    np.empty(shape)).shape:
                arr = arr.reshape(shape)  # e.g. db of shape (1, 4H): same numbers
            else:
                return None, Diagnosis(kind, TOL, problem=f"{name} returned by your {what} has "
                                       f"shape {arr.shape}, expected {shape}")
        arrays.append(arr)
    return arrays, None


def _run_step_forward(kind, forward, arrays, shape):
    """The reader's step forward on copies of the probe.

    Returns ((next_h, next_c) checked to have ``shape``, the reader's cache, problem or None).
    """
    out, failed = _call(kind, "forward", forward, _copies(arrays))
    if failed:
        return None, None, failed
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        return None, None, Diagnosis(kind, TOL, problem="your forward should return "
                                     "(next_h, next_c, cache)")
    outs, failed = _as_arrays(kind, "forward", out[:2], ("next_h", "next_c"), (shape, shape))
    return outs, out[2], failed


def _run_backward(kind, backward, upstream, cache, names, ref):
    """The reader's backward on copies of the upstream gradients.

    Returns (gradients checked against the shapes of ``ref``, whether the
    backward wrote into the upstream gradients it was given, problem or None).
    """
    sent = _copies(upstream)
    result, failed = _call(kind, "backward", backward, (*sent, cache))
    if failed:
        return None, False, failed
    mutated = any(not np.array_equal(s, u) for s, u in zip(sent, upstream))
    got, failed = _as_arrays(kind, "backward", result, names, [g.shape for g in ref])
    return got, mutated, failed


def _errors(names, got, want):
    return {name: rel_error(g, w) for name, g, w in zip(names, got, want)}


def _distance(got, want):
    return max(rel_error(g, w) for g, w in zip(got, want))


def _block_errors(named_pairs):
    """Per gate block (along the last axis, order i, f, o, g) errors of each 4H-wide gradient."""
    return {name: gate_error_shares(got, want) for name, (got, want) in named_pairs.items()}


def gate_time_errors(dx, dx_correct, Wx):
    """Error of dL/da by gate and time step, recovered from dx.

    dx, dx_correct: (N, T, D) or (N, D); Wx: (D, 4H) with D >= 4H and full column rank.
    Returns a (4, T) array (rows i, f, o, g): max ``|da - da_correct|`` over the
    block at that step, divided by max ``|da_correct|`` over everything.
    """
    dx = np.asarray(dx, dtype=np.float64)
    if dx.ndim == 2:
        dx, dx_correct = dx[:, None], dx_correct[:, None]
    recover = np.linalg.pinv(Wx.T)  # (D, 4H): da = dx @ pinv(Wx.T)
    da, da_correct = dx @ recover, dx_correct @ recover  # (N, T, 4H)
    scale = np.abs(da_correct).max()
    diff = np.abs(da - da_correct).max(axis=0)  # (T, 4H)
    blocks = np.stack(gate_blocks(diff)).max(axis=-1)  # (4, T)
    return blocks / scale if scale else blocks


def _match(got, candidates, compute, tolerance):
    """The candidate mistakes (tuples of ids) whose gradients equal ``got``.

    Single mistakes first; pairs only if no single one matches.
    """
    for size in (1, 2):
        found = []
        for ids in itertools.combinations(candidates, size):
            if _distance(got, compute(ids)) < tolerance:
                found.append(ids)
        if found:
            return found
    return []


def _finish(kind, tolerance, errors, got, candidates, compute, mutated, gate_errors,
            block_errors, notes=()):
    mistakes_found, equivalent = [], []
    if any(err >= tolerance for err in errors.values()):
        matches = _match(got, candidates, compute, tolerance)
        if matches:
            mistakes_found = list(matches[0])
            equivalent = [" + ".join(ids) for ids in matches[1:]]
    if mutated:
        mistakes_found.append("modifies_upstream_in_place")
    return Diagnosis(kind, tolerance, errors, mistakes_found, equivalent, gate_errors,
                     block_errors, notes=notes)


def _forward_problem(names, got, want, tolerance, suffix=""):
    errs = {name: rel_error(g, w) for name, g, w in zip(names, got, want)}
    bad = {name: err for name, err in errs.items() if err >= tolerance}
    if not bad:
        return None
    listed = ", ".join(f"{name} (rel. error {err:.1e})" for name, err in bad.items())
    return (f"your forward disagrees with lstmlib's: {listed}{suffix}. Fix the forward first: "
            "a backward can only be checked against the function it differentiates.")


