"""Name the mistake in your own LSTM backward.

Pass your own functions, in the classic signatures (your cache is your own
business):

    diagnose_step(lstm_step_forward, lstm_step_backward)
    diagnose_sequence(lstm_forward, lstm_backward)      # lstm_forward(x, h0, Wx, Wh, b), c0 = 0
    diagnose_loss(softmax_loss)                         # softmax_loss(scores, y) -> loss, dscores
    diagnose_peephole_step(peephole_step_forward, peephole_step_backward)

Each builds a small probe in float64 whose values make every catalogued
mistake visible (|c| > 1 somewhere, h0 far from ones, biases away from zero,
every upstream gradient nonzero, D >= 4H), runs your forward and compares
its outputs with lstmlib's, runs your backward, and compares your gradients
with the correct ones. If they differ, it computes what each mistake in
``lstmlib.mistakes.CATALOGUE`` (and each pair of them) would return on the
same probe; the one that matches yours is named.

The result is a ``Diagnosis``: ``.ok``, ``.mistake`` (a catalogue id or None),
``.errors`` (gradient name -> relative error against the correct gradient),
``.gate_errors`` (where, by gate and time step) and a readable report when
printed.

Where a mistake sits is found from dx alone: dx = da @ Wx.T, and with
D >= 4H the probe's Wx has full column rank, so ``da = dx @ pinv(Wx.T)``
recovers the gradient of every gate's pre-activation at every step.
"""
import itertools
import textwrap

import numpy as np

from . import mistakes, peephole, viz
from .gradcheck import numerical_gradient, rel_error
from .layers import softmax_loss as reference_softmax_loss
from .lstm import lstm_backward, lstm_forward

GATES = ("i", "f", "o", "g")
STEP_GRADS = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
PEEPHOLE_GRADS = STEP_GRADS + ("dp",)


