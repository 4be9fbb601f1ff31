"""The mistake catalogue: known LSTM backprop mistakes, each one runnable.

``CATALOGUE`` maps a mistake's id to a ``Mistake``: a title, what goes wrong,
where it comes from (one of the learners' posts, or "common") and the
section of chapter 6 that explains it. Every mistake with ``level`` step,
sequence, loss, head or peephole also exists as code you can run, built by
the function of that level:

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
reading this file shows the right line and the wrong one together. Gate
order along the 4H axis is i, f, o, g, as everywhere in lstmlib.
"""
from typing import NamedTuple

import numpy as np

from . import layers, optim, peephole
from .activations import dsigmoid_from_output, dtanh_from_output, log_softmax, sigmoid, softmax
from .data import adding_problem, encode, text_windows
from .layers import LastStepCache
from .lstm import init_lstm_params, lstm_backward, lstm_forward, lstm_step_forward, split_gates


class Mistake(NamedTuple):
    id: str
    title: str        # one line, for tables and reports
    description: str  # what the wrong code does and what the right code does
    source: str       # "post 000" ... "post 003" (the learners' posts) or "common"
    level: str        # step, sequence, loss, head, peephole, model or setup
    section: str      # label of the chapter-6 section that explains it


SECTIONS = {
    "clinic-m1": "M1: the tanh derivative taken at the wrong place",
    "clinic-m2": "M2: a softmax derivative too many",
    "clinic-m3": "M3: the initial state the backward invents",
    "clinic-m4": "M4: the recurrent term est",
    "clinic-peephole": "The second post: a peephole cell built from guesses",
    "clinic-fourth-post": "The fourth post: a recurrent network that never recurs",
    "clinic-gallery": "A gallery of common mistakes",
    "clinic-own-code": "Diagnosing your own code",
}


def _m(id, title, description, source, level, section):
    return id, Mistake(id, title, description, source, level, section)


