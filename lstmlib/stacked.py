"""Stacked (multi-layer) LSTMs.

Layer l reads the hidden states of layer l-1 as its input sequence:

    h^(0) = x,   h^(l) = LSTM_l(h^(l-1))   for l = 1..L

The forward pass is a loop over layers around each layer's loop over time.
The backward pass runs the layers in reverse, and the gradient of a layer's
*input* is the upstream ``dh`` of the layer below: ``dx`` of layer l is
``dh`` of layer l-1.

``params`` is a list with one ``(Wx, Wh, b)`` per layer, bottom first:
layer 0 has Wx (D, 4H_0), layer l > 0 has Wx (H_{l-1}, 4H_l).
"""
from typing import NamedTuple

import numpy as np

from .lstm import init_lstm_params, lstm_backward_with_state, lstm_forward


class StackedCache(NamedTuple):
    layers: list  # one LSTMCache per layer, bottom first


def stacked_lstm_forward(x, params, h0s=None, c0s=None):
    """Forward through L stacked LSTM layers.

    x: (N, T, D); params: list of (Wx, Wh, b); h0s, c0s: lists of (N, H_l)
    or None for zeros.
    Returns h (N, T, H_top), the top layer's hidden states, and a cache.
    Each layer's final state is ``cache.layers[l].h[:, -1]``, ``cache.layers[l].c[:, -1]``.
    """
    if not params:
        raise ValueError("params should hold one (Wx, Wh, b) tuple per layer; got an empty list")
    caches = []
    h = x
    for layer, (Wx, Wh, b) in enumerate(params):
        if len(Wh.shape) != 2:
            raise ValueError(f"layer {layer}: Wh should have shape (H, 4H), got {Wh.shape}")
        N, H = x.shape[0], Wh.shape[0]
        h0 = np.zeros((N, H), dtype=x.dtype) if h0s is None else h0s[layer]
        c0 = None if c0s is None else c0s[layer]
        try:
            h, cache = lstm_forward(h, h0, Wx, Wh, b, c0)
        except ValueError as err:
            raise ValueError(f"layer {layer}: {err}") from None
        caches.append(cache)
    return h, StackedCache(caches)


def stacked_lstm_backward(dh, cache):
    """Backward through the stack, top layer first.

    dh: (N, T, H_top), upstream gradients of the top layer's hidden states.
    Returns dx (N, T, D), dh0s (list of (N, H_l)), dparams (list of (dWx, dWh, db)).
    """
    L = len(cache.layers)
    dh0s, dparams = [None] * L, [None] * L
    for layer in reversed(range(L)):
        dx, dh0, _, dWx, dWh, db = lstm_backward_with_state(dh, cache.layers[layer])
        dh0s[layer], dparams[layer] = dh0, (dWx, dWh, db)
        dh = dx  # the input of this layer is the output of the one below
    return dh, dh0s, dparams


def init_stacked_params(D, hidden_sizes, rng, forget_bias=1.0, dtype=np.float64):
    """One (Wx, Wh, b) per layer for input size D and layer sizes ``hidden_sizes``."""
    params, fan_in = [], D
    for H in hidden_sizes:
        params.append(init_lstm_params(fan_in, H, rng, forget_bias, dtype))
        fan_in = H
    return params
