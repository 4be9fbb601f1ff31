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

# Every step-level mistake can be made inside a peephole cell too.
PEEPHOLE_STEP_IDS = tuple(
    i for i in catalogue.STEP_IDS if i != "modifies_upstream_in_place") + tuple(
    i for i in catalogue.PEEPHOLE_IDS
    if i not in catalogue.STEP_IDS and i != "peephole_output_gate_sees_prev_cell")
# The forward mistakes named from a peephole forward's outputs.
PEEPHOLE_FORWARD_IDS = ("peephole_output_gate_sees_prev_cell", "peephole_tied_to_input_weight")


# --- the reader's backward against central differences of the reader's own forward ------------

def _own_forward_check(forward, arrays, upstream, got, kind, names):
    """{gradient name: relative error} of ``got`` (the reader's backward) against central
    differences of sum(output * upstream) through the reader's own ``forward``
    (None if that fails). Meaningful for a float64 forward; a float32 one adds noise
    near 1e-3 to the differences."""
    probe = [np.array(a, dtype=np.float64, copy=True) for a in arrays]

    def scalar():
        out = forward(*[a.copy() for a in probe])
        outs = out[:2] if kind != "sequence" else out[:1]
        return float(sum((np.asarray(o, dtype=np.float64) * u).sum()
                         for o, u in zip(outs, upstream)))

    try:
        numeric = [numerical_gradient(scalar, a) for a in probe]
    except Exception:  # the reader's forward may not like perturbed inputs; then say nothing
        return None
    return {name: rel_error(g, n) for name, g, n in zip(names, got, numeric)}


OWN_TOLERANCE = 1e-6  # a float64 backward against central differences of its own forward


def _own_forward_note(errors):
    if errors is None:
        return "Your backward could not be checked against central differences of your forward."
    error = max(errors.values())
    verdict = "is" if error < OWN_TOLERANCE else "is NOT"
    note = (f"Your backward {verdict} the true gradient of your own forward (central "
            f"differences of your forward: rel. error {error:.1e})")
    bad = [name for name, err in errors.items() if err >= OWN_TOLERANCE]
    if bad:
        note += f"; against your forward, wrong: {', '.join(bad)}"
    return note + "."


def _forward_is_wrong(kind, tol, problem, forward, backward, arrays, upstream, cache, names,
                      shapes, mistakes_found=()):
    """A Diagnosis for a forward that disagrees: the problem (or the named forward mistake),
    and whether the reader's backward is the true gradient of the reader's own forward."""
    got, _, failed = _run_backward(kind, backward, upstream, cache, names, shapes)
    errors = None if failed else _own_forward_check(forward, arrays, upstream, got, kind, names)
    note = (failed.problem if failed else _own_forward_note(errors))
    return Diagnosis(kind, tol, problem=problem, mistakes_found=mistakes_found,
                     notes=(note,), own_forward_error=None if errors is None
                     else max(errors.values()))