CATALOGUE = dict([
    # --- the first post (000): a C++ char model whose backward has three mistakes -------------
    _m("tanh_grad_at_preactivation", "tanh' of the cell taken at c instead of tanh(c)",
       "dc gets dnext_h * o * (1 - c**2); the derivative of tanh written in terms of its "
       "output needs 1 - tanh(c)**2. The factor is wrong everywhere and negative once |c| > 1.",
       "post 000", "step", "clinic-m1"),
    _m("softmax_grad_on_cross_entropy", "softmax derivative applied on top of cross-entropy",
       "dscores gets (p - onehot) * p * (1 - p); softmax followed by cross-entropy already has "
       "the gradient p - onehot, with no further factor.",
       "post 000", "loss", "clinic-m2"),
    _m("ones_initial_state", "the backward assumes h and c started at ones",
       "At t = 0 the backward uses h_{-1} = c_{-1} = 1 (in dWh and in the forget gate's "
       "gradient) while the forward started from h0 and c0 = 0.",
       "post 000", "sequence", "clinic-m3"),
    _m("dropped_recurrent_h_grad", "dL/dh_{t-1} (the post's est) is dropped",
       "Each step receives only the loss's own dh[:, t]; the gradient dprev_h that step t+1 "
       "sends back through Wh is thrown away, so h_t learns nothing about its effect on later "
       "steps. It should be dnext_h = dh[:, t] + dprev_h.",
       "post 000", "sequence", "clinic-m4"),
    # --- the second post (001): a peephole cell with a guessed, gate-as-neuron backward -------
    _m("peephole_tied_to_input_weight", "peephole as weight * (x + c)",
       "Each gate adds the cell state to its input under the same weight, so a unit's peephole "
       "weight is forced to be the sum of its input weights. Peepholes need weights of their "
       "own: one diagonal weight per unit and gate.",
       "post 001", "model", "clinic-peephole"),
    _m("output_gate_missing_tanh_c", "the output gate's error misses the tanh(c) factor",
       "do = dnext_h, where h = o * tanh(c) gives do = dnext_h * tanh(c).",
       "post 001", "step", "clinic-peephole"),
    _m("bias_grad_scaled_by_sigmoid", "bias gradient multiplied by sigmoid(bias)",
       "db = sum(da) * sigmoid(b), treating the bias like a weight whose input is its own "
       "sigmoid. A bias's input is the constant 1: db = sum(da).",
       "post 001", "step", "clinic-peephole"),
    _m("cell_error_is_output_gate_error", "the error sent back is the output gate's alone",
       "dx and dprev_h are computed from the output gate's block of da only; the input, forget "
       "and candidate blocks also feed x and h_{t-1} and their gradients add: dx = da @ Wx.T "
       "over all four blocks.",
       "post 001", "step", "clinic-peephole"),
    _m("truncated_rtrl_as_bptt", "truncated RTRL taken for the full gradient",
       "Carrying running partials scaled by the forget gate (the Java answer) is truncated "
       "real-time recurrent learning: a valid algorithm, but its gradient ignores every path "
       "through h_{t-1}, so it is not the BPTT gradient.",
       "post 001", "model", "clinic-peephole"),
    _m("peephole_output_gate_sees_prev_cell", "the output gate peeks at c_{t-1}",
       "o is computed after c_t exists, so its peephole reads c_t. A cell whose o reads "
       "c_{t-1} is a different model: its forward disagrees with the peephole LSTM's.",
       "post 001", "peephole", "clinic-peephole"),
    _m("peephole_o_path_missing_in_dc", "dc misses the output gate's peephole path",
       "o peeks at c_t, so dL/dc_t needs + da_o * p_o besides the path through tanh(c_t).",
       "common", "peephole", "clinic-peephole"),
    _m("peephole_paths_missing_in_dprev_c", "dprev_c misses the input and forget peephole paths",
       "i and f peek at c_{t-1}, so dprev_c = dc * f + da_i * p_i + da_f * p_f, not dc * f.",
       "common", "peephole", "clinic-peephole"),
    # --- the fourth post (003): T = 1 and many-to-one heads ---------------------------------
    _m("sequence_length_one", "a recurrent network trained on sequences of length 1",
       "With T = 1 no gradient ever crosses a time step, so every mistake in the recurrent "
       "paths passes a gradient check and the net is a feed-forward one. Check with T >= 3.",
       "post 003", "setup", "clinic-fourth-post"),
    _m("many_to_one_grad_at_every_step", "a many-to-one loss sends dh to every step",
       "When only h_{T-1} feeds the loss, dh is zero at every other step; copying the last "
       "step's gradient to all steps trains the earlier states on a loss they do not affect.",
       "post 003", "head", "clinic-fourth-post"),
    # --- common mistakes ----------------------------------------------------------------------
    _m("missing_forget_in_dprev_c", "dprev_c = dc, without the forget gate",
       "c_t = f * c_{t-1} + i * g, so dprev_c = dc * f.",
       "common", "step", "clinic-gallery"),
    _m("gate_blocks_swapped", "the i and f blocks of da exchanged",
       "da must be stacked in the forward's gate order (i, f, o, g); here the input gate's "
       "block sits where the forget gate's belongs and vice versa.",
       "common", "step", "clinic-gallery"),
    _m("cell_grad_missing_h_path", "dc ignores the path through h_t",
       "c_t reaches the loss through h_t = o * tanh(c_t) and through c_{t+1}: "
       "dc = dnext_c + dnext_h * o * (1 - tanh(c)**2), not dnext_c alone.",
       "common", "step", "clinic-gallery"),
    _m("cell_grad_missing_next_c", "dc ignores the incoming dnext_c",
       "The gradient arriving from c_{t+1} must be added: dc = dnext_c + dnext_h * o * "
       "(1 - tanh(c)**2).",
       "common", "step", "clinic-gallery"),
    _m("forget_grad_uses_new_cell", "the forget gate's gradient uses c_t instead of c_{t-1}",
       "f multiplies c_{t-1}, so df = dc * c_{t-1}.",
       "common", "step", "clinic-gallery"),
    _m("sigmoid_grad_applied_twice", "sigmoid' of a gate computed from its output as input",
       "The gates i, f, o are already sigmoid outputs: their derivative is i * (1 - i). "
       "Passing them to a derivative that applies sigmoid again gives sigmoid(i) * "
       "(1 - sigmoid(i)).",
       "common", "step", "clinic-gallery"),
    _m("recurrent_weight_blocks_transposed", "each gate's block of dWh transposed",
       "Per gate, dWh_gate = prev_h.T @ da_gate (H, H); writing da_gate.T @ prev_h gives the "
       "same shape, so nothing fails, but the block is transposed.",
       "common", "step", "clinic-gallery"),
    _m("bias_grad_averaged", "db averaged over the batch while dW is summed",
       "Every gradient must treat the batch alike: db = da.sum(axis=0) to match dW = x.T @ da.",
       "common", "step", "clinic-gallery"),
    _m("modifies_upstream_in_place", "the backward changes the caller's upstream gradient",
       "The gradients are right, but the backward adds into the array it was given (e.g. "
       "dnext_c += ...). Any caller that uses that array again, such as a gradient check, "
       "then works with a different number. Write dc = dnext_c + ... instead.",
       "post 002", "step", "clinic-own-code"),
    _m("dropped_recurrent_c_grad", "dL/dc_{t-1} is not carried to the previous step",
       "dprev_c from step t is the dnext_c of step t-1; starting each step from zero cuts the "
       "cell's own path, the one the LSTM was designed to keep open.",
       "common", "sequence", "clinic-gallery"),
    _m("recurrent_grad_assigned_not_added", "dh[:, t-1] = dprev_h instead of +=",
       "h_{t-1} feeds the loss and step t, so the two gradients add; assigning overwrites the "
       "loss's own gradient at every step but the last.",
       "common", "sequence", "clinic-gallery"),
    _m("weight_grads_assigned_not_accumulated", "dWx = dWx_t instead of dWx += dWx_t",
       "The weights are shared by every step and each step adds its share; assigning keeps "
       "only the last step processed (t = 0).",
       "common", "sequence", "clinic-gallery"),
    _m("backward_loop_runs_forward_in_time", "the backward loop runs t = 0, 1, ..., T-1",
       "Step t needs dprev_h and dprev_c from step t+1, so the loop must run backward in time.",
       "common", "sequence", "clinic-gallery"),
    _m("recurrent_weight_grad_uses_h_t", "dWh uses h_t instead of h_{t-1}",
       "a_t = x_t Wx + h_{t-1} Wh + b, so step t contributes h_{t-1}.T @ da_t to dWh.",
       "common", "sequence", "clinic-gallery"),
    _m("dh0_left_zero", "dh0 returned as zeros",
       "The gradient of the initial state is what step 0 sends back: dh0 = dprev_h after the "
       "loop.",
       "common", "sequence", "clinic-gallery"),
    _m("loss_grad_not_divided_by_batch", "loss averaged over the batch, gradient summed",
       "loss = mean over N, so dscores = (p - onehot) / N.",
       "common", "loss", "clinic-gallery"),
    _m("loss_grad_sign_flipped", "dscores = onehot - p",
       "That is the direction to move the scores (the negative gradient). A backward returns "
       "the gradient, p - onehot; the update rule subtracts it.",
       "common", "loss", "clinic-gallery"),
    _m("loss_grad_forgets_target", "dscores = p, without subtracting the target",
       "d(-log p_y)/dscores = p - onehot(y).",
       "common", "loss", "clinic-gallery"),
    _m("softmax_not_shifted", "softmax overflows at large scores",
       "exp(1000) is inf in floating point; subtract each row's maximum before exp (it does "
       "not change the softmax), or use log_softmax.",
       "common", "loss", "clinic-gallery"),
])

