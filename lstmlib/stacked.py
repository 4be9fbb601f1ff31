"""Stacked (multi-layer) LSTMs.

Layer l reads the hidden states of layer l-1 as its input sequence:

    h^(0) = x,   h^(l) = LSTM_l(h^(l-1))   for l = 1..L

The forward pass is a loop over layers around each layer's loop over time.
The backward pass runs the layers in reverse, and the gradient of a layer's
*input* is the upstream ``dh`` of the layer below: ``dx`` of layer l is
``dh`` of layer l-1.

``params`` is a list with one ``(Wx, Wh, b)`` per layer, bottom first:
layer 0 has Wx (D, 4H_0), layer l > 0 has Wx (H_{l-1}, 4H_l). The
functions follow the sequence contract in ``lstmlib``'s docstring, with
one h0 (and c0) per layer in the lists ``h0s`` (and ``c0s``).
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_upstream
from .lstm import init_lstm_params, lstm_backward_with_state, lstm_forward


class StackedCache(NamedTuple):
    layers: list  # one LSTMCache per layer, bottom first


def stacked_lstm_forward(x, h0s, params, *, c0s=None):
    """Forward through L stacked LSTM layers.

    x: (N, T, D); h0s: list of (N, H_l), one initial hidden state per layer
    (``zero_states(x, params)`` for zeros); params: list of (Wx, Wh, b), bottom first;
    c0s: list of (N, H_l) or None for zeros.
    Returns h (N, T, H_top), the top layer's hidden states, and a cache.
    Each layer's final state is ``cache.layers[l].h[:, -1]``, ``cache.layers[l].c[:, -1]``.
    """
    if not params:
        raise ValueError("params should hold one (Wx, Wh, b) tuple per layer; got an empty list")
    if h0s is None:
        raise ValueError("h0s should hold one (N, H) array per layer; pass "
                         "stacked.zero_states(x, params) to start every layer at zero")
    for name, states in (("h0s", h0s), ("c0s", c0s)):
        if states is not None and len(states) != len(params):
            raise ValueError(f"{name} should hold one (N, H) array per layer, {len(params)} in "
                             f"all; got {len(states)}")
    caches = []
    h = x
    for layer, (Wx, Wh, b) in enumerate(params):
        if len(Wh.shape) != 2:
            raise ValueError(f"layer {layer}: Wh should have shape (H, 4H), got {Wh.shape}")
        h0 = h0s[layer]
        c0 = None if c0s is None else c0s[layer]
        try:
            h, cache = lstm_forward(h, h0, Wx, Wh, b, c0=c0)
        except ValueError as err:
            raise ValueError(f"layer {layer}: {err}") from None
        caches.append(cache)
    return h, StackedCache(caches)


def zero_states(x, params):
    """One (N, H_l) array of zeros per layer, in the dtype of x: h0s (or c0s) for a zero start."""
    return [np.zeros((x.shape[0], Wh.shape[0]), dtype=x.dtype) for _, Wh, _ in params]


def stacked_lstm_backward_with_state(dh, cache):
    """Backward through the stack, top layer first, with every initial-state gradient.

    dh: (N, T, H_top), upstream gradients of the top layer's hidden states.
    Returns dx (N, T, D), dh0s (list of (N, H_l)), dc0s (list of (N, H_l)),
    dparams (list of (dWx, dWh, db)), all lists bottom first.
    """
    check_upstream(dh, cache.layers[-1].h.shape)
    L = len(cache.layers)
    dh0s, dc0s, dparams = [None] * L, [None] * L, [None] * L
    for layer in reversed(range(L)):
        dx, dh0, dc0, dWx, dWh, db = lstm_backward_with_state(dh, cache.layers[layer])
        dh0s[layer], dc0s[layer], dparams[layer] = dh0, dc0, (dWx, dWh, db)
        dh = dx  # the input of this layer is the output of the one below
    return dh, dh0s, dc0s, dparams


def stacked_lstm_backward(dh, cache):
    """Backward through the stack, top layer first.

    dh: (N, T, H_top), upstream gradients of the top layer's hidden states.
    Returns dx (N, T, D), dh0s (list of (N, H_l)), dparams (list of (dWx, dWh, db)),
    whether or not the forward was given ``c0s``: the gradients of the initial cell
    states come from ``stacked_lstm_backward_with_state``, as for every family.
    """
    dx, dh0s, _, dparams = stacked_lstm_backward_with_state(dh, cache)
    return dx, dh0s, dparams


def init_stacked_params(D, hidden_sizes, rng, forget_bias=1.0, dtype=np.float64):
    """One (Wx, Wh, b) per layer for input size D and layer sizes ``hidden_sizes``."""
    params, fan_in = [], D
    for H in hidden_sizes:
        params.append(init_lstm_params(fan_in, H, rng, forget_bias, dtype))
        fan_in = H
    return params
