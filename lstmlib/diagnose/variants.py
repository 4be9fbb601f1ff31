"""The mistakes of the catalogue as code you can run.

Every mistake of ``lstmlib.diagnose.catalogue.CATALOGUE`` with ``level`` step,
sequence, loss, head or peephole exists as code, built by the function of
that level::

    step_backward(*ids)           a buggy ``lstm_step_backward``, pair it with ``step_forward``
    sequence_backward(*ids)       a buggy ``lstm_backward``, pair it with ``sequence_forward``
    softmax_loss(*ids)            a buggy ``softmax_loss(scores, y)``
    last_step_backward(*ids)      a buggy many-to-one head
    peephole_step_forward(*ids)   a (possibly buggy) ``peephole_step_forward``
    peephole_step_backward(*ids)  a buggy ``peephole_step_backward``

With no ids each returns the correct function. Several ids combine (the
first learner's backward had three mistakes at once). A sequence backward
accepts every step-level id as well: the mistake then sits in each step.

Inside, each mistake is one ``if`` right beside the line it corrupts, so
reading this file shows the right line and the wrong one together. The
wrong line carries a comment ``# mistake: <id>``; the right line it replaces
carries ``# right: <id>`` (``lstmlib.book.source.show_mistake`` shows the two
side by side, taken from this file). Gate order along the 4H axis is i, f,
o, g, as everywhere in lstmlib.
"""
from typing import NamedTuple

import numpy as np

from .. import peephole
from ..activations import dsigmoid_from_output, dtanh_from_output, log_softmax, sigmoid, softmax
from ..layers import LastStepCache
from ..lstm import lstm_forward, lstm_step_forward, split_gates
from .catalogue import HEAD_IDS, LOSS_IDS, PEEPHOLE_IDS, SEQUENCE_IDS, STEP_IDS


def _bugs(ids, allowed, kind):
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        known = ", ".join(allowed)
        raise ValueError(f"{', '.join(map(repr, unknown))} is not a {kind} mistake; "
                         f"the {kind} mistakes are: {known}")
    return frozenset(ids)


def _named(function, ids, kind):
    function.__name__ = f"{kind}_with_" + "_and_".join(ids) if ids else kind
    function.mistakes = tuple(ids)
    return function


# --- one LSTM step --------------------------------------------------------------------------

class StepCache(NamedTuple):
    """lstmlib's step cache plus what some mistakes read: the bias and c_t itself."""
    x: np.ndarray       # (N, D)
    prev_h: np.ndarray  # (N, H)
    prev_c: np.ndarray  # (N, H)
    Wx: np.ndarray      # (D, 4H)
    Wh: np.ndarray      # (H, 4H)
    i: np.ndarray       # (N, H) gate outputs
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    tanh_c: np.ndarray  # (N, H)
    b: np.ndarray       # (4H,)
    next_c: np.ndarray  # (N, H)


def step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """``lstmlib.lstm_step_forward`` with a ``StepCache`` that every ``step_backward`` reads.

    x: (N, D), prev_h: (N, H), prev_c: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,)
    Returns next_h (N, H), next_c (N, H), cache.
    """
    next_h, next_c, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    return next_h, next_c, StepCache(*cache, b, next_c)


class _LinearInputs(NamedTuple):
    """What the backward through a = x Wx + prev_h Wh + b reads, for either cell."""
    x: np.ndarray       # (N, D)
    prev_h: np.ndarray  # (N, H)
    Wx: np.ndarray      # (D, 4H)
    Wh: np.ndarray      # (H, 4H)
    b: np.ndarray       # (4H,), read only by bias_grad_scaled_by_sigmoid


def _sigmoid_grad(bugs):
    """sigmoid's derivative from its output; the mistake applies sigmoid once more."""
    dsig = dsigmoid_from_output  # right: sigmoid_grad_applied_twice
    if "sigmoid_grad_applied_twice" in bugs:
        def dsig(y):  # the gate output taken for a pre-activation  # mistake: sigmoid_grad_applied_twice
            return dsigmoid_from_output(sigmoid(y))  # mistake: sigmoid_grad_applied_twice
    return dsig