def diagnose_step(forward, backward, seed=0):
    """Diagnose a reader's ``lstm_step_forward`` / ``lstm_step_backward`` pair.

    forward(x, prev_h, prev_c, Wx, Wh, b) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db
    Returns a Diagnosis.

    Recognised: every mistake of ``catalogue.STEP_IDS``, alone or in any
    combination (one or two by exhaustive search, more by peeling; named only
    when the combination reproduces your gradients exactly), each with its
    share of the error; ``modifies_upstream_in_place`` by watching the
    upstream arrays. Not recognised: forward mistakes (the step forward has none
    in the catalogue): a wrong forward is reported as "your forward disagrees",
    and the backward is then checked against central differences of your own
    forward instead. Mistakes outside the catalogue are reported as unexplained,
    with where they sit (gradients, gate blocks).
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
        return _forward_is_wrong(kind, _tolerance(outs), problem, forward, backward, arrays,
                                 upstream, cache, STEP_GRADS, ref)
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
    Returns a Diagnosis.

    Recognised: every mistake of ``catalogue.SEQUENCE_IDS`` and every step
    mistake inside the loop (``STEP_IDS``), in any number at once: one or two by
    exhaustive search, more by peeling (fix the mistake that removes the largest
    part of the remaining error, repeat). Mistakes are named only when together
    they reproduce your gradients exactly (within the tolerance); each comes with
    its share of the error and they are listed largest share first. When the
    catalogue explains only part of the error, nothing is named: the closest
    mistakes go to ``Diagnosis.partial`` with their shares, and the rest is
    reported as unexplained. Not recognised: forward mistakes (none are
    catalogued for the plain forward): a wrong forward is reported with the
    first wrong time step, and the backward is checked against central
    differences of your own forward.
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
        problem = _forward_problem(("h",), [h], [ref_h], tol, suffix)
        return _forward_is_wrong(kind, tol, problem, forward, backward, arrays, (dh,), out[1],
                                 SEQUENCE_GRADS, ref)
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


# --- the peephole cell ------------------------------------------------------------------------

def tied_peephole_forward(x, prev_h, prev_c, Wx, Wh, b, p=None):
    """The second post's forward, ``gate = sigmoid(w . (x + c) + b)``: mistake
    ``peephole_tied_to_input_weight``.

    Adding c_j to every input of unit j under the input weights is a peephole whose
    weight is the sum of that unit's input weights: p is ignored and replaced by
    ``Wx[:, gate].sum(axis=0)`` for i, f (which see c_{t-1}) and o (which sees c_t).
    Returns next_h, next_c and a ``lstmlib.peephole`` step cache.
    """
    H = prev_h.shape[1]
    tied = Wx[:, :3 * H].sum(axis=0).reshape(3, H)
    return peephole.peephole_step_forward(x, prev_h, prev_c, Wx, Wh, b, tied)


def diagnose_peephole_step(forward, backward, seed=0):
    """Diagnose a reader's peephole step pair (diagonal peepholes, p of shape (3, H)).

    forward(x, prev_h, prev_c, Wx, Wh, b, p) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db, dp
    Returns a Diagnosis.

    Recognised in the backward: every step-level mistake (all of
    ``catalogue.STEP_IDS``, e.g. the bias gradient times sigmoid(b) and "the
    cell's error is the output gate's error") and the peephole ones
    (``peephole_o_path_missing_in_dc``, ``peephole_paths_missing_in_dprev_c``),
    in any combination, each with its share of the error. Recognised from the
    forward's outputs: ``peephole_output_gate_sees_prev_cell`` (the backward is
    then matched against that cell's gradients) and
    ``peephole_tied_to_input_weight`` (the backward is then checked against
    central differences of your own forward: "is / is not the true gradient of
    your forward"; its backward mistakes are not named). Not recognised:
    ``truncated_rtrl_as_bptt`` (a sequence-level algorithm) and any other wrong
    forward, which is reported as "your forward disagrees" together with the
    check of your backward against your own forward.
    """
    kind = "peephole_step"
    inputs, upstream = peephole_step_probe(seed)
    arrays = list(inputs.values())
    b = inputs["b"]
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
        other_h, other_c, other_cache = wrong_cell(*arrays)
        tied_h, tied_c, _ = tied_peephole_forward(*arrays)
        if _distance(outs, (tied_h, tied_c)) < tol:
            return _forward_is_wrong(kind, tol, None, forward, backward, arrays, upstream,
                                     cache, PEEPHOLE_GRADS, ref,
                                     mistakes_found=("peephole_tied_to_input_weight",))
        if _distance(outs, (other_h, other_c)) >= tol:
            return _forward_is_wrong(kind, tol, problem, forward, backward, arrays, upstream,
                                     cache, PEEPHOLE_GRADS, ref)
        forward_bugs = ("peephole_output_gate_sees_prev_cell",)
        ref_cache = other_cache
        ref = variants.peephole_step_backward(*forward_bugs)(*upstream, ref_cache)
    got, mutated, failed = _run_backward(kind, backward, upstream, cache, PEEPHOLE_GRADS, ref)
    if failed:
        return failed
    tol = _tolerance(got)

    def compute(ids):
        return variants.peephole_backward_with(*_copies(upstream), ref_cache,
                                               frozenset(forward_bugs + tuple(ids)), b=b)

    diagnosis = _finish(kind, tol, _errors(PEEPHOLE_GRADS, got, ref), got, PEEPHOLE_STEP_IDS,
                        compute, mutated, gate_time_errors(got[0], ref[0], inputs["Wx"]),
                        _block_errors({"dWx": (got[3], ref[3]), "db": (got[5], ref[5])}))
    if forward_bugs:
        diagnosis.mistakes = forward_bugs + diagnosis.mistakes
        diagnosis.notes += ("Your forward computes a different cell: its output gate peeks at "
                            "c_{t-1}. The errors below compare your backward with that cell's "
                            "correct gradients.",)
    return diagnosis


# --- the loss ---------------------------------------------------------------------------------

CONVENTIONS = ("mean over N", "sum", "mean over N*T")


def _loss_probe_3d(seed, N, T=3):
    scores, _ = loss_probe(seed, N=N * T)
    rng = np.random.default_rng(seed + 7)
    return scores.reshape(N, T, -1), rng.integers(0, scores.shape[1], (N, T))


def diagnose_loss(loss_fn, seed=0):
    """Diagnose a reader's ``softmax_loss(scores, y) -> (loss, dscores)``.

    scores (N, C) with y (N,); or, if your function does not take that (it
    raises, or returns the wrong shape), scores (N, T, C) with y (N, T).
    The scale of the loss is a convention, found from the loss's value:
    "mean over N", "sum" or (for (N, T, C)) "mean over N*T" (and the sum or mean
    over N there too); ``Diagnosis.convention`` says which you use, and dscores
    is compared with the gradient *of your convention*, and the catalogue's
    candidates are matched under it.

    Recognised: ``softmax_grad_on_cross_entropy``, ``loss_grad_sign_flipped``,
    ``loss_grad_forgets_target``, ``loss_grad_not_divided_by_batch`` (a mean
    loss with a summed gradient; under the sum convention that gradient is
    right), in any combination, and ``softmax_not_shifted`` (scores + 1000
    overflow). Not recognised: a loss value that fits no convention (reported as
    a wrong loss), a gradient scaled by a factor other than the batch size.
    Also reports dscores against central differences of your own loss.
    Returns a Diagnosis with errors for "loss" and "dscores".
    """
    kind = "loss"
    scores, y = loss_probe(seed)
    out, failed = _call(kind, "loss function", loss_fn, (scores.copy(), y.copy()))
    ok_2d = (failed is None and isinstance(out, (tuple, list)) and len(out) == 2
             and np.shape(out[1]) == scores.shape)
    if not ok_2d:
        scores3, y3 = _loss_probe_3d(seed, scores.shape[0])
        out3, failed3 = _call(kind, "loss function", loss_fn, (scores3.copy(), y3.copy()))
        if (failed3 is None and isinstance(out3, (tuple, list)) and len(out3) == 2
                and np.shape(out3[1]) == scores3.shape):
            scores, y, out, failed = scores3, y3, out3, None
    if failed:
        return failed
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return Diagnosis(kind, TOL, problem="your loss function should return (loss, dscores)")
    loss, dscores = float(np.asarray(out[0]).sum()), np.asarray(out[1])
    if dscores.shape != scores.shape:
        return Diagnosis(kind, TOL, problem=f"dscores has shape {dscores.shape}, expected "
                         f"{scores.shape}, the shape of scores")
    tol = _tolerance([dscores])
    N, C = scores.shape[0], scores.shape[-1]
    rows = int(np.prod(scores.shape[:-1]))
    flat, flat_y = scores.reshape(rows, C), y.reshape(rows)
    mean_rows, _ = reference_softmax_loss(flat, flat_y)
    total = mean_rows * rows
    # Each convention: (name, factor from the summed loss to yours).
    options = [("mean over N", 1.0 / N), ("sum", 1.0)]
    if scores.ndim == 3:
        options.append(("mean over N*T", 1.0 / rows))
    fits = [(abs(loss - total * s), name, s) for name, s in options]
    _, convention, scale = min(fits)
    if abs(loss - total * scale) >= max(tol, 1e-6) * total * scale:
        convention, scale = "mean over N", 1.0 / N  # fits none: compare with lstmlib's
    ref_loss = total * scale

    def compute(ids):
        bug_loss, bug_d = variants.softmax_loss(*ids)(flat.copy(), flat_y)
        if "loss_grad_not_divided_by_batch" in ids:  # the gradient of the summed loss
            grad = bug_d
        else:
            grad = bug_d * rows * scale
        return [np.array([bug_loss * rows * scale]), grad.reshape(scores.shape)]

    ref_d = compute(())[1]
    notes = [f"Your loss is the {convention} (scores of shape {scores.shape}); dscores is "
             "compared with the gradient of that loss, and the candidates are scaled alike."]
    probe = scores.copy()
    try:
        numeric = numerical_gradient(lambda: float(np.asarray(loss_fn(probe, y)[0]).sum()),
                                     probe)
        notes.append(f"Your dscores against central differences of your own loss: "
                     f"{rel_error(dscores, numeric):.1e}.")
    except Exception:
        pass
    errors = {"loss": abs(loss - ref_loss) / abs(ref_loss), "dscores": rel_error(dscores, ref_d)}
    big = scores + 1000.0  # softmax ignores a common shift; exp(1000) overflows
    with np.errstate(all="ignore"):
        big_out, failed = _call(kind, "loss function", loss_fn, (big, y.copy()))
    finite = (failed is None and np.isfinite(np.asarray(big_out[0])).all()
              and np.isfinite(big_out[1]).all())
    candidates = [i for i in catalogue.LOSS_IDS if i != "softmax_not_shifted"
                  and not (i == "loss_grad_not_divided_by_batch" and convention == "sum")]
    diagnosis = _finish(kind, tol, errors, [np.array([loss]), dscores], candidates, compute,
                        False, None, None, notes)
    diagnosis.convention = convention
    if not finite:
        diagnosis.mistakes += ("softmax_not_shifted",)
    return diagnosis