STEP_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "step")
SEQUENCE_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "sequence")
LOSS_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "loss")
HEAD_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "head")
# The step mistakes that also make sense in a peephole cell.
PEEPHOLE_IDS = tuple(k for k, m in CATALOGUE.items() if m.level == "peephole") + (
    "tanh_grad_at_preactivation", "output_gate_missing_tanh_c", "missing_forget_in_dprev_c",
    "gate_blocks_swapped", "forget_grad_uses_new_cell")


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


def _step_backward(dnext_h, dnext_c, cache, bugs):
    """The correct step backward, with each mistake in ``bugs`` switched in where it belongs."""
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    H = i.shape[1]
    # h = o * tanh(c)
    do = dnext_h * tanh_c
    if "output_gate_missing_tanh_c" in bugs:
        do = dnext_h  # as if h were o itself
    dtanh_c = dtanh_from_output(tanh_c)
    if "tanh_grad_at_preactivation" in bugs:
        dtanh_c = dtanh_from_output(cache.next_c)  # 1 - c**2
    dc = dnext_c + dnext_h * o * dtanh_c
    if "modifies_upstream_in_place" in bugs:
        dnext_c += dnext_h * o * dtanh_c  # the same value, written into the caller's array
        dc = dnext_c
    if "cell_grad_missing_h_path" in bugs:
        dc = dnext_c  # only the path through c_{t+1}
    if "cell_grad_missing_next_c" in bugs:
        dc = dnext_h * o * dtanh_c  # only the path through h_t
    # c = f * prev_c + i * g
    di = dc * g
    df = dc * (cache.next_c if "forget_grad_uses_new_cell" in bugs else cache.prev_c)
    dg = dc * i
    dprev_c = dc if "missing_forget_in_dprev_c" in bugs else dc * f
    dsig = dsigmoid_from_output
    if "sigmoid_grad_applied_twice" in bugs:
        def dsig(y):  # the gate output taken for a pre-activation
            return dsigmoid_from_output(sigmoid(y))
    blocks = [di * dsig(i), df * dsig(f), do * dsig(o), dg * dtanh_from_output(g)]
    if "gate_blocks_swapped" in bugs:
        blocks[0], blocks[1] = blocks[1], blocks[0]
    da = np.concatenate(blocks, axis=1)
    # a = x Wx + prev_h Wh + b
    da_sent_back = da
    if "cell_error_is_output_gate_error" in bugs:  # only o's block reaches x and h_{t-1}
        da_sent_back = np.zeros_like(da)
        da_sent_back[:, 2 * H:3 * H] = da[:, 2 * H:3 * H]
    dx = da_sent_back @ cache.Wx.T
    dprev_h = da_sent_back @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da
    if "recurrent_weight_blocks_transposed" in bugs:  # da_gate.T @ prev_h, gate by gate
        dWh = np.concatenate([block.T for block in split_gates(dWh)], axis=1)
    db = da.sum(axis=0)
    if "bias_grad_averaged" in bugs:
        db = da.mean(axis=0)
    if "bias_grad_scaled_by_sigmoid" in bugs:  # the bias's "input" taken as sigmoid(b)
        db = db * sigmoid(cache.b)
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
    order = range(T) if "backward_loop_runs_forward_in_time" in bugs else reversed(range(T))
    for t in order:
        step = steps[t]
        if "ones_initial_state" in bugs and t == 0:
            step = step._replace(prev_h=np.ones_like(step.prev_h),
                                 prev_c=np.ones_like(step.prev_c))
        if "recurrent_weight_grad_uses_h_t" in bugs:
            step = step._replace(prev_h=cache.h[:, t])
        # h_t feeds the loss and step t+1: the two gradients add.
        if "dropped_recurrent_h_grad" in bugs:
            dnext_h = dh[:, t]
        elif "recurrent_grad_assigned_not_added" in bugs:
            dnext_h = dh[:, t] if t == T - 1 else dprev_h
        elif "modifies_upstream_in_place" in bugs:
            dh[:, t] += dprev_h  # the right sum, written into the caller's dh
            dnext_h = dh[:, t]
        else:
            dnext_h = dh[:, t] + dprev_h
        if "dropped_recurrent_c_grad" in bugs:
            dprev_c = np.zeros_like(dprev_c)
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = _step_backward(dnext_h, dprev_c, step,
                                                                         bugs)
        if "weight_grads_assigned_not_accumulated" in bugs:
            dWx, dWh, db = dWx_t, dWh_t, db_t
        else:
            dWx += dWx_t
            dWh += dWh_t
            db += db_t
    dh0 = np.zeros_like(dprev_h) if "dh0_left_zero" in bugs else dprev_h
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
            e = np.exp(scores)
            p = e / e.sum(axis=1, keepdims=True)
            loss = -np.log(p[rows, y]).mean()
    else:
        p = softmax(scores)
        loss = -log_softmax(scores)[rows, y].mean()
    dscores = p.copy()
    if "loss_grad_forgets_target" not in bugs:
        dscores[rows, y] -= 1
    if "softmax_grad_on_cross_entropy" in bugs:
        dscores *= p * (1 - p)
    if "loss_grad_sign_flipped" in bugs:
        dscores = -dscores
    if "loss_grad_not_divided_by_batch" not in bugs:
        dscores /= N
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
            dh[:] = dlast[:, None]
        else:
            dh[:, -1] = dlast
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
        o = sigmoid(a_o + p[2] * prev_c)
        return o * cache.tanh_c, next_c, cache._replace(o=o)
    return _named(forward, ids, "peephole_step_forward")


