"""Truncated backpropagation through time (TBPTT) for one LSTM layer.

A long sequence is cut into windows of k steps, [0, k), [k, 2k), ...
The forward pass runs straight through: each window starts from the state
(h, c) the previous window ended in, so the hidden states are those of
``lstm.lstm_forward`` (up to rounding). The backward pass runs BPTT *inside* each window
only: no gradient crosses a window boundary, so the loss at step t reaches
back at most to the start of t's window (Williams & Peng's truncation, in the
form most code uses: non-overlapping windows).

Summing every window's parameter gradients gives the truncated gradient,
which ``compare.relative_error_and_cosine`` sets against the full BPTT one. With
k >= T there is a single window and the truncated gradient *is* the full
gradient, bit for bit.

Shapes: x (N, T, D), h (N, T, H), Wx (D, 4H), Wh (H, 4H), b (4H,); gate
order i, f, o, g along 4H. The functions follow the sequence contract in
``lstmlib``'s docstring; the window length ``k`` is keyword-only.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_arrays, check_upstream
from .compare import relative_error_and_cosine
from .lstm import check_sequence_inputs, lstm_backward, lstm_backward_with_state, lstm_forward


class TBPTTCache(NamedTuple):
    windows: list  # one lstm.LSTMCache per window, in time order
    k: int         # the window length (the last window may be shorter)


def _check_window(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"the window length k should be a positive integer, got {k!r}")
    return int(k)


def tbptt_forward(x, h0, Wx, Wh, b, *, k, c0=None):
    """Forward over the whole sequence in windows of k steps, carrying (h, c) across.

    x: (N, T, D), h0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,), k: int >= 1,
    c0: (N, H) or None (zeros).
    Returns h (N, T, H), the hidden states of ``lstm_forward`` up to rounding,
    and a TBPTTCache.
    """
    dims = check_sequence_inputs(x, h0, Wx, Wh, b, c0)  # weights first, as everywhere
    if dims["T"] < 1:
        raise ValueError(f"x should hold at least one time step, got shape {x.shape}")
    k = _check_window(k)
    prev_h, prev_c = h0, np.zeros_like(h0) if c0 is None else c0
    hs, windows = [], []
    for start in range(0, x.shape[1], k):
        h, cache = lstm_forward(x[:, start:start + k], prev_h, Wx, Wh, b, c0=prev_c)
        # The carried state is a plain value for the next window: its gradient
        # will never be sent back, which is the whole of the truncation.
        prev_h, prev_c = h[:, -1], cache.c[:, -1]
        hs.append(h)
        windows.append(cache)
    return np.concatenate(hs, axis=1), TBPTTCache(windows, k)


def tbptt_backward_with_state(dh, cache):
    """The truncated gradient: exact BPTT inside each window, nothing across windows.

    dh: (N, T, H), the upstream gradient of every h_t from the loss.
    Returns dx (N, T, D), dh0 (N, H), dc0 (N, H) (both from the first window
    only), dWx (D, 4H), dWh (H, 4H), db (4H,), each window's parameter
    gradients added together.
    """
    first = cache.windows[0]
    N, H = first.h0.shape
    T = sum(window.h.shape[1] for window in cache.windows)
    check_upstream(dh, (N, T, H))
    dWx = np.zeros_like(first.Wx)
    dWh = np.zeros_like(first.Wh)
    db = np.zeros(dWx.shape[1], dtype=dWx.dtype)
    dxs = []
    start = 0
    for window in cache.windows:
        stop = start + window.h.shape[1]
        # No dh or dc arrives from the next window: that is what is truncated.
        dx, dprev_h, dprev_c, dWx_w, dWh_w, db_w = lstm_backward_with_state(dh[:, start:stop],
                                                                            window)
        if start == 0:
            dh0, dc0 = dprev_h, dprev_c
        # The weights are shared by every window: each adds its share.
        dWx += dWx_w
        dWh += dWh_w
        db += db_w
        dxs.append(dx)
        start = stop
    return np.concatenate(dxs, axis=1), dh0, dc0, dWx, dWh, db


def tbptt_backward(dh, cache):
    """``tbptt_backward_with_state`` without dc0.

    dh: (N, T, H). Returns dx (N, T, D), dh0 (N, H) (from the first window
    only), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    dx, dh0, _, dWx, dWh, db = tbptt_backward_with_state(dh, cache)
    return dx, dh0, dWx, dWh, db


def truncation_curve(x, h0, Wx, Wh, b, dh, ks):
    """Relative error and cosine similarity of the truncated parameter gradient, per k.

    x: (N, T, D), h0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,); dh: (N, T, H),
    the loss's upstream gradient (the forward is the same for every k, so dh is too);
    ks: window lengths.
    Returns two arrays of len(ks): relative errors and cosine similarities,
    comparing (dWx, dWh, db) with the full BPTT gradient.
    """
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    check_arrays(h=(h, "N T H"), dh=(dh, "N T H"))
    full = lstm_backward(dh, cache)[2:]
    errors, cosines = [], []
    for k in ks:
        truncated = tbptt_backward(dh, tbptt_forward(x, h0, Wx, Wh, b, k=k)[1])[2:]
        error, cosine = relative_error_and_cosine(full, truncated)
        errors.append(error)
        cosines.append(cosine)
    return np.array(errors), np.array(cosines)
