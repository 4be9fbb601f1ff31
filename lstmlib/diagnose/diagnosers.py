"""The diagnosers: run the reader's pair on a probe and name the mistake it makes."""
import numpy as np

from .. import peephole
from ..compare import MATCH_TOLERANCE
from ..gradcheck import numerical_gradient, rel_error
from ..layers import softmax_loss as reference_softmax_loss
from ..lstm import lstm_backward, lstm_forward
from . import catalogue, variants
from .matching import (
    _block_errors,
    _call,
    _copies,
    _distance,
    _errors,
    _finish,
    _forward_problem,
    _run_backward,
    _run_step_forward,
    _tolerance,
    gate_time_errors,
)
from .probes import loss_probe, peephole_step_probe, sequence_probe, step_probe
from .report import Diagnosis

TOL = MATCH_TOLERANCE  # float64 gradients that should be equal

STEP_GRADS = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
PEEPHOLE_GRADS = STEP_GRADS + ("dp",)


def diagnose_step(forward, backward, seed=0):
    """Diagnose a reader's ``lstm_step_forward`` / ``lstm_step_backward`` pair.

    forward(x, prev_h, prev_c, Wx, Wh, b) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db
    Returns a Diagnosis.
    """
    kind = "step"
    inputs, upstream = step_probe(seed)
    arrays = list(inputs.values())
    ref_h, ref_c, ref_cache = variants.step_forward(*arrays)
    ref = variants.step_backward()(*upstream, ref_cache)
    outs, cache, failed = _run_step_forward(kind, forward, arrays, ref_h.shape)
    if failed:
        return failed
    problem = _forward_problem(("next_h", "next_c"), outs, (ref_h, ref_c), _tolerance(outs))
    if problem:
        return Diagnosis(kind, _tolerance(outs), problem=problem)
    got, mutated, failed = _run_backward(kind, backward, upstream, cache, STEP_GRADS, ref)
    if failed:
        return failed
    tol = _tolerance(got)

    def compute(ids):
        return variants.step_backward(*ids)(*_copies(upstream), ref_cache)

    candidates = [i for i in catalogue.STEP_IDS if i != "modifies_upstream_in_place"]
    gate_errors = gate_time_errors(got[0], ref[0], inputs["Wx"])
    blocks = _block_errors({"dWx": (got[3], ref[3]), "dWh": (got[4], ref[4]),
                            "db": (got[5], ref[5])})
    return _finish(kind, tol, _errors(STEP_GRADS, got, ref), got, candidates, compute, mutated,
                   gate_errors, blocks)


def diagnose_sequence(forward, backward, T=5, seed=0):
    """Diagnose a reader's ``lstm_forward`` / ``lstm_backward`` pair.

    forward(x, h0, Wx, Wh, b) -> h (N, T, H), cache   (the cell starts at c0 = 0)
    backward(dh, cache) -> dx, dh0, dWx, dWh, db
    T: the probe's sequence length (keep it >= 3: with T = 1 no gradient
    crosses a time step and the recurrent mistakes cannot show).
    Recognises the sequence mistakes and every step mistake inside the loop.
    Returns a Diagnosis.
    """
    if not isinstance(T, int) or T < 1:
        raise ValueError(f"T should be a whole number of time steps >= 1 (best >= 3), got {T!r}")
    kind = "sequence"
    inputs, (dh,) = sequence_probe(seed, T=T)
    arrays = list(inputs.values())
    ref_h, ref_cache = lstm_forward(*arrays)
    ref = lstm_backward(dh, ref_cache)
    out, failed = _call(kind, "forward", forward, _copies(arrays))
    if failed:
        return failed
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return Diagnosis(kind, TOL, problem="your forward should return (h, cache)")
    h = np.asarray(out[0])
    if h.shape != ref_h.shape:
        return Diagnosis(kind, TOL, problem=f"h returned by your forward has shape {h.shape}, "
                         f"expected {ref_h.shape} (N, T, H)")
    tol = _tolerance([h])
    step_err = [rel_error(h[:, t], ref_h[:, t]) for t in range(T)]
    bad_steps = [t for t, err in enumerate(step_err) if err >= tol]
    if bad_steps:
        suffix = f", first at time step t = {bad_steps[0]}"
        if bad_steps[0] == 0:
            suffix += " (check the initial state: h0 as given, c0 = 0)"
        return Diagnosis(kind, tol, problem=_forward_problem(("h",), [h], [ref_h], tol, suffix))
    got, mutated, failed = _run_backward(kind, backward, (dh,), out[1], SEQUENCE_GRADS, ref)
    if failed:
        return failed
    tol = _tolerance(got)
    _, seq_cache = variants.sequence_forward(*arrays)

    def compute(ids):
        return variants.sequence_backward(*ids)(dh.copy(), seq_cache)

    candidates = [i for i in catalogue.SEQUENCE_IDS + catalogue.STEP_IDS
                  if i != "modifies_upstream_in_place"]
    gate_errors = gate_time_errors(got[0], ref[0], inputs["Wx"])
    blocks = _block_errors({"dWx": (got[2], ref[2]), "dWh": (got[3], ref[3]),
                            "db": (got[4], ref[4])})
    return _finish(kind, tol, _errors(SEQUENCE_GRADS, got, ref), got, candidates, compute,
                   mutated, gate_errors, blocks)