def _peephole_step_backward(dnext_h, dnext_c, cache, bugs):
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    p_i, p_f, p_o = cache.p
    do = dnext_h if "output_gate_missing_tanh_c" in bugs else dnext_h * tanh_c
    da_o = do * dsigmoid_from_output(o)
    dtanh_c = dtanh_from_output(cache.next_c if "tanh_grad_at_preactivation" in bugs else tanh_c)
    dc = dnext_c + dnext_h * o * dtanh_c
    # o's peephole reads c_t (or, in the wrong cell, c_{t-1}): that path joins dc (or dprev_c).
    o_sees_prev_c = "peephole_output_gate_sees_prev_cell" in bugs
    if not o_sees_prev_c and "peephole_o_path_missing_in_dc" not in bugs:
        dc = dc + da_o * p_o
    da_i = dc * g * dsigmoid_from_output(i)
    prev_c_for_f = cache.next_c if "forget_grad_uses_new_cell" in bugs else cache.prev_c
    da_f = dc * prev_c_for_f * dsigmoid_from_output(f)
    da_g = dc * i * dtanh_from_output(g)
    dprev_c = dc if "missing_forget_in_dprev_c" in bugs else dc * f
    if "peephole_paths_missing_in_dprev_c" not in bugs:
        dprev_c = dprev_c + da_i * p_i + da_f * p_f
    if o_sees_prev_c:
        dprev_c = dprev_c + da_o * p_o
    c_seen_by_o = cache.prev_c if o_sees_prev_c else cache.next_c
    dp = np.stack([(da_i * cache.prev_c).sum(axis=0), (da_f * cache.prev_c).sum(axis=0),
                   (da_o * c_seen_by_o).sum(axis=0)])
    blocks = [da_i, da_f, da_o, da_g]
    if "gate_blocks_swapped" in bugs:
        blocks[0], blocks[1] = blocks[1], blocks[0]
    da = np.concatenate(blocks, axis=1)
    return (da @ cache.Wx.T, da @ cache.Wh.T, dprev_c, cache.x.T @ da, cache.prev_h.T @ da,
            da.sum(axis=0), dp)


