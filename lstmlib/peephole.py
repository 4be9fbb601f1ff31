"""The peephole LSTM: forward and backward, one step and a sequence.

Peephole connections let the gates look at the cell state itself, not only
at x_t and h_{t-1} (Gers & Schmidhuber 2000; Greff et al. 2017). Each gate
gets its own *diagonal* peephole weight: unit j of a gate sees only cell j,
through one number per unit, so the peepholes are three vectors of shape (H,).
They are stored as the rows of one array ``p`` of shape (3, H):

    p[0] = p_i   (input gate),  p[1] = p_f   (forget gate),  p[2] = p_o   (output gate)

Which cell state each gate may see follows from the order of computation:
i and f decide how to make c_t, so they can only see c_{t-1}; o is computed
after c_t exists and sees c_t. The candidate g has no peephole. One step,
gate order **i, f, o, g** along the 4H axis:

    a   = x_t Wx + h_{t-1} Wh + b          (N, 4H), one product for all gates
    i   = sigmoid(a[:, 0H:1H] + p_i * c_{t-1})
    f   = sigmoid(a[:, 1H:2H] + p_f * c_{t-1})
    g   = tanh(a[:, 3H:4H])
    c_t = f * c_{t-1} + i * g
    o   = sigmoid(a[:, 2H:3H] + p_o * c_t)
    h_t = o * tanh(c_t)

With p = 0 this is exactly ``lstmlib.lstm``. Shapes: x (N, T, D), h and c
(N, T, H), Wx (D, 4H), Wh (H, 4H), b (4H,), p (3, H).

The backward has three more paths than the plain LSTM's. o peeks at c_t, so
dL/dc_t gets a term ``da_o * p_o``; i and f peek at c_{t-1}, so dL/dc_{t-1}
gets ``da_i * p_i + da_f * p_f`` besides the carousel's ``dc * f``.

``cell_state_gradients`` returns dL/dc_t for every t, and
``cell_gradient_flow`` measures chapter 5's
exploration: how far back along the cell a loss reaches, with and without
peepholes (``lstmlib.book.peephole_flow`` draws it). ``time_major`` and
``weight_gradients`` are shared with ``lstmlib.rtrl``. The sequence
functions follow the contract in ``lstmlib``'s docstring.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_arrays, check_upstream
from .activations import dsigmoid_from_output, dtanh_from_output, sigmoid
from .flow import step_norms
from .lstm import (
    LSTMCache,
    init_lstm_params,
    input_projection,
    projection_grads,
    split_gates,
    state_buffers,
)


class PeepholeStepCache(NamedTuple):
    x: np.ndarray       # (N, D)
    prev_h: np.ndarray  # (N, H)
    prev_c: np.ndarray  # (N, H)
    next_c: np.ndarray  # (N, H): o's peephole input, so dp_o needs it
    Wx: np.ndarray      # (D, 4H)
    Wh: np.ndarray      # (H, 4H)
    p: np.ndarray       # (3, H) rows p_i, p_f, p_o
    i: np.ndarray       # (N, H) gate outputs, all four
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    tanh_c: np.ndarray  # (N, H) tanh(next_c)


def peephole_step_forward(x, prev_h, prev_c, Wx, Wh, b, p):
    """One peephole LSTM step.

    x: (N, D), prev_h: (N, H), prev_c: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,),
    p: (3, H) peephole weights, rows p_i, p_f, p_o.
    Returns next_h (N, H), next_c (N, H) and a cache for ``peephole_step_backward``.
    """
    # Weights first (Wh fixes H, then Wx fixes D), so a wrong x or state is the one blamed.
    check_arrays(Wh=(Wh, "H 4H"), Wx=(Wx, "D 4H"), b=(b, "4H"), p=(p, "3 H"),
                 x=(x, "N D"), prev_h=(prev_h, "N H"), prev_c=(prev_c, "N H"))
    p_i, p_f, p_o = p
    a_i, a_f, a_o, a_g = split_gates(x @ Wx + prev_h @ Wh + b)
    i = sigmoid(a_i + p_i * prev_c)
    f = sigmoid(a_f + p_f * prev_c)
    g = np.tanh(a_g)
    next_c = f * prev_c + i * g
    o = sigmoid(a_o + p_o * next_c)  # only now does c_t exist  # right: peephole_output_gate_sees_prev_cell
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = PeepholeStepCache(x, prev_h, prev_c, next_c, Wx, Wh, p, i, f, o, g, tanh_c)
    return next_h, next_c, cache


def peephole_step_backward(dnext_h, dnext_c, cache):
    """Backward of one peephole LSTM step.

    dnext_h: (N, H), dnext_c: (N, H): gradients of the loss with respect to
    next_h and next_c, each already summing everything that uses them.
    Returns dx (N, D), dprev_h (N, H), dprev_c (N, H), dWx (D, 4H), dWh (H, 4H),
    db (4H,), dp (3, H).
    """
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    shape = "{} {}".format(*i.shape)
    check_arrays(dnext_h=(dnext_h, shape), dnext_c=(dnext_c, shape))
    p_i, p_f, p_o = cache.p
    # h = o * tanh(c): the output gate first, because c also reaches the loss through o.
    da_o = dnext_h * tanh_c * dsigmoid_from_output(o)
    # c reaches the loss three ways: through tanh(c) in h, through o's peephole,
    # and through c_{t+1}.
    dc = dnext_c + dnext_h * o * dtanh_from_output(tanh_c) + da_o * p_o
    # c = f * prev_c + i * g
    da_i = dc * g * dsigmoid_from_output(i)
    da_f = dc * cache.prev_c * dsigmoid_from_output(f)
    da_g = dc * i * dtanh_from_output(g)
    # prev_c reaches next_c through the carousel (f) and through the i and f peepholes.
    dprev_c = dc * f + da_i * p_i + da_f * p_f
    dp = np.stack([
        (da_i * cache.prev_c).sum(axis=0),
        (da_f * cache.prev_c).sum(axis=0),
        (da_o * cache.next_c).sum(axis=0),
    ])
    da = np.concatenate([da_i, da_f, da_o, da_g], axis=1)  # gate order i, f, o, g
    # a = x Wx + prev_h Wh + b
    dx = da @ cache.Wx.T
    dprev_h = da @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db, dp


class PeepholeCache(NamedTuple):
    """``lstm.LSTMCache`` plus the peephole weights p (3, H); h, c, h0, c0,
    prev_h and prev_c are the same views of h_all and c_all."""
    x: np.ndarray       # (N, T, D)
    Wx: np.ndarray      # (D, 4H)
    Wh: np.ndarray      # (H, 4H)
    gates: np.ndarray   # (N, T, 4H): i, f, o (sigmoid outputs) and g (tanh output)
    tanh_c: np.ndarray  # (N, T, H)
    h_all: np.ndarray   # (T + 1, N, H), time-major: h0, then h_t for every t
    c_all: np.ndarray   # (T + 1, N, H), time-major: c0, then c_t for every t
    p: np.ndarray       # (3, H)

    h, c, h0, c0, prev_h, prev_c = (LSTMCache.h, LSTMCache.c, LSTMCache.h0, LSTMCache.c0,
                                    LSTMCache.prev_h, LSTMCache.prev_c)


def peephole_forward(x, h0, Wx, Wh, b, p, *, c0=None):
    """A peephole LSTM over a whole sequence.

    x: (N, T, D), h0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,),
    p: (3, H) rows p_i, p_f, p_o, c0: (N, H) or None (zeros).
    Returns h (N, T, H) and a cache; all cell states are ``cache.c``, all
    gate outputs ``cache.gates`` (N, T, 4H).
    """
    dims = check_arrays(Wh=(Wh, "H 4H"), Wx=(Wx, "D 4H"), b=(b, "4H"), p=(p, "3 H"),
                        x=(x, "N T D"), h0=(h0, "N H"), c0=(c0, "N H"))
    T = dims["T"]
    if c0 is None:
        c0 = np.zeros_like(h0)
    p_i, p_f, p_o = p
    # Stored time-major, (T, N, ...), like lstm_forward: each step reads and writes
    # contiguous blocks; the cache holds (N, T, ...) views of the same memory.
    gates = input_projection(x, Wx, b)  # (T, N, 4H), becomes the gate outputs
    h_all, c_all = state_buffers(h0, c0, T)  # step t reads slot t, writes slot t + 1
    tanh_c = np.empty_like(h_all[1:])
    for t in range(T):
        a = gates[t]  # a view: updated in place
        a += h_all[t] @ Wh
        i, f, o, g = split_gates(a)
        prev_c, next_c = c_all[t], c_all[t + 1]
        sigmoid(i + p_i * prev_c, out=i)
        sigmoid(f + p_f * prev_c, out=f)
        np.tanh(g, out=g)
        np.add(f * prev_c, i * g, out=next_c)
        sigmoid(o + p_o * next_c, out=o)  # only now does c_t exist for o to look at
        np.tanh(next_c, out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h_all[t + 1])
    cache = PeepholeCache(x, Wx, Wh, gates.transpose(1, 0, 2), tanh_c.transpose(1, 0, 2),
                          h_all, c_all, p)
    return cache.h, cache


def time_major(cache):
    """The cache's gates, c, tanh_c as (T, N, ...) views, plus c_{t-1} and h_{t-1}."""
    gates, c, tanh_c = (arr.transpose(1, 0, 2) for arr in (cache.gates, cache.c, cache.tanh_c))
    return gates, c, tanh_c, cache.prev_c, cache.prev_h