class Diagnosis:
    """What a diagnose_* function found.

    ok: True when outputs and gradients agree with lstmlib's and no mistake was seen.
    mistake: the catalogue id of the mistake found, or None; mistakes: all of
    them (a pair, when two mistakes together explain the gradients).
    equivalent: other ids whose gradients are identical on the probe.
    errors: gradient name -> relative error of yours against the correct one.
    gate_errors: (4, T) array (T = 1 for a step): error of dL/da by gate
    (rows i, f, o, g) and time step, relative to the largest correct entry.
    problem: a sentence when your code could not be compared (it raised, the
    forward disagrees, a shape is wrong), else None.
    """

    def __init__(self, kind, tolerance, errors=None, mistakes_found=(), equivalent=(),
                 gate_errors=None, block_errors=None, problem=None, notes=()):
        self.kind = kind
        self.tolerance = tolerance
        self.errors = dict(errors or {})
        self.mistakes = tuple(mistakes_found)
        self.equivalent = tuple(equivalent)
        self.gate_errors = gate_errors
        self.block_errors = dict(block_errors or {})
        self.problem = problem
        self.notes = tuple(notes)

    @property
    def mistake(self):
        return self.mistakes[0] if self.mistakes else None

    @property
    def ok(self):
        return (self.problem is None and not self.mistakes
                and all(err < self.tolerance for err in self.errors.values()))

    def wrong(self):
        """The names of the gradients that disagree with the correct ones."""
        return [name for name, err in self.errors.items() if err >= self.tolerance]

    def where(self):
        """Sentences saying which gate blocks and time steps are wrong."""
        lines = []
        by_blocks = {}  # the wrong gate blocks -> the gradients wrong in exactly those
        for name, errs in self.block_errors.items():
            bad = tuple(gate for gate, err in zip(GATES, errs) if err >= self.tolerance)
            if bad:
                by_blocks.setdefault(bad, []).append(name)
        for bad, names in by_blocks.items():
            verb = "is" if len(names) == 1 else "are"
            where = ("all four gate blocks" if len(bad) == 4
                     else f"the gate block(s) {', '.join(bad)} only")
            lines.append(f"{', '.join(names)} {verb} wrong in {where}")
        if self.gate_errors is not None and self.gate_errors.max() >= self.tolerance:
            bad = self.gate_errors >= self.tolerance
            gates = [gate for gate, row in zip(GATES, bad) if row.any()]
            if self.gate_errors.shape[1] == 1:
                lines.append(f"dL/da (seen through dx) is wrong for the gate(s) {', '.join(gates)}")
            else:
                steps = [str(t) for t in np.flatnonzero(bad.any(axis=0))]
                lines.append(f"dL/da (seen through dx) is wrong for the gate(s) "
                             f"{', '.join(gates)} at time step(s) t = {', '.join(steps)} "
                             f"(of 0..{self.gate_errors.shape[1] - 1})")
        return lines

    def __str__(self):
        def wrap(text, indent, hang=2):
            return textwrap.fill(text, 78, initial_indent=indent,
                                 subsequent_indent=indent + " " * hang)

        head = f"diagnose_{self.kind}: "
        if self.ok:
            lines = [head + "no mistake found; outputs and gradients agree with lstmlib's."]
        elif self.problem is not None:
            lines = [wrap(head + self.problem, "")]
        elif self.mistakes:
            count = "a known mistake" if len(self.mistakes) == 1 else "two known mistakes"
            lines = [head + f"{count} found."]
            for mid in self.mistakes:
                m = mistakes.CATALOGUE[mid]
                lines += [wrap(f"* {mid}: {m.title} [{m.source}]", "  "),
                          textwrap.fill(m.description, 78, initial_indent="    ",
                                        subsequent_indent="    "),
                          wrap(f"Explained in chapter 6, section "
                               f"\"{mistakes.SECTIONS[m.section]}\".", "    ", hang=0)]
            if self.equivalent:
                lines.append(wrap("The same gradients also come from: "
                                  + ", ".join(self.equivalent), "  "))
        else:
            lines = [wrap(head + "the gradients are wrong, and no catalogued mistake (alone or "
                          "in a pair) explains them.", "")]
        lines += [wrap(note, "  ") for note in self.notes]
        if self.errors:
            lines.append(f"  {'gradient':<9} rel. error vs correct (ok below {self.tolerance:.0e})")
            lines += [f"  {name:<9} {err:9.1e}{'' if err < self.tolerance else '   wrong'}"
                      for name, err in self.errors.items()]
        lines += [wrap("where: " + line, "  ") for line in self.where()]
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


# --- probes -------------------------------------------------------------------------------------

def step_probe(seed=0, N=3, H=3):
    """Inputs (dict) and upstream gradients for one LSTM step, in float64.

    D = 4H + 2 so that dx determines dL/da; prev_c is large (|c| > 1) so that
    tanh'(c) and 1 - c**2 differ in sign; the biases are far from zero.
    """
    rng = np.random.default_rng(seed)
    D = 4 * H + 2
    inputs = {
        "x": rng.standard_normal((N, D)),
        "prev_h": rng.uniform(-0.9, 0.9, (N, H)),
        "prev_c": rng.choice([-1.0, 1.0], (N, H)) * rng.uniform(1.5, 2.5, (N, H)),
        "Wx": rng.standard_normal((D, 4 * H)) / np.sqrt(D),
        "Wh": rng.standard_normal((H, 4 * H)) / np.sqrt(H),
        "b": rng.uniform(-1.0, 1.0, 4 * H) + np.repeat([0.5, 1.0, 0.0, 0.0], H),
    }
    upstream = (rng.standard_normal((N, H)), rng.standard_normal((N, H)))
    return inputs, upstream


def sequence_probe(seed=0, N=2, T=5, H=3):
    """Inputs (dict) and upstream dh for a sequence, in float64.

    The forget and input biases are positive and the candidate's weights
    large, so |c| grows past 1 within a few steps; h0 is random, far from ones.
    """
    rng = np.random.default_rng(seed)
    D = 4 * H + 2
    Wx = rng.standard_normal((D, 4 * H)) / np.sqrt(D)
    Wx[:, 3 * H:] *= 2.0
    inputs = {
        "x": rng.standard_normal((N, T, D)),
        "h0": rng.uniform(-0.9, 0.9, (N, H)),
        "Wx": Wx,
        "Wh": rng.standard_normal((H, 4 * H)) / np.sqrt(H),
        "b": rng.uniform(-0.5, 0.5, 4 * H) + np.repeat([1.0, 2.0, 0.0, 0.0], H),
    }
    return inputs, (rng.standard_normal((N, T, H)),)


