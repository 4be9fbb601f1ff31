"""Chapter 1's coding exercises: the tanh RNN's backward, one step and a sequence.

Both checks first run the reader's function through central differences
(``gradcheck.check_backward``, float64). When a gradient disagrees, they look for
the known mistake behind it: the backward below is written once, with a switch
for each mistake a learner typically makes, and the check finds the smallest set
of switched-on mistakes whose gradients equal the reader's to rounding error.
That is how a reader is told *which* mistake they made, even two at once.
"""

import numpy as np

from ...activations import dtanh_from_output
from ...gradcheck import check_backward
from ...rnn import rnn_forward, rnn_step_forward
from . import (
    Verdict,
    exercise,
    from_gradcheck,
    from_named_mistakes,
    name_mistakes,
    shape_problem,
)

# Sections of chapter 1 (their labels) that explain what the mistakes get wrong.
SECTIONS = {
    "rnn-forward-backward": "The tanh RNN, forward and backward",
    "rnn-bptt": "Backward through time",
}

# id -> (what the wrong code does, the label of the section that explains the right one).
# Where chapter 6's catalogue has the same mistake for the LSTM, the id is the same.
MISTAKES = {
    "tanh_grad_at_preactivation": (
        "tanh' taken at the pre-activation a, 1 - a**2, instead of 1 - h**2 "
        "from the output", "rnn-forward-backward"),
    "tanh_grad_of_output_as_input": (
        "tanh' computed as if h were the pre-activation, 1 - tanh(h)**2", "rnn-forward-backward"),
    "tanh_grad_missing": (
        "the gradient does not go through the tanh at all (da = dnext_h)",
        "rnn-forward-backward"),
    "recurrent_weight_not_transposed": (
        "dprev_h = da @ Wh instead of da @ Wh.T", "rnn-forward-backward"),
    "recurrent_weight_grad_transposed": (
        "dWh = da.T @ prev_h instead of prev_h.T @ da", "rnn-forward-backward"),
    "recurrent_weight_grad_uses_h_t": (
        "dWh built from h_t instead of h_{t-1}", "rnn-forward-backward"),
    "bias_grad_averaged": (
        "db averaged over the batch while dWx and dWh are summed", "rnn-forward-backward"),
    "dropped_recurrent_h_grad": (
        "the recurrent term is dropped: each step gets only dh[:, t], not dh[:, t] + "
        "dprev_h", "rnn-bptt"),
    "recurrent_grad_assigned_not_added": (
        "dprev_h replaces the loss's dh[:, t] instead of being added to it", "rnn-bptt"),
    "backward_loop_runs_forward_in_time": (
        "the backward loop runs t = 0, 1, ..., T-1 instead of backwards", "rnn-bptt"),
    "weight_grads_assigned_not_accumulated": (
        "the weight gradients are assigned at each step instead of summed over steps "
        "(only t = 0's share is left)", "rnn-bptt"),
    "ones_initial_state": (
        "at t = 0 the backward uses h_{-1} = ones in dWh, while the forward started "
        "from h0", "rnn-bptt"),
}

# what the reports say: id -> (what the wrong code does, the title of its section)
_EXPLAINED = {m: (what, SECTIONS[label]) for m, (what, label) in MISTAKES.items()}
# Mistakes that are different ways of getting the same line wrong cannot be combined.
_ALTERNATIVES = [
    {"tanh_grad_at_preactivation", "tanh_grad_of_output_as_input", "tanh_grad_missing"},
    {"recurrent_weight_grad_transposed", "recurrent_weight_grad_uses_h_t"},
    {"dropped_recurrent_h_grad", "recurrent_grad_assigned_not_added"},
]
STEP_MISTAKES = ["tanh_grad_at_preactivation", "tanh_grad_of_output_as_input",
                 "tanh_grad_missing", "recurrent_weight_not_transposed",
                 "recurrent_weight_grad_transposed", "recurrent_weight_grad_uses_h_t",
                 "bias_grad_averaged"]
SEQUENCE_MISTAKES = STEP_MISTAKES + ["dropped_recurrent_h_grad",
                                     "recurrent_grad_assigned_not_added",
                                     "backward_loop_runs_forward_in_time",
                                     "weight_grads_assigned_not_accumulated",
                                     "ones_initial_state"]


# --- the backward, with switchable mistakes ---------------------------------------------

def _local_grads(dnext_h, x, prev_h, Wx, Wh, next_h, mistakes):
    """One step's da, dx, dprev_h, dWx, dWh, db, with the step mistakes switched on."""
    if "tanh_grad_at_preactivation" in mistakes:
        a = np.arctanh(next_h)                        # the pre-activation itself
        da = dnext_h * (1 - a ** 2)
    elif "tanh_grad_of_output_as_input" in mistakes:
        da = dnext_h * (1 - np.tanh(next_h) ** 2)
    elif "tanh_grad_missing" in mistakes:
        da = dnext_h
    else:
        da = dnext_h * dtanh_from_output(next_h)
    dx = da @ Wx.T
    dprev_h = da @ (Wh if "recurrent_weight_not_transposed" in mistakes else Wh.T)
    dWx = x.T @ da
    if "recurrent_weight_grad_transposed" in mistakes:
        dWh = da.T @ prev_h
    elif "recurrent_weight_grad_uses_h_t" in mistakes:
        dWh = next_h.T @ da
    else:
        dWh = prev_h.T @ da
    db = da.mean(axis=0) if "bias_grad_averaged" in mistakes else da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


