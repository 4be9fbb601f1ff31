"""The LSTM: forward and backward, one step and a sequence.

One step, with gate order **i, f, o, g** along the 4H axis:

    a   = x_t Wx + h_{t-1} Wh + b          (N, 4H), one product for all gates
    i   = sigmoid(a[:, 0H:1H])   input gate
    f   = sigmoid(a[:, 1H:2H])   forget gate
    o   = sigmoid(a[:, 2H:3H])   output gate
    g   = tanh(a[:, 3H:4H])      candidate (block input)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Shapes: x (N, T, D), h and c (N, T, H), Wx (D, 4H), Wh (H, 4H), b (4H,).
The sequence functions follow the contract in ``lstmlib``'s docstring.

``lstm_step_forward``/``lstm_step_backward`` are the didactic one-step
version. ``lstm_forward``/``lstm_backward`` compute the same thing for a
whole sequence but move every product that does not depend on the previous
step out of the time loop; ``lstm_forward_loop``/``lstm_backward_loop`` are
the plain loop of steps they are tested against.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_arrays, check_upstream
from .activations import dsigmoid_from_output, dtanh_from_output, sigmoid


class LSTMStepCache(NamedTuple):
    x: np.ndarray       # (N, D)
    prev_h: np.ndarray  # (N, H)
    prev_c: np.ndarray  # (N, H)
    Wx: np.ndarray      # (D, 4H)
    Wh: np.ndarray      # (H, 4H)
    i: np.ndarray       # (N, H) gate outputs, all four
    f: np.ndarray
    o: np.ndarray
    g: np.ndarray
    tanh_c: np.ndarray  # (N, H) tanh(next_c): the backward needs the *output* of tanh


def split_gates(a):
    """Split (..., 4H) into the four (..., H) blocks in the order i, f, o, g."""
    return np.split(a, 4, axis=-1)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step.

    x: (N, D), prev_h: (N, H), prev_c: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,)
    Returns next_h (N, H), next_c (N, H) and a cache for ``lstm_step_backward``.
    """
    # Weights first (Wh fixes H, then Wx fixes D): a wrong x or state is the one blamed.
    check_arrays(Wh=(Wh, "H 4H"), Wx=(Wx, "D 4H"), b=(b, "4H"),
                 x=(x, "N D"), prev_h=(prev_h, "N H"), prev_c=(prev_c, "N H"))
    a = x @ Wx + prev_h @ Wh + b
    a_i, a_f, a_o, a_g = split_gates(a)
    i, f, o, g = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o), np.tanh(a_g)
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    return next_h, next_c, LSTMStepCache(x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward of one LSTM step.

    dnext_h: (N, H), dnext_c: (N, H): gradients of the loss with respect to
    next_h and next_c, each already summing everything that uses them.
    Returns dx (N, D), dprev_h (N, H), dprev_c (N, H),
    dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    N, H = i.shape
    check_arrays(dnext_h=(dnext_h, f"{N} {H}"), dnext_c=(dnext_c, f"{N} {H}"))
    # h = o * tanh(c)
    do = dnext_h * tanh_c
    # c reaches the loss two ways: through h (this step) and through c_{t+1}.
    dc = dnext_c + dnext_h * o * dtanh_from_output(tanh_c)
    # c = f * prev_c + i * g
    di = dc * g
    df = dc * cache.prev_c
    dg = dc * i
    dprev_c = dc * f
    # Back through the gate nonlinearities, stacked in the order i, f, o, g.
    da = np.concatenate([
        di * dsigmoid_from_output(i),
        df * dsigmoid_from_output(f),
        do * dsigmoid_from_output(o),
        dg * dtanh_from_output(g),
    ], axis=1)
    # a = x Wx + prev_h Wh + b
    dx = da @ cache.Wx.T
    dprev_h = da @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db


class LSTMCache(NamedTuple):
    x: np.ndarray       # (N, T, D)
    Wx: np.ndarray      # (D, 4H)
    Wh: np.ndarray      # (H, 4H)
    gates: np.ndarray   # (N, T, 4H): i, f, o (sigmoid outputs) and g (tanh output)
    tanh_c: np.ndarray  # (N, T, H)
    h_all: np.ndarray   # (T + 1, N, H), time-major: h0, then h_t for every t
    c_all: np.ndarray   # (T + 1, N, H), time-major: c0, then c_t for every t

    # The rest is read from h_all and c_all: views, no copies.
    h = property(lambda self: self.h_all[1:].transpose(1, 0, 2), doc="(N, T, H) every h_t")
    c = property(lambda self: self.c_all[1:].transpose(1, 0, 2), doc="(N, T, H) every c_t")
    h0 = property(lambda self: self.h_all[0], doc="(N, H) the initial hidden state")
    c0 = property(lambda self: self.c_all[0], doc="(N, H) the initial cell state")
    prev_h = property(lambda self: self.h_all[:-1], doc="(T, N, H) time-major: h_{t-1} for every t")
    prev_c = property(lambda self: self.c_all[:-1], doc="(T, N, H) time-major: c_{t-1} for every t")


def check_sequence_inputs(x, h0, Wx, Wh, b, c0=None):
    """The shape checks of ``lstm_forward``: weights first, then x, h0, c0. Returns the sizes."""
    # Weights first (Wh fixes H, then Wx fixes D): a wrong x or state is the one blamed.
    return check_arrays(Wh=(Wh, "H 4H"), Wx=(Wx, "D 4H"), b=(b, "4H"),
                        x=(x, "N T D"), h0=(h0, "N H"), c0=(c0, "N H"))


def input_projection(x, Wx, b):
    """x_t Wx + b for every step at once: (T, N, 4H), time-major.

    x: (N, T, D), Wx: (D, 4H), b: (4H,). None of it depends on h, so it is
    one product over all T*N rows instead of T small ones.
    """
    N, T, D = x.shape
    x_rows = x.transpose(1, 0, 2).reshape(T * N, D)  # time-major rows (a copy)
    a = (x_rows @ Wx).reshape(T, N, -1)
    a += b
    return a


def state_buffers(h0, c0, T):
    """(T + 1, N, H) buffers for h and c, with h0 and c0 in slot 0.

    Step t reads slot t (h_{t-1}) and writes slot t + 1 (h_t), so
    ``buffer[1:]`` is every h_t and ``buffer[:-1]`` every h_{t-1}: two views
    of the same memory, with no copy for the backward to make.
    """
    h_all = np.empty((T + 1, *h0.shape), dtype=h0.dtype)
    c_all = np.empty_like(h_all)
    h_all[0], c_all[0] = h0, c0
    return h_all, c_all


def lstm_forward(x, h0, Wx, Wh, b, *, c0=None):
    """An LSTM over a whole sequence, vectorised over time where it can be.

    x: (N, T, D), h0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,), c0: (N, H) or None (zeros)
    Returns h (N, T, H) and a cache. The final state is ``h[:, -1]`` and
    ``cache.c[:, -1]``; all cell states are ``cache.c``, all gates ``cache.gates``.
    """
    dims = check_sequence_inputs(x, h0, Wx, Wh, b, c0)
    T, H = dims["T"], dims["H"]
    if c0 is None:
        c0 = np.zeros_like(h0)
    # Arrays are stored time-major, (T, N, ...), so that each step reads and
    # writes contiguous blocks; the cache and the returned h are (N, T, ...)
    # views of the same memory.
    gates = input_projection(x, Wx, b)  # (T, N, 4H), becomes the gate outputs
    h_all, c_all = state_buffers(h0, c0, T)
    tanh_c = np.empty_like(h_all[1:])
    # The same values as Wh, stored column by column. OpenBLAS multiplies
    # h_{t-1} Wh about 20% faster from this layout (measured with N = 64,
    # H = 256 on 1 and 2 threads); the copy costs one pass over Wh per call.
    Wh_by_columns = np.ascontiguousarray(Wh.T).T
    for t in range(T):
        a = gates[t]  # a view: updated in place
        a += h_all[t] @ Wh_by_columns
        sigmoid(a[:, :3 * H], out=a[:, :3 * H])  # i, f, o
        np.tanh(a[:, 3 * H:], out=a[:, 3 * H:])  # g
        i, f, o, g = split_gates(a)
        c_all[t + 1] = f * c_all[t] + i * g
        np.tanh(c_all[t + 1], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h_all[t + 1])
    cache = LSTMCache(x, Wx, Wh, gates.transpose(1, 0, 2), tanh_c.transpose(1, 0, 2), h_all, c_all)
    return cache.h, cache


def lstm_backward_with_state(dh, cache, *, dc_last=None):
    """Backward through time for ``lstm_forward``, with the cell-state gradients.

    dh: (N, T, H) upstream gradients of every h_t; dc_last: (N, H) or None,
    an extra gradient arriving at the final cell state (e.g. from the next
    truncated-BPTT window's carried state).
    Returns dx (N, T, D), dh0 (N, H), dc0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    N, T, H = cache.h.shape
    check_upstream(dh, cache.h.shape)
    check_arrays(dc_last=(dc_last, f"{N} {H}"))
    # Work time-major, (T, N, ...), as the forward stored it.
    gates, tanh_c = (arr.transpose(1, 0, 2) for arr in (cache.gates, cache.tanh_c))
    i, f, o, g = split_gates(gates)  # each (T, N, H)
    da = np.empty_like(gates)  # (T, N, 4H)
    da_i, da_f, da_o, da_g = split_gates(da)
    dprev_h = np.zeros_like(cache.h0)
    dprev_c = np.zeros_like(cache.c0) if dc_last is None else dc_last
    for t in reversed(range(T)):
        # h_t is used by the loss (dh) and by step t+1 (dprev_h): gradients add.
        dnext_h = dh[:, t] + dprev_h
        do = dnext_h * tanh_c[t]
        dc = dprev_c + dnext_h * o[t] * dtanh_from_output(tanh_c[t])
        da_i[t] = dc * g[t] * dsigmoid_from_output(i[t])
        da_f[t] = dc * cache.prev_c[t] * dsigmoid_from_output(f[t])
        da_o[t] = do * dsigmoid_from_output(o[t])
        da_g[t] = dc * i[t] * dtanh_from_output(g[t])
        dprev_c = dc * f[t]
        dprev_h = da[t] @ cache.Wh.T  # the only product that must stay in the loop
    dx, dWx, dWh, db = projection_grads(da, cache.x, cache.prev_h, cache.Wx)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def projection_grads(da, x, prev_h_all, Wx):
    """Backward of a_t = x_t Wx + h_{t-1} Wh + b for all steps at once.

    da: (T, N, 4H) time-major gradients of the pre-activations; x: (N, T, D);
    prev_h_all: (T, N, H), h_{t-1} for every t; Wx: (D, 4H).
    Returns dx (N, T, D), dWx (D, 4H), dWh (H, 4H), db (4H,). None of these
    feeds the next step back, so each is one product over all T*N rows.
    """
    T, N, H4 = da.shape
    D = x.shape[2]
    da_rows = da.reshape(T * N, H4)
    dx = (da_rows @ Wx.T).reshape(T, N, D).transpose(1, 0, 2)  # (N, T, D)
    dWx = x.transpose(1, 0, 2).reshape(T * N, D).T @ da_rows
    dWh = prev_h_all.reshape(T * N, H4 // 4).T @ da_rows
    db = da_rows.sum(axis=0)
    return dx, dWx, dWh, db


def lstm_backward(dh, cache):
    """Backward through time for ``lstm_forward``.

    dh: (N, T, H), the upstream gradient at every h_t (zeros where the loss
    does not look at h_t, e.g. all but the last step for a many-to-one model).
    Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    dx, dh0, _, dWx, dWh, db = lstm_backward_with_state(dh, cache)
    return dx, dh0, dWx, dWh, db


def lstm_forward_loop(x, h0, Wx, Wh, b, *, c0=None):
    """The same as ``lstm_forward``, written as a plain loop of ``lstm_step_forward``.

    Returns h (N, T, H) and a list of the T step caches.
    """
    check_sequence_inputs(x, h0, Wx, Wh, b, c0)
    prev_h, prev_c = h0, np.zeros_like(h0) if c0 is None else c0
    hs, caches = [], []
    for t in range(x.shape[1]):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        hs.append(prev_h)
        caches.append(step_cache)
    return np.stack(hs, axis=1), caches


def lstm_backward_loop(dh, caches):
    """The same as ``lstm_backward``, written as a plain loop of ``lstm_step_backward``.

    dh: (N, T, H); caches: the list returned by ``lstm_forward_loop``.
    Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    dprev_h = np.zeros_like(caches[0].prev_h)
    dprev_c = np.zeros_like(caches[0].prev_c)
    dWx = np.zeros_like(caches[0].Wx)
    dWh = np.zeros_like(caches[0].Wh)
    db = np.zeros(dWx.shape[1], dtype=dWx.dtype)
    dxs = []
    for t in reversed(range(len(caches))):
        dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, caches[t])
        # The weights are shared by every step: each step adds its share.
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
        dxs.append(dx_t)
    return np.stack(dxs[::-1], axis=1), dprev_h, dWx, dWh, db


def init_lstm_params(D, H, rng, forget_bias=1.0, dtype=np.float64):
    """Weights for an LSTM layer: Wx (D, 4H), Wh (H, 4H), b (4H,).

    Wx and Wh are scaled by 1/sqrt(fan-in); the forget-gate block of b
    starts at ``forget_bias`` so the cell remembers by default
    (Gers, Schmidhuber & Cummins 2000; Jozefowicz et al. 2015).
    """
    Wx = rng.standard_normal((D, 4 * H)) / np.sqrt(D)
    Wh = rng.standard_normal((H, 4 * H)) / np.sqrt(H)
    b = np.zeros(4 * H)
    b[H:2 * H] = forget_bias
    return Wx.astype(dtype), Wh.astype(dtype), b.astype(dtype)