def peephole_step_backward(*ids):
    """A ``peephole_step_backward`` with the mistakes ``ids`` (from ``PEEPHOLE_IDS``).

    ``backward(dnext_h, dnext_c, cache)`` reads ``lstmlib.peephole``'s step cache
    and returns dx, dprev_h, dprev_c, dWx, dWh, db, dp (3, H).
    """
    bugs = _bugs(ids, PEEPHOLE_IDS, "peephole")

    def backward(dnext_h, dnext_c, cache):
        return _peephole_step_backward(dnext_h, dnext_c, cache, bugs)
    return _named(backward, ids, "peephole_step_backward")


# --- the first post's model: a character-level next-character predictor -------------------

def init_char_model(V, H, rng):
    """Parameters of a one-layer LSTM char model over V characters with H units.

    Returns a dict: Wx (V, 4H), Wh (H, 4H), b (4H,) (forget bias 1), W_out (H, V), b_out (V,).
    """
    Wx = rng.standard_normal((V, 4 * H)) / np.sqrt(V)
    Wh = rng.standard_normal((H, 4 * H)) / np.sqrt(H)
    b = np.zeros(4 * H)
    b[H:2 * H] = 1.0
    W_out = rng.standard_normal((H, V)) / np.sqrt(H)
    return {"Wx": Wx, "Wh": Wh, "b": b, "W_out": W_out, "b_out": np.zeros(V)}


def char_model_loss_and_grads(params, inputs, targets, ids=()):
    """Mean cross-entropy of next-character prediction and its gradients, with mistakes ``ids``.

    inputs, targets: (N, T) integer ids (``lstmlib.data.text_windows``); ids: any
    mix of step, sequence and loss mistakes (none: the correct gradients).
    The loss returned is always the true one; only the gradients carry the mistakes.
    Returns loss (float) and grads, a dict with the keys of ``params``.
    """
    loss_ids = tuple(i for i in ids if i in LOSS_IDS)
    lstm_ids = tuple(i for i in ids if i not in LOSS_IDS)
    W_out = params["W_out"]
    H, V = W_out.shape
    N, T = inputs.shape
    x = np.eye(V)[inputs]  # (N, T, V) one-hot
    h, cache = sequence_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h @ W_out + params["b_out"]  # (N, T, V)
    loss, dscores = softmax_loss(*loss_ids)(scores.reshape(N * T, V), targets.reshape(N * T))
    dh = (dscores @ W_out.T).reshape(N, T, H)
    _, _, dWx, dWh, db = sequence_backward(*lstm_ids)(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "W_out": h.reshape(N * T, H).T @ dscores,
             "b_out": dscores.sum(axis=0)}
    return loss, grads