def _linear_backward(da, cache, bugs):
    """Back from da (N, 4H) through a = x Wx + prev_h Wh + b, with ``bugs`` switched in.

    cache: a ``StepCache`` or ``_LinearInputs``. The plain and the peephole cell
    share this half, so its marked lines (what ``show_mistake`` shows) exist once.
    Returns dx (N, D), dprev_h (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    H = da.shape[1] // 4
    da_sent_back = da  # right: cell_error_is_output_gate_error
    if "cell_error_is_output_gate_error" in bugs:  # only o's block goes to x, h_{t-1}
        da_sent_back = np.zeros_like(da)  # mistake: cell_error_is_output_gate_error
        da_sent_back[:, 2 * H:3 * H] = da[:, 2 * H:3 * H]  # mistake: cell_error_is_output_gate_error
    dx = da_sent_back @ cache.Wx.T
    dprev_h = da_sent_back @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da  # right: recurrent_weight_blocks_transposed
    if "recurrent_weight_blocks_transposed" in bugs:  # da_gate.T @ prev_h, gate by gate
        dWh = np.concatenate([block.T for block in split_gates(dWh)], axis=1)  # mistake: recurrent_weight_blocks_transposed
    db = da.sum(axis=0)  # right: bias_grad_averaged, bias_grad_scaled_by_sigmoid
    if "bias_grad_averaged" in bugs:
        db = da.mean(axis=0)  # mistake: bias_grad_averaged
    if "bias_grad_scaled_by_sigmoid" in bugs:  # the bias's "input" taken as sigmoid(b)
        db = db * sigmoid(cache.b)  # mistake: bias_grad_scaled_by_sigmoid
    return dx, dprev_h, dWx, dWh, db


def _step_backward(dnext_h, dnext_c, cache, bugs):
    """The correct step backward, with each mistake in ``bugs`` switched in where it belongs."""
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    # h = o * tanh(c)
    do = dnext_h * tanh_c  # right: output_gate_missing_tanh_c
    if "output_gate_missing_tanh_c" in bugs:
        do = dnext_h  # as if h were o itself  # mistake: output_gate_missing_tanh_c
    dtanh_c = dtanh_from_output(tanh_c)  # right: tanh_grad_at_preactivation
    if "tanh_grad_at_preactivation" in bugs:
        dtanh_c = dtanh_from_output(cache.next_c)  # 1 - c**2  # mistake: tanh_grad_at_preactivation
    dc = dnext_c + dnext_h * o * dtanh_c  # right: modifies_upstream_in_place, cell_grad_missing_h_path, cell_grad_missing_next_c
    if "modifies_upstream_in_place" in bugs:
        dnext_c += dnext_h * o * dtanh_c  # mistake: modifies_upstream_in_place
        dc = dnext_c  # mistake: modifies_upstream_in_place
    if "cell_grad_missing_h_path" in bugs:
        dc = dnext_c  # only the path through c_{t+1}  # mistake: cell_grad_missing_h_path
    if "cell_grad_missing_next_c" in bugs:
        dc = dnext_h * o * dtanh_c  # only the path through h_t  # mistake: cell_grad_missing_next_c
    # c = f * prev_c + i * g
    di = dc * g
    df = dc * cache.prev_c  # right: forget_grad_uses_new_cell
    if "forget_grad_uses_new_cell" in bugs:
        df = dc * cache.next_c  # mistake: forget_grad_uses_new_cell
    dg = dc * i
    dprev_c = dc * f  # right: missing_forget_in_dprev_c
    if "missing_forget_in_dprev_c" in bugs:
        dprev_c = dc  # mistake: missing_forget_in_dprev_c
    dsig = _sigmoid_grad(bugs)
    blocks = [di * dsig(i), df * dsig(f), do * dsig(o), dg * dtanh_from_output(g)]  # right: gate_blocks_swapped
    if "gate_blocks_swapped" in bugs:
        blocks[0], blocks[1] = blocks[1], blocks[0]  # mistake: gate_blocks_swapped
    da = np.concatenate(blocks, axis=1)
    dx, dprev_h, dWx, dWh, db = _linear_backward(da, cache, bugs)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def step_backward(*ids):
    """An ``lstm_step_backward`` with the step mistakes ``ids`` (none: the correct one).

    The returned ``backward(dnext_h, dnext_c, cache)`` reads a ``StepCache``
    from ``step_forward`` and returns dx (N, D), dprev_h (N, H), dprev_c (N, H),
    dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    bugs = _bugs(ids, STEP_IDS, "step")

    def backward(dnext_h, dnext_c, cache):
        return _step_backward(dnext_h, dnext_c, cache, bugs)
    return _named(backward, ids, "lstm_step_backward")