def step_backward_with(dnext_h, cache, mistakes=()):
    """``rnn_step_backward`` with the named mistakes (ids of MISTAKES) switched on."""
    return _local_grads(dnext_h, cache.x, cache.prev_h, cache.Wx, cache.Wh, cache.next_h,
                        set(mistakes))


def backward_with(dh, cache, mistakes=()):
    """``rnn_backward`` with the named mistakes (ids of MISTAKES) switched on."""
    mistakes = set(mistakes)
    N, T, H = cache.h.shape
    first = np.ones_like(cache.h0) if "ones_initial_state" in mistakes else cache.h0
    dx = np.zeros_like(cache.x)
    dWx, dWh, db = np.zeros_like(cache.Wx), np.zeros_like(cache.Wh), np.zeros(H)
    dprev_h = np.zeros((N, H))
    order = range(T) if "backward_loop_runs_forward_in_time" in mistakes else reversed(range(T))
    for t in order:
        if "dropped_recurrent_h_grad" in mistakes:
            dnext_h = dh[:, t]
        elif "recurrent_grad_assigned_not_added" in mistakes and t < T - 1:
            dnext_h = dprev_h
        else:
            dnext_h = dh[:, t] + dprev_h
        prev_h = first if t == 0 else cache.h[:, t - 1]
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = _local_grads(
            dnext_h, cache.x[:, t], prev_h, cache.Wx, cache.Wh, cache.h[:, t], mistakes)
        if "weight_grads_assigned_not_accumulated" in mistakes:
            dWx, dWh, db = dWx_t, dWh_t, db_t
        else:
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dprev_h, dWx, dWh, db


# --- naming the mistake -------------------------------------------------------------------

def _wrong(report, mistakes):
    bad = [row.name for row in report.rows if not row.ok]
    worst = max(row.error for row in report.rows if not row.ok)
    message = (f"{', '.join(bad)} disagree{'s' if len(bad) == 1 else ''} with central "
               f"differences (largest relative error {worst:.1e}).")
    return from_named_mistakes(message, mistakes, _EXPLAINED)


def _return_problem(got, want, names):
    if not isinstance(got, (tuple, list)) or len(got) != len(want):
        return (f"return {len(want)} gradients, ({', '.join(names)}), in that order; "
                f"got {type(got).__name__}"
                + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
    bad = [shape_problem(n, g, np.shape(w)) for n, g, w in zip(names, got, want)]
    return "; ".join(problem for problem in bad if problem)


def _check(reader, forward, inputs, upstream_shape, right, wrong, ids, rng):
    """Gradient-check ``reader`` (a classic backward) and name its mistakes if wrong."""
    names = ["d" + name for name in inputs]
    out, cache = forward(*inputs.values())
    dout = rng.standard_normal(upstream_shape)
    given = dout.copy()
    got = reader(given, cache)
    problem = _return_problem(got, right(dout, cache), names)
    if problem:
        return Verdict("wrong", problem + ".")
    if not np.array_equal(given, dout):
        return Verdict("wrong", "your backward changed the upstream gradient it was given "
                       "(e.g. with +=); compute new arrays instead, as in dnext_h = "
                       "dh[:, t] + dprev_h.",
                       ("modifies_upstream_in_place",))
    report = check_backward(forward, reader, inputs, douts=[dout])
    if report.ok:
        return from_gradcheck(report)
    return _wrong(report, name_mistakes(got, lambda combo: wrong(dout, cache, combo), ids,
                                        _ALTERNATIVES))


def step_problem(seed=0, N=3, D=4, H=5):
    """A small random problem for one RNN step: dict x, prev_h, Wx, Wh, b (float64)."""
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((N, D)), "prev_h": np.tanh(rng.standard_normal((N, H))),
            "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
            "Wh": rng.standard_normal((H, H)) / np.sqrt(H), "b": 0.3 * rng.standard_normal(H)}


def sequence_problem(seed=0, N=2, T=4, D=3, H=4):
    """A small random problem for a sequence (T >= 3, so BPTT is exercised): x, h0, Wx, Wh, b."""
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((N, T, D)), "h0": np.tanh(rng.standard_normal((N, H))),
            "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
            "Wh": rng.standard_normal((H, H)) / np.sqrt(H), "b": 0.3 * rng.standard_normal(H)}


@exercise("rnn-step-backward", chapter=1, section="rnn-forward-backward")
def check_rnn_step_backward(rnn_step_backward):
    """The reader's ``rnn_step_backward(dnext_h, cache) -> dx, dprev_h, dWx, dWh, db``."""
    inputs = step_problem()
    N, H = inputs["prev_h"].shape
    return _check(rnn_step_backward, rnn_step_forward, inputs, (N, H),
                  step_backward_with, step_backward_with, STEP_MISTAKES,
                  np.random.default_rng(1))


@exercise("rnn-backward", chapter=1, section="rnn-bptt")
def check_rnn_backward(rnn_backward):
    """The reader's ``rnn_backward(dh, cache) -> dx, dh0, dWx, dWh, db``."""
    inputs = sequence_problem()
    N, T, _ = inputs["x"].shape
    H = inputs["h0"].shape[1]
    return _check(rnn_backward, rnn_forward, inputs, (N, T, H),
                  backward_with, backward_with, SEQUENCE_MISTAKES,
                  np.random.default_rng(1))