def weight_gradients(da, cache):
    """dx (N, T, D), dWx, dWh, db, dp from the gate gradients da (T, N, 4H) of every step.

    None of these feeds the next step back, so each is one product over all T*N rows.
    """
    _, c, _, prev_c_all, prev_h_all = time_major(cache)
    da_i, da_f, da_o, _ = split_gates(da)
    dx, dWx, dWh, db = projection_grads(da, cache.x, prev_h_all, cache.Wx)
    dp = np.stack([
        (da_i * prev_c_all).sum(axis=(0, 1)),
        (da_f * prev_c_all).sum(axis=(0, 1)),
        (da_o * c).sum(axis=(0, 1)),
    ])
    return dx, dWx, dWh, db, dp


def _backward_through_time(dh, cache, dc_last):
    """The time loop shared by the public backward functions.

    Returns da (T, N, 4H) time-major, dc (T, N, H) = dL/dc_t by every path,
    dh0 (N, H), dc0 (N, H).
    """
    N, T, H = cache.h.shape
    check_upstream(dh, cache.h.shape)
    check_arrays(dc_last=(dc_last, f"{N} {H}"))
    p_i, p_f, p_o = cache.p
    gates, _, tanh_c, prev_c_all, _ = time_major(cache)
    i, f, o, g = split_gates(gates)  # each (T, N, H)
    da = np.empty_like(gates)
    da_i, da_f, da_o, da_g = split_gates(da)
    dc_all = np.empty_like(tanh_c)
    dprev_h = np.zeros_like(cache.h0)
    dprev_c = np.zeros_like(cache.c0) if dc_last is None else dc_last
    for t in reversed(range(T)):
        # h_t is used by the loss (dh) and by step t+1 (dprev_h): gradients add.
        dnext_h = dh[:, t] + dprev_h
        da_o[t] = dnext_h * tanh_c[t] * dsigmoid_from_output(o[t])
        # c_t: through tanh(c_t) in h_t, from step t+1, and through o's peephole.
        dc = dprev_c + dnext_h * o[t] * dtanh_from_output(tanh_c[t]) + da_o[t] * p_o
        dc_all[t] = dc
        da_i[t] = dc * g[t] * dsigmoid_from_output(i[t])
        da_f[t] = dc * prev_c_all[t] * dsigmoid_from_output(f[t])
        da_g[t] = dc * i[t] * dtanh_from_output(g[t])
        # c_{t-1}: the carousel, and the i and f peepholes.
        dprev_c = dc * f[t] + da_i[t] * p_i + da_f[t] * p_f
        dprev_h = da[t] @ cache.Wh.T  # the only product that must stay in the loop
    return da, dc_all, dprev_h, dprev_c