# --- a whole sequence -------------------------------------------------------------------------

class SequenceCache(NamedTuple):
    steps: list     # T StepCaches
    h: np.ndarray   # (N, T, H), every h_t


def sequence_forward(x, h0, Wx, Wh, b):
    """The classic ``lstm_forward`` (c0 = 0), with one ``StepCache`` per step.

    x: (N, T, D), h0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,)
    Returns h (N, T, H) and a ``SequenceCache`` for ``sequence_backward``.
    """
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    steps = [StepCache(x[:, t], cache.prev_h[t], cache.prev_c[t], Wx, Wh,
                       *split_gates(cache.gates[:, t]), cache.tanh_c[:, t], b, cache.c[:, t])
             for t in range(x.shape[1])]
    return h, SequenceCache(steps, h)


def _sequence_backward(dh, cache, bugs):
    steps = cache.steps
    T = len(steps)
    N, H = steps[0].prev_h.shape
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    dprev_c = np.zeros((N, H), dtype=dh.dtype)
    dWx, dWh = np.zeros_like(steps[0].Wx), np.zeros_like(steps[0].Wh)
    db = np.zeros_like(steps[0].b)
    dx = np.zeros((N, T, steps[0].x.shape[1]), dtype=dh.dtype)
    order = reversed(range(T))  # right: backward_loop_runs_forward_in_time
    if "backward_loop_runs_forward_in_time" in bugs:
        order = range(T)  # mistake: backward_loop_runs_forward_in_time
    for t in order:
        step = steps[t]  # right: ones_initial_state, recurrent_weight_grad_uses_h_t
        if "ones_initial_state" in bugs and t == 0:
            step = step._replace(prev_h=np.ones_like(step.prev_h),  # mistake: ones_initial_state
                                 prev_c=np.ones_like(step.prev_c))  # mistake: ones_initial_state
        if "recurrent_weight_grad_uses_h_t" in bugs:
            step = step._replace(prev_h=cache.h[:, t])  # mistake: recurrent_weight_grad_uses_h_t
        # h_t feeds the loss and step t+1: the two gradients add.
        if "dropped_recurrent_h_grad" in bugs:
            dnext_h = dh[:, t]  # mistake: dropped_recurrent_h_grad
        elif "recurrent_grad_assigned_not_added" in bugs:
            dnext_h = dh[:, t] if t == T - 1 else dprev_h  # mistake: recurrent_grad_assigned_not_added
        elif "modifies_upstream_in_place" in bugs:
            dh[:, t] += dprev_h  # the right sum, written into the caller's dh  # mistake: modifies_upstream_in_place
            dnext_h = dh[:, t]  # mistake: modifies_upstream_in_place
        else:
            dnext_h = dh[:, t] + dprev_h  # right: dropped_recurrent_h_grad, recurrent_grad_assigned_not_added, modifies_upstream_in_place
        if "dropped_recurrent_c_grad" in bugs:
            dprev_c = np.zeros_like(dprev_c)  # mistake: dropped_recurrent_c_grad
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = _step_backward(dnext_h, dprev_c, step,
                                                                         bugs)
        if "weight_grads_assigned_not_accumulated" in bugs:
            dWx, dWh, db = dWx_t, dWh_t, db_t  # mistake: weight_grads_assigned_not_accumulated
        else:
            dWx += dWx_t  # right: weight_grads_assigned_not_accumulated
            dWh += dWh_t  # right: weight_grads_assigned_not_accumulated
            db += db_t  # right: weight_grads_assigned_not_accumulated
    dh0 = dprev_h  # right: dh0_left_zero
    if "dh0_left_zero" in bugs:
        dh0 = np.zeros_like(dprev_h)  # mistake: dh0_left_zero
    return dx, dh0, dWx, dWh, db