def diagnose_peephole_step(forward, backward, seed=0):
    """Diagnose a reader's peephole step pair (diagonal peepholes, p of shape (3, H)).

    forward(x, prev_h, prev_c, Wx, Wh, b, p) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db, dp
    Returns a Diagnosis.
    """
    kind = "peephole_step"
    inputs, upstream = peephole_step_probe(seed)
    arrays = list(inputs.values())
    ref_h, ref_c, ref_cache = peephole.peephole_step_forward(*arrays)
    ref = peephole.peephole_step_backward(*upstream, ref_cache)
    outs, cache, failed = _run_step_forward(kind, forward, arrays, ref_h.shape)
    if failed:
        return failed
    tol = _tolerance(outs)
    forward_bugs = ()
    problem = _forward_problem(("next_h", "next_c"), outs, (ref_h, ref_c), tol)
    if problem:
        wrong_cell = variants.peephole_step_forward("peephole_output_gate_sees_prev_cell")
        other_h, other_c, ref_cache = wrong_cell(*arrays)
        if _distance(outs, (other_h, other_c)) >= tol:
            return Diagnosis(kind, tol, problem=problem)
        forward_bugs = ("peephole_output_gate_sees_prev_cell",)
        ref = variants.peephole_step_backward(*forward_bugs)(*upstream, ref_cache)
    got, mutated, failed = _run_backward(kind, backward, upstream, cache, PEEPHOLE_GRADS, ref)
    if failed:
        return failed
    tol = _tolerance(got)

    def compute(ids):
        return variants.peephole_step_backward(*forward_bugs, *ids)(*_copies(upstream), ref_cache)

    candidates = [i for i in catalogue.PEEPHOLE_IDS if i != "peephole_output_gate_sees_prev_cell"]
    diagnosis = _finish(kind, tol, _errors(PEEPHOLE_GRADS, got, ref), got, candidates, compute,
                        mutated, gate_time_errors(got[0], ref[0], inputs["Wx"]),
                        _block_errors({"dWx": (got[3], ref[3]), "db": (got[5], ref[5])}))
    if forward_bugs:
        diagnosis.mistakes = forward_bugs + diagnosis.mistakes
        diagnosis.notes += ("Your forward computes a different cell: its output gate peeks at "
                            "c_{t-1}. The errors below compare your backward with that cell's "
                            "correct gradients.",)
    return diagnosis


def diagnose_loss(loss_fn, seed=0):
    """Diagnose a reader's ``softmax_loss(scores, y) -> (loss, dscores)``.

    The expected loss is the mean cross-entropy over the batch and dscores its
    gradient. A loss summed over the batch with a gradient summed to match is
    accepted (with a note). Also probes the same scores plus 1000, which
    leaves the softmax unchanged but overflows an exp taken without a shift.
    Returns a Diagnosis with errors for "loss" and "dscores".
    """
    kind = "loss"
    scores, y = loss_probe(seed)
    N = scores.shape[0]
    ref_loss, ref_d = reference_softmax_loss(scores, y)
    out, failed = _call(kind, "loss function", loss_fn, (scores.copy(), y.copy()))
    if failed:
        return failed
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return Diagnosis(kind, TOL, problem="your loss function should return (loss, dscores)")
    loss, dscores = float(out[0]), np.asarray(out[1])
    if dscores.shape != scores.shape:
        return Diagnosis(kind, TOL, problem=f"dscores has shape {dscores.shape}, expected "
                         f"{scores.shape}, the shape of scores")
    tol = _tolerance([dscores])
    notes = []
    if abs(loss - N * ref_loss) < tol * N * ref_loss and abs(loss - ref_loss) >= tol * ref_loss:
        notes.append("Your loss sums over the batch where lstmlib averages; that is fine as "
                     "long as dscores is summed to match (it is compared as a sum here).")
        ref_loss, ref_d = N * ref_loss, N * ref_d
    # Your own gradient check: does dscores differentiate your own loss?
    probe = scores.copy()
    numeric = numerical_gradient(lambda: float(loss_fn(probe, y)[0]), probe)
    self_error = rel_error(dscores, numeric)
    errors = {"loss": abs(loss - ref_loss) / abs(ref_loss), "dscores": rel_error(dscores, ref_d)}
    notes.append(f"Your dscores against central differences of your own loss: {self_error:.1e}.")
    big = scores + 1000.0  # softmax ignores a common shift; exp(1000) overflows
    with np.errstate(all="ignore"):
        big_out, failed = _call(kind, "loss function", loss_fn, (big, y.copy()))
    finite = failed is None and np.isfinite(big_out[0]) and np.isfinite(big_out[1]).all()

    def compute(ids):
        bug_loss, bug_d = variants.softmax_loss(*ids)(scores.copy(), y)
        return [np.array([bug_loss]), bug_d]

    diagnosis = _finish(kind, tol, errors, [np.array([loss]), dscores],
                        [i for i in catalogue.LOSS_IDS if i != "softmax_not_shifted"], compute,
                        False, None, None, notes)
    if not finite:
        diagnosis.mistakes += ("softmax_not_shifted",)
    return diagnosis