def peephole_step_probe(seed=0, N=3, H=3):
    """A step probe plus peephole weights p (3, H) large enough to matter."""
    inputs, upstream = step_probe(seed, N, H)
    rng = np.random.default_rng(seed + 1)
    inputs["p"] = rng.choice([-1.0, 1.0], (3, H)) * rng.uniform(0.3, 0.8, (3, H))
    return inputs, upstream


# --- helpers ------------------------------------------------------------------------------------

def _copies(arrays):
    return [np.array(a, copy=True) for a in arrays]


def _tolerance(arrays):
    """1e-7 when everything is float64; 1e-4 when some result came back in lower precision."""
    low = any(np.asarray(a).dtype != np.float64 for a in arrays)
    return 1e-4 if low else 1e-7


def _call(kind, what, fn, args):
    """fn(*args), or a Diagnosis saying it raised."""
    try:
        return fn(*args), None
    except Exception as err:  # the reader's code may raise anything; report it, don't crash
        problem = f"your {what} raised {type(err).__name__}: {err}"
        return None, Diagnosis(kind, 1e-7, problem=problem)


def _as_arrays(kind, what, result, names, expected_shapes):
    """Check a returned tuple has the right length and shapes; return (arrays, problem)."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = len(result) if isinstance(result, (tuple, list)) else type(result).__name__
        return None, Diagnosis(kind, 1e-7, problem=f"your {what} should return {len(names)} "
                               f"values ({', '.join(names)}), got {got}")
    arrays = []
    for name, value, shape in zip(names, result, expected_shapes):
        arr = np.asarray(value)
        if arr.shape != shape:
            if arr.size == int(np.prod(shape)) and np.squeeze(arr).shape == np.squeeze(
                    np.empty(shape)).shape:
                arr = arr.reshape(shape)  # e.g. db of shape (1, 4H): same numbers
            else:
                return None, Diagnosis(kind, 1e-7, problem=f"{name} returned by your {what} has "
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
        return None, None, Diagnosis(kind, 1e-7, problem="your forward should return "
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
    out = {}
    for name, (got, want) in named_pairs.items():
        scale = np.abs(want).max() + np.abs(got).max()
        diff = np.abs(np.asarray(got, dtype=np.float64) - want)
        out[name] = np.array([block.max() / scale if scale else 0.0
                              for block in np.split(diff, 4, axis=-1)])
    return out


def gate_time_errors(dx, dx_correct, Wx):
    """Error of dL/da by gate and time step, recovered from dx.

    dx, dx_correct: (N, T, D) or (N, D); Wx: (D, 4H) with D >= 4H and full column rank.
    Returns a (4, T) array (rows i, f, o, g): max |da - da_correct| over the
    block at that step, divided by max |da_correct| over everything.
    """
    dx = np.asarray(dx, dtype=np.float64)
    if dx.ndim == 2:
        dx, dx_correct = dx[:, None], dx_correct[:, None]
    recover = np.linalg.pinv(Wx.T)  # (D, 4H): da = dx @ pinv(Wx.T)
    da, da_correct = dx @ recover, dx_correct @ recover  # (N, T, 4H)
    scale = np.abs(da_correct).max()
    diff = np.abs(da - da_correct).max(axis=0)  # (T, 4H)
    blocks = np.stack(np.split(diff, 4, axis=-1)).max(axis=-1)  # (4, T)
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


# --- the diagnosers -------------------------------------------------------------------------------

def diagnose_step(forward, backward, seed=0):
    """Diagnose a reader's ``lstm_step_forward`` / ``lstm_step_backward`` pair.

    forward(x, prev_h, prev_c, Wx, Wh, b) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dWx, dWh, db
    Returns a Diagnosis.
    """
    kind = "step"
    inputs, upstream = step_probe(seed)
    arrays = list(inputs.values())
    ref_h, ref_c, ref_cache = mistakes.step_forward(*arrays)
    ref = mistakes.step_backward()(*upstream, ref_cache)
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
        return mistakes.step_backward(*ids)(*_copies(upstream), ref_cache)

    candidates = [i for i in mistakes.STEP_IDS if i != "modifies_upstream_in_place"]
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
        return Diagnosis(kind, 1e-7, problem="your forward should return (h, cache)")
    h = np.asarray(out[0])
    if h.shape != ref_h.shape:
        return Diagnosis(kind, 1e-7, problem=f"h returned by your forward has shape {h.shape}, "
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
    _, seq_cache = mistakes.sequence_forward(*arrays)

    def compute(ids):
        return mistakes.sequence_backward(*ids)(dh.copy(), seq_cache)

    candidates = [i for i in mistakes.SEQUENCE_IDS + mistakes.STEP_IDS
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
        wrong_cell = mistakes.peephole_step_forward("peephole_output_gate_sees_prev_cell")
        other_h, other_c, ref_cache = wrong_cell(*arrays)
        if _distance(outs, (other_h, other_c)) >= tol:
            return Diagnosis(kind, tol, problem=problem)
        forward_bugs = ("peephole_output_gate_sees_prev_cell",)
        ref = mistakes.peephole_step_backward(*forward_bugs)(*upstream, ref_cache)
    got, mutated, failed = _run_backward(kind, backward, upstream, cache, PEEPHOLE_GRADS, ref)
    if failed:
        return failed
    tol = _tolerance(got)

    def compute(ids):
        return mistakes.peephole_step_backward(*forward_bugs, *ids)(*_copies(upstream), ref_cache)

    candidates = [i for i in mistakes.PEEPHOLE_IDS if i != "peephole_output_gate_sees_prev_cell"]
    diagnosis = _finish(kind, tol, _errors(PEEPHOLE_GRADS, got, ref), got, candidates, compute,
                        mutated, gate_time_errors(got[0], ref[0], inputs["Wx"]),
                        _block_errors({"dWx": (got[3], ref[3]), "db": (got[5], ref[5])}))
    if forward_bugs:
        diagnosis.mistakes = forward_bugs + diagnosis.mistakes
        diagnosis.notes += ("Your forward computes a different cell: its output gate peeks at "
                            "c_{t-1}. The errors below compare your backward with that cell's "
                            "correct gradients.",)
    return diagnosis


def loss_probe(seed=0, N=4, C=5):
    """scores (N, C) and labels y (N,) for a softmax loss."""
    rng = np.random.default_rng(seed)
    return 1.5 * rng.standard_normal((N, C)), rng.permutation(np.arange(N) % C)


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
        return Diagnosis(kind, 1e-7, problem="your loss function should return (loss, dscores)")
    loss, dscores = float(out[0]), np.asarray(out[1])
    if dscores.shape != scores.shape:
        return Diagnosis(kind, 1e-7, problem=f"dscores has shape {dscores.shape}, expected "
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
        bug_loss, bug_d = mistakes.softmax_loss(*ids)(scores.copy(), y)
        return [np.array([bug_loss]), bug_d]

    diagnosis = _finish(kind, tol, errors, [np.array([loss]), dscores],
                        [i for i in mistakes.LOSS_IDS if i != "softmax_not_shifted"], compute,
                        False, None, None, notes)
    if not finite:
        diagnosis.mistakes += ("softmax_not_shifted",)
    return diagnosis


# --- pictures -----------------------------------------------------------------------------------

def plot_gate_errors(gate_errors, ax, title="", vmax=1.0):
    """Draw a (4, T) gate x time-step error map (e.g. ``Diagnosis.gate_errors``) on ``ax``."""
    image = ax.imshow(np.clip(gate_errors, 0.0, vmax), cmap="magma_r", vmin=0.0, vmax=vmax,
                      aspect="auto")
    ax.set_yticks(range(4), [f"gate {g}" for g in GATES])
    ax.set_xticks(range(gate_errors.shape[1]))
    ax.set_xlabel("time step t")
    ax.grid(False)
    ax.set_title(title, fontsize=9)
    return image


def draw_gate_error_maps(maps, ncols=3, vmax=1.0):
    """A grid of gate x time error maps: ``maps`` maps panel titles to (4, T) arrays."""
    nrows = -(-len(maps) // ncols)
    fig, axes = viz.figure(ncols=ncols, nrows=nrows, figsize=(3.0 * ncols + 1.0, 1.9 * nrows),
                           squeeze=False)
    for ax, (title, errors) in zip(axes.flat, maps.items()):
        image = plot_gate_errors(errors, ax, title, vmax)
    for ax in list(axes.flat)[len(maps):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes, label="error of dL/da\n(share of its largest entry)", shrink=0.9)
    return fig


# --- the exploration: switch a mistake on and off -------------------------------------------------

def smooth(values, window=10):
    """Moving mean of ``values`` over ``window`` steps (shorter at the start), same length."""
    values = np.asarray(values, dtype=np.float64)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def mistake_explorer(text_ids, V, mistake_ids, steps=300, seed=0, runs=None):
    """An exploration: pick a mistake, switch it on or off, see the gradient check and the training.

    text_ids: (L,) integer ids of a training text over V characters.
    mistake_ids: catalogue ids of step, sequence or loss mistakes to offer.
    Each frame shows the gate x time-step error map that ``diagnose_sequence``
    finds (for a loss mistake, the error of dscores) and the loss curve of the
    char model trained for ``steps`` Adam steps with that backward, beside
    the correct backward's curve. Training runs happen once and are cached;
    runs: a dict (tuple of ids) -> loss history of runs already made with
    ``mistakes.train_char_model`` and the same settings, to reuse.
    Returns ``draw(mistake, switched) -> Figure`` and the controls dict.
    """
    offered = mistakes.STEP_IDS + mistakes.SEQUENCE_IDS + mistakes.LOSS_IDS
    unknown = [mid for mid in mistake_ids if mid not in offered]
    if unknown or not mistake_ids:
        raise ValueError(f"mistake_ids should be a non-empty list of step, sequence or loss "
                         f"mistakes from lstmlib.mistakes.CATALOGUE; unknown: {unknown}")
    runs = {ids: smooth(history) for ids, history in (runs or {}).items()}

    def curve(ids):
        if ids not in runs:
            _, history = mistakes.train_char_model(text_ids, V, ids, steps=steps, seed=seed)
            runs[ids] = smooth(history["loss"])
        return runs[ids]

    def draw(mistake, switched):
        ids = (mistake,) if switched == "on" else ()
        fig, (ax_map, ax_loss) = viz.figure(ncols=2, figsize=(8.4, 3.0))
        if mistake in mistakes.LOSS_IDS:
            diagnosis = diagnose_loss(mistakes.softmax_loss(*ids))
            ax_map.bar(["loss", "dscores"], [diagnosis.errors["loss"], diagnosis.errors["dscores"]],
                       color="tab:red")
            ax_map.set_ylim(0, 1)
            ax_map.set_ylabel("rel. error vs correct")
        else:
            diagnosis = diagnose_sequence(mistakes.sequence_forward,
                                          mistakes.sequence_backward(*ids))
            image = plot_gate_errors(diagnosis.gate_errors, ax_map)
            fig.colorbar(image, ax=ax_map, shrink=0.8)
        worst = max(diagnosis.errors.values())
        ax_map.set_title(f"gradient check: worst rel. error {worst:.1e}", fontsize=9)
        ax_loss.plot(curve(()), color="0.6", label="correct backward")
        if ids:
            ax_loss.plot(curve(ids), color="tab:red", label=mistake)
        ax_loss.set_ylim(0, 3.0)
        ax_loss.set_xlabel("training step")
        ax_loss.set_ylabel("loss (nats/char)")
        ax_loss.legend(loc="upper right", fontsize=8)
        named = diagnosis.mistake or ("none" if diagnosis.ok else "unknown")
        fig.suptitle(f"mistake {mistake}: {switched}   (the diagnoser names: {named})",
                     fontsize=10)
        return fig

    return draw, {"mistake": list(mistake_ids), "switched": ["off", "on"]}