def peephole_backward_with_state(dh, cache, *, dc_last=None):
    """Backward through time for ``peephole_forward``, with the cell-state gradients.

    dh: (N, T, H) upstream gradients of every h_t; dc_last: (N, H) or None, an
    extra gradient arriving at the final cell state.
    Returns dx (N, T, D), dh0 (N, H), dc0 (N, H), dWx (D, 4H), dWh (H, 4H),
    db (4H,), dp (3, H).
    """
    da, _, dh0, dc0 = _backward_through_time(dh, cache, dc_last)
    dx, dWx, dWh, db, dp = weight_gradients(da, cache)
    return dx, dh0, dc0, dWx, dWh, db, dp


def peephole_backward(dh, cache):
    """Backward through time for ``peephole_forward``.

    dh: (N, T, H), the upstream gradient at every h_t (zeros where the loss
    does not look at h_t).
    Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,), dp (3, H).
    """
    dx, dh0, _, dWx, dWh, db, dp = peephole_backward_with_state(dh, cache)
    return dx, dh0, dWx, dWh, db, dp


def cell_state_gradients(dh, cache):
    """dL/dc_t at every step, by every path (h_t, o's peephole, c_{t+1}, the i/f peepholes).

    dh: (N, T, H) upstream gradients of every h_t. Returns dc (N, T, H).
    This is how far the loss reaches back into the cell: its norm over t is
    the gradient flow the chapter's exploration draws.
    """
    return _backward_through_time(dh, cache, None)[1].transpose(1, 0, 2)