def sequence_backward(*ids):
    """An ``lstm_backward`` with the mistakes ``ids``: sequence-level and/or step-level ones.

    The returned ``backward(dh, cache)`` reads a ``SequenceCache`` from
    ``sequence_forward``; dh: (N, T, H). Returns dx (N, T, D), dh0 (N, H),
    dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    bugs = _bugs(ids, SEQUENCE_IDS + STEP_IDS, "sequence or step")

    def backward(dh, cache):
        return _sequence_backward(dh, cache, bugs)
    return _named(backward, ids, "lstm_backward")


# --- the loss and the head --------------------------------------------------------------------

def _softmax_loss(scores, y, bugs):
    N = scores.shape[0]
    rows = np.arange(N)
    if "softmax_not_shifted" in bugs:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            e = np.exp(scores)  # mistake: softmax_not_shifted
            p = e / e.sum(axis=1, keepdims=True)  # mistake: softmax_not_shifted
            loss = -np.log(p[rows, y]).mean()  # mistake: softmax_not_shifted
    else:
        p = softmax(scores)  # right: softmax_not_shifted
        loss = -log_softmax(scores)[rows, y].mean()  # right: softmax_not_shifted
    dscores = p.copy()  # mistake: loss_grad_forgets_target
    if "loss_grad_forgets_target" not in bugs:
        dscores[rows, y] -= 1  # right: loss_grad_forgets_target, loss_grad_sign_flipped
    if "softmax_grad_on_cross_entropy" in bugs:
        dscores *= p * (1 - p)  # mistake: softmax_grad_on_cross_entropy
    if "loss_grad_sign_flipped" in bugs:
        dscores = -dscores  # mistake: loss_grad_sign_flipped
    if "loss_grad_not_divided_by_batch" not in bugs:
        dscores /= N  # right: loss_grad_not_divided_by_batch
    return float(loss), dscores


def softmax_loss(*ids):
    """A ``softmax_loss(scores, y) -> (loss, dscores)`` with the loss mistakes ``ids``.

    scores: (N, C), y: (N,) integer labels; the loss is the mean cross-entropy.
    """
    bugs = _bugs(ids, LOSS_IDS, "loss")

    def loss_fn(scores, y):
        return _softmax_loss(scores, y, bugs)
    return _named(loss_fn, ids, "softmax_loss")


def last_step_backward(*ids):
    """The many-to-one head's backward ``(dlast (N, H), cache) -> dh (N, T, H)``.

    Pairs with ``lstmlib.layers.last_step_forward``. Correct: dh is zero except
    at the last step.
    """
    bugs = _bugs(ids, HEAD_IDS, "head")

    def backward(dlast, cache):
        if not isinstance(cache, LastStepCache):
            raise ValueError("cache should come from lstmlib.layers.last_step_forward")
        dh = np.zeros(cache.shape, dtype=dlast.dtype)
        if "many_to_one_grad_at_every_step" in bugs:
            dh[:] = dlast[:, None]  # mistake: many_to_one_grad_at_every_step
        else:
            dh[:, -1] = dlast  # right: many_to_one_grad_at_every_step
        return dh
    return _named(backward, ids, "last_step_backward")


# --- the peephole cell ------------------------------------------------------------------------

def peephole_step_forward(*ids):
    """A ``peephole_step_forward(x, prev_h, prev_c, Wx, Wh, b, p)``; correct without ids.

    With "peephole_output_gate_sees_prev_cell" the output gate peeks at
    c_{t-1}. The cache is ``lstmlib.peephole``'s, so ``peephole_step_backward``
    reads it either way.
    """
    bugs = _bugs(ids, ("peephole_output_gate_sees_prev_cell",), "peephole forward")

    def forward(x, prev_h, prev_c, Wx, Wh, b, p):
        next_h, next_c, cache = peephole.peephole_step_forward(x, prev_h, prev_c, Wx, Wh, b, p)
        if not bugs:
            return next_h, next_c, cache
        H = prev_h.shape[1]
        a_o = x @ Wx[:, 2 * H:3 * H] + prev_h @ Wh[:, 2 * H:3 * H] + b[2 * H:3 * H]
        o = sigmoid(a_o + p[2] * prev_c)  # mistake: peephole_output_gate_sees_prev_cell
        return o * cache.tanh_c, next_c, cache._replace(o=o)
    return _named(forward, ids, "peephole_step_forward")


def peephole_backward_with(dnext_h, dnext_c, cache, bugs, b=None):
    """The peephole step backward with the mistakes in the set ``bugs`` switched in.

    bugs: ids from ``PEEPHOLE_IDS`` and, for the clinic, the plain-cell step mistakes a
    peephole cell can make too (each does here what it does in ``step_backward``); the
    peephole paths stay right unless a peephole mistake removes them.
    b: the bias (4H,), which the peephole cache does not hold; needed only for
    ``bias_grad_scaled_by_sigmoid`` (without it that mistake raises ValueError).
    Returns dx, dprev_h, dprev_c, dWx, dWh, db, dp (3, H).
    """
    if b is None and "bias_grad_scaled_by_sigmoid" in bugs:
        raise ValueError("b is needed for bias_grad_scaled_by_sigmoid (the peephole "
                         "cache holds no bias): pass the bias (4H,) as b=")
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    p_i, p_f, p_o = cache.p
    dsig = _sigmoid_grad(bugs)
    do = dnext_h if "output_gate_missing_tanh_c" in bugs else dnext_h * tanh_c
    da_o = do * dsig(o)
    dtanh_c = dtanh_from_output(cache.next_c if "tanh_grad_at_preactivation" in bugs else tanh_c)
    h_path = dnext_h * o * dtanh_c
    if "cell_grad_missing_h_path" in bugs:
        dc = dnext_c
    elif "cell_grad_missing_next_c" in bugs:
        dc = h_path
    else:
        dc = dnext_c + h_path
    # o's peephole reads c_t (or, in the wrong cell, c_{t-1}): that path joins dc (or dprev_c).
    o_sees_prev_c = "peephole_output_gate_sees_prev_cell" in bugs
    if not o_sees_prev_c and "peephole_o_path_missing_in_dc" not in bugs:
        dc = dc + da_o * p_o  # right: peephole_o_path_missing_in_dc
    da_i = dc * g * dsig(i)
    prev_c_for_f = cache.next_c if "forget_grad_uses_new_cell" in bugs else cache.prev_c
    da_f = dc * prev_c_for_f * dsig(f)
    da_g = dc * i * dtanh_from_output(g)
    dprev_c = dc if "missing_forget_in_dprev_c" in bugs else dc * f
    if "peephole_paths_missing_in_dprev_c" not in bugs:
        dprev_c = dprev_c + da_i * p_i + da_f * p_f  # right: peephole_paths_missing_in_dprev_c
    if o_sees_prev_c:
        dprev_c = dprev_c + da_o * p_o
    c_seen_by_o = cache.prev_c if o_sees_prev_c else cache.next_c
    dp = np.stack([(da_i * cache.prev_c).sum(axis=0), (da_f * cache.prev_c).sum(axis=0),
                   (da_o * c_seen_by_o).sum(axis=0)])
    blocks = [da_i, da_f, da_o, da_g]
    if "gate_blocks_swapped" in bugs:
        blocks[0], blocks[1] = blocks[1], blocks[0]
    da = np.concatenate(blocks, axis=1)
    linear = _LinearInputs(cache.x, cache.prev_h, cache.Wx, cache.Wh, b)
    dx, dprev_h, dWx, dWh, db = _linear_backward(da, linear, bugs)
    return dx, dprev_h, dprev_c, dWx, dWh, db, dp


def peephole_step_backward(*ids):
    """A ``peephole_step_backward`` with the mistakes ``ids`` (from ``PEEPHOLE_IDS``).

    ``backward(dnext_h, dnext_c, cache)`` reads ``lstmlib.peephole``'s step cache
    and returns dx, dprev_h, dprev_c, dWx, dWh, db, dp (3, H).
    """
    bugs = _bugs(ids, PEEPHOLE_IDS, "peephole")

    def backward(dnext_h, dnext_c, cache):
        return peephole_backward_with(dnext_h, dnext_c, cache, bugs)
    return _named(backward, ids, "peephole_step_backward")