def train_char_model(text_ids, V, ids=(), H=24, N=16, T=16, steps=300, learning_rate=1e-2,
                     rule=optim.adam, seed=0, track_every=0):
    """Train the char model with the mistakes ``ids`` in its gradients.

    text_ids: (L,) integer ids of the training text (``lstmlib.data.encode``).
    Every step draws N windows of length T (``lstmlib.data.text_windows``)
    and applies ``rule`` (an ``lstmlib.optim`` rule) to every parameter.
    track_every: if > 0, every that many steps also compute the correct
    gradient of the LSTM's weights and record how the one used compares:
    ``sign_agreement``, the share of entries whose sign is right (Adam's step
    follows each entry's sign), and ``norm_ratio``, |used| / |correct|.
    Returns params and a history dict of arrays: ``loss`` (steps,), the true
    loss of each batch, and with tracking ``tracked_step``, ``sign_agreement``,
    ``norm_ratio``.
    """
    rng = np.random.default_rng(seed)
    params = init_char_model(V, H, rng)
    configs = {name: {"learning_rate": learning_rate} for name in params}
    history = {"loss": [], "tracked_step": [], "sign_agreement": [], "norm_ratio": []}
    for step in range(steps):
        inputs, targets = text_windows(text_ids, N, T, rng)
        loss, grads = char_model_loss_and_grads(params, inputs, targets, ids)
        if track_every and step % track_every == 0:
            _, true = char_model_loss_and_grads(params, inputs, targets)
            used = np.concatenate([grads[k].ravel() for k in ("Wx", "Wh", "b")])
            right = np.concatenate([true[k].ravel() for k in ("Wx", "Wh", "b")])
            history["tracked_step"].append(step)
            history["sign_agreement"].append(np.mean(np.sign(used) == np.sign(right)))
            history["norm_ratio"].append(np.linalg.norm(used) / np.linalg.norm(right))
        optim.update(params, grads, rule, configs)
        history["loss"].append(loss)
    return params, {name: np.array(values) for name, values in history.items()}


def greedy_text(params, vocab, prime, length):
    """The char model's most likely continuation of ``prime``, one character at a time.

    vocab: the ``lstmlib.data.Vocab`` the model was trained with. Returns a string.
    """
    V = len(vocab.chars)
    h = np.zeros((1, params["Wh"].shape[0]))
    c = np.zeros_like(h)
    scores = None
    out = []
    for k in list(encode(prime, vocab)) + [None] * length:
        if k is None:
            k = int(np.argmax(scores))
            out.append(vocab.chars[k])
        h, c, _ = lstm_step_forward(np.eye(V)[[k]], h, c, params["Wx"], params["Wh"], params["b"])
        scores = h[0] @ params["W_out"] + params["b_out"]
    return "".join(out)


def train_many_to_one(ids=(), T=10, H=16, N=32, steps=400, learning_rate=1e-2, seed=0):
    """Train an LSTM on the adding problem, reading only h_{T-1}, with head mistakes ``ids``.

    The model is ``lstmlib.data.adding_problem`` batches (N, T, 2) -> LSTM (H units)
    -> the last hidden state -> an affine map to one number, trained with
    Adam on the mean squared error. Returns the loss of every batch, (steps,).
    """
    rng = np.random.default_rng(seed)
    Wx, Wh, b = init_lstm_params(2, H, rng)
    params = {"Wx": Wx, "Wh": Wh, "b": b, "W": rng.standard_normal((H, 1)) / np.sqrt(H),
              "c": np.zeros(1)}
    configs = {name: {"learning_rate": learning_rate} for name in params}
    head_backward = last_step_backward(*ids)
    losses = []
    for _ in range(steps):
        x, y = adding_problem(N, T, rng)
        h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
        last, last_cache = layers.last_step_forward(h)
        pred, affine_cache = layers.affine_forward(last, params["W"], params["c"])
        loss, dpred = layers.mse_loss(pred, y)
        dlast, dW, dc = layers.affine_backward(dpred, affine_cache)
        # The head decides which h_t the loss reaches: only the last, if it is right.
        _, _, dWx, dWh, db = lstm_backward(head_backward(dlast, last_cache), cache)
        optim.update(params, {"Wx": dWx, "Wh": dWh, "b": db, "W": dW, "c": dc}, optim.adam,
                     configs)
        losses.append(loss)
    return np.array(losses)