def init_peephole_params(D, H, rng, forget_bias=1.0, peephole_scale=0.1, dtype=np.float64):
    """Weights for a peephole LSTM layer: Wx (D, 4H), Wh (H, 4H), b (4H,), p (3, H).

    Wx, Wh and b as ``lstm.init_lstm_params``; the peephole weights are drawn
    uniformly from [-peephole_scale, peephole_scale] (0 gives a plain LSTM).
    """
    Wx, Wh, b = init_lstm_params(D, H, rng, forget_bias, dtype)
    p = rng.uniform(-peephole_scale, peephole_scale, size=(3, H))
    return Wx, Wh, b, p.astype(dtype)


# --- the chapter's exploration: gradient flow through the cell, with and without peepholes ------

class CellFlow(NamedTuple):
    plain: np.ndarray           # (T,) ||dL/dc_t|| with p = 0 (a plain LSTM)
    peephole: np.ndarray        # (T,) ||dL/dc_t|| with every peephole weight set
    mean_forget_plain: float    # the forget gate's mean activation, p = 0
    mean_forget_peephole: float


def cell_gradient_flow(peephole_weight, forget_bias, T=60, N=16, D=4, H=8, seed=0):
    """||dL/dc_t|| at every step for one random LSTM, with and without peepholes.

    The weights Wx, Wh and b (forget-gate block at ``forget_bias``) and the
    inputs (N, T, D) are random but fixed by ``seed``; the only difference
    between the two runs is p = 0 versus p_i = p_f = p_o = ``peephole_weight``
    everywhere. The loss is the sum of h_{T-1}, so dL/dc_t measures how much
    of it reaches back to step t. Norms are over the batch and units.
    Returns a CellFlow.
    """
    rng = np.random.default_rng(seed)
    Wx, Wh, b, _ = init_peephole_params(D, H, rng, forget_bias)
    x = rng.standard_normal((N, T, D))
    h0 = np.zeros((N, H))
    dh = np.zeros((N, T, H))
    dh[:, -1] = 1.0
    results = []
    for p in (np.zeros((3, H)), np.full((3, H), float(peephole_weight))):
        _, cache = peephole_forward(x, h0, Wx, Wh, b, p)
        forget = split_gates(cache.gates)[1]
        results += [step_norms(cell_state_gradients(dh, cache)), float(forget.mean())]
    return CellFlow(results[0], results[2], results[1], results[3])
