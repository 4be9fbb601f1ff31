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


def _misfit(got, want, scale):
    """How far ``got`` is from ``want``: the sum over gradients of (|got - want| / |scale|)**2
    (Frobenius norms; ``scale`` is the correct gradients). Additive over gradients, zero
    exactly when every gradient agrees."""
    total = 0.0
    for g, w, s in zip(got, want, scale):
        norm = float(np.linalg.norm(np.asarray(s, dtype=np.float64)))
        diff = float(np.linalg.norm(np.asarray(g, dtype=np.float64) - w))
        total += (diff / norm) ** 2 if norm else diff ** 2
    return total


MIN_SHARE = 0.02  # a peeled mistake must remove at least 2 % of the error that remains


def _peel(got, candidates, compute, tolerance, start=(), max_mistakes=8):
    """Name any number of mistakes by peeling.

    Start from the reference with the mistakes ``start`` applied; at every round
    apply the candidate whose gradients come closest to ``got`` (the one whose
    fix removes the largest part of the remaining error, measured by
    ``_misfit``), and repeat until the gradients match within ``tolerance`` or
    no candidate removes at least ``MIN_SHARE`` of the remaining error (then a
    pair that completes the match exactly is still looked for).

    Returns (ids in the order peeled, share of the original error each removed,
    share that remains unexplained, whether the ids explain ``got`` exactly).
    """
    scale = compute(())
    current = tuple(start)
    err0 = _misfit(got, compute(current), scale)
    if err0 == 0 or _distance(got, compute(current)) < tolerance:
        return current, [], 0.0, True
    err, shares = err0, []
    pool = [c for c in candidates if c not in current]
    while pool and len(current) - len(start) < max_mistakes:
        trials = []
        for cid in pool:
            try:
                out = compute(current + (cid,))
            except Exception:  # a combination a variant cannot build
                continue
            trials.append((_misfit(got, out, scale), _distance(got, out), cid))
        if not trials:
            break
        exact = [t for t in trials if t[1] < tolerance]
        best = min(exact or trials, key=lambda t: t[0])
        if not exact and err - best[0] < MIN_SHARE * err:
            # no single mistake helps: a pair that completes the explanation exactly?
            for pair in itertools.combinations(pool, 2):
                try:
                    out = compute(current + pair)
                except Exception:
                    continue
                if _distance(got, out) < tolerance:
                    shares.append(err / err0)
                    return current + pair, shares, 0.0, True
            break
        current += (best[2],)
        shares.append((err - best[0]) / err0)
        pool.remove(best[2])
        err = best[0]
        if exact:
            return current, shares, 0.0, True
    return current, shares, err / err0, False


def _order_by_effect(got, ids, compute):
    """``ids`` ordered by their share of the gradient error, largest first, with the shares.

    The mistake whose fix removes the largest share of your gradients' error
    (``_misfit`` against the correct gradients) comes first: a share of the
    gradient's error, not a measure of the harm to training. The order is found by
    fixing one mistake at a time in your code (as reproduced by ``compute(ids)``),
    always the one whose fix leaves the smallest error, until none is left; each
    share is the error its fix removed, over the error you started with
    (negative effects count as zero; the shares are scaled to add up to 1).
    Returns (ordered ids, {id: share}).
    """
    correct = compute(())
    applied = tuple(ids)
    err = _misfit(compute(applied), correct, correct)
    gains, order = {}, []
    while applied:
        trials = []
        for cid in applied:
            rest = tuple(i for i in applied if i != cid)
            trials.append((_misfit(compute(rest), correct, correct), cid))
        e_after, fixed = min(trials, key=lambda t: t[0])
        gains[fixed] = max(err - e_after, 0.0)
        err = e_after
        applied = tuple(i for i in applied if i != fixed)
        order.append(fixed)
    total = sum(gains.values())
    shares = {k: (v / total if total else 1.0 / len(gains)) for k, v in gains.items()}
    order.sort(key=lambda k: -shares[k])  # stable: ties keep the order they were fixed in
    return order, shares


def _finish(kind, tolerance, errors, got, candidates, compute, mutated, gate_errors,
            block_errors, notes=(), start=()):
    """Name the mistakes that explain ``got``.

    One or two mistakes are searched exhaustively (every single, then every
    pair, so equivalent explanations are listed); beyond that, peeling
    (``_peel``) names any number. Mistakes are *named* only when together they
    reproduce your gradients within ``tolerance``; they are listed by
    ``_order_by_effect`` and ``Diagnosis.shares`` holds each one's share of the
    error. When peeling explains part of the error but not all, nothing is named:
    the mistakes it peeled go to ``Diagnosis.partial`` (id -> share) and
    ``Diagnosis.unexplained`` holds the share that remains.
    """
    mistakes_found, equivalent, shares, unexplained, partial = [], [], {}, 0.0, {}
    if any(err >= tolerance for err in errors.values()):
        if start:
            base = compute
            compute = lambda ids: base(tuple(start) + tuple(ids))  # noqa: E731
        matches = _match(got, candidates, compute, tolerance)
        if matches:
            mistakes_found = list(matches[0])
            equivalent = [" + ".join(ids) for ids in matches[1:]]
        else:
            ids, peel_shares, unexplained, exact = _peel(got, candidates, compute, tolerance)
            if exact:
                mistakes_found = list(ids)
            else:
                partial = dict(zip(ids, peel_shares))
        if mistakes_found:
            mistakes_found, shares = _order_by_effect(got, mistakes_found, compute)
            unexplained = 0.0
    if mutated:
        mistakes_found.append("modifies_upstream_in_place")
    return Diagnosis(kind, tolerance, errors, mistakes_found, equivalent, gate_errors,
                     block_errors, notes=notes, shares=shares, unexplained=unexplained,
                     partial=partial)


def _forward_problem(names, got, want, tolerance, suffix=""):
    errs = {name: rel_error(g, w) for name, g, w in zip(names, got, want)}
    bad = {name: err for name, err in errs.items() if err >= tolerance}
    if not bad:
        return None
    listed = ", ".join(f"{name} (rel. error {err:.1e})" for name, err in bad.items())
    return (f"your forward disagrees with lstmlib's: {listed}{suffix}. Fix the forward first: "
            "a backward can only be checked against the function it differentiates.")


