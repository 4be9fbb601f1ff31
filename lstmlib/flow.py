"""Gradient flow through time: how large dL/dh_t and dL/dc_t are at every step.

The sequence backward passes in ``rnn`` and ``lstm`` keep only what they
return: the gradients of the inputs and weights. To *watch* a gradient travel
back through time we need the total gradient arriving at every state,

    dL/dh_t = (from the loss at step t) + (from step t+1),

so this module runs the backward as a plain loop of the one-step backward
functions (``rnn_step_backward``, ``lstm_step_backward``) and records those
totals on the way. Its weight gradients are tested to equal the sequence
backward's.

Norms are taken over the whole batch: ``step_norms(g)[t]`` is the Frobenius
norm of ``g[:, t]`` (N examples by H units).

Measuring::

    rnn_backward_flow, lstm_backward_flow   totals dL/dh_t (and dL/dc_t) for one layer
    rnn_gradient_profile                    chapter 1: ||dL/dh_t|| of a tanh RNN whose
                                            W_h has a chosen spectral radius
    stacked_model, stacked_gradient_norms   chapter 4: an (L, T) array per state for a
                                            stacked RNN or LSTM, loss at the last step

The drawings of these measurements are in the book layer:
``lstmlib.book.rnn_flow`` (chapter 1) and ``lstmlib.book.lstm_flow`` (chapter 4).
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_arrays, check_upstream
from .activations import dtanh_from_output
from .lstm import LSTMStepCache, lstm_step_backward, split_gates
from .rnn import RNNStepCache, init_rnn_params, rnn_forward, rnn_step_backward
from .stacked import init_stacked_params, stacked_lstm_forward, zero_states


def step_norms(grad):
    """Per-step Frobenius norms over batch and units: grad (N, T, H) -> (T,)."""
    check_arrays(grad=(grad, "N T H"))
    return np.sqrt(np.sum(grad * grad, axis=(0, 2)))


# --- one layer: the backward as a loop of steps, recording the totals ----------------------------

class RNNFlow(NamedTuple):
    dh: np.ndarray   # (N, T, H) total dL/dh_t: from the loss at t plus from step t+1
    dx: np.ndarray   # (N, T, D)
    dh0: np.ndarray  # (N, H)
    dWx: np.ndarray  # (D, H)
    dWh: np.ndarray  # (H, H)
    db: np.ndarray   # (H,)


def rnn_backward_flow(dh, cache):
    """``rnn_backward`` as a loop of ``rnn_step_backward``, keeping every dL/dh_t.

    dh: (N, T, H), the gradient the loss sends to each h_t directly;
    cache: from ``rnn_forward``.
    Returns an RNNFlow: the totals dh (N, T, H) and the same dx, dh0, dWx,
    dWh, db as ``rnn_backward``.
    """
    N, T, H = cache.h.shape
    check_upstream(dh, cache.h.shape)
    dh_total = np.empty_like(dh)
    dx = np.empty_like(cache.x)
    dWx, dWh, db = np.zeros_like(cache.Wx), np.zeros_like(cache.Wh), np.zeros(H, dtype=dh.dtype)
    dprev_h = np.zeros_like(cache.h0)
    for t in reversed(range(T)):
        prev_h = cache.h0 if t == 0 else cache.h[:, t - 1]
        step = RNNStepCache(x=cache.x[:, t], prev_h=prev_h, Wx=cache.Wx, Wh=cache.Wh,
                            next_h=cache.h[:, t])
        # h_t is read by the loss and by step t+1: the two gradients add.
        dh_total[:, t] = dh[:, t] + dprev_h
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh_total[:, t], step)
        # The weights are shared by every step: each step adds its share.
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return RNNFlow(dh_total, dx, dprev_h, dWx, dWh, db)


class LSTMFlow(NamedTuple):
    dh: np.ndarray   # (N, T, H) total dL/dh_t
    dc: np.ndarray   # (N, T, H) total dL/dc_t: through h_t and through c_{t+1}
    dx: np.ndarray   # (N, T, D)
    dh0: np.ndarray  # (N, H)
    dc0: np.ndarray  # (N, H)
    dWx: np.ndarray  # (D, 4H)
    dWh: np.ndarray  # (H, 4H)
    db: np.ndarray   # (4H,)


def lstm_backward_flow(dh, cache, *, dc_last=None):
    """``lstm_backward_with_state`` as a loop of ``lstm_step_backward``, keeping the totals.

    dh: (N, T, H), the gradient the loss sends to each h_t directly;
    cache: from ``lstm_forward``; dc_last: (N, H) or None, a gradient
    arriving at the last cell state from outside the sequence.
    Returns an LSTMFlow: the totals dh and dc (N, T, H) and the same dx, dh0,
    dc0, dWx, dWh, db as ``lstm_backward_with_state``.
    """
    N, T, H = cache.h.shape
    check_upstream(dh, cache.h.shape)
    check_arrays(dc_last=(dc_last, f"{N} {H}"))
    i, f, o, g = split_gates(cache.gates)  # each (N, T, H)
    dh_total, dc_total = np.empty_like(dh), np.empty_like(dh)
    dx = np.empty_like(cache.x)
    dWx, dWh = np.zeros_like(cache.Wx), np.zeros_like(cache.Wh)
    db = np.zeros(4 * H, dtype=dh.dtype)
    dprev_h = np.zeros_like(cache.h0)
    dprev_c = np.zeros_like(cache.c0) if dc_last is None else dc_last
    for t in reversed(range(T)):
        step = LSTMStepCache(x=cache.x[:, t], prev_h=cache.prev_h[t], prev_c=cache.prev_c[t],
                             Wx=cache.Wx, Wh=cache.Wh, i=i[:, t], f=f[:, t], o=o[:, t],
                             g=g[:, t], tanh_c=cache.tanh_c[:, t])
        # h_t is read by the loss and by step t+1; c_t directly only by step t+1.
        dh_total[:, t] = dh[:, t] + dprev_h
        # c_t also reaches the loss through h_t = o_t * tanh(c_t): the total adds both.
        dc_total[:, t] = dprev_c + dh_total[:, t] * o[:, t] * dtanh_from_output(cache.tanh_c[:, t])
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh_total[:, t], dprev_c, step)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return LSTMFlow(dh_total, dc_total, dx, dprev_h, dprev_c, dWx, dWh, db)


# --- chapter 1: a tanh RNN with a chosen spectral radius ------------------------------------------

class RNNProfile(NamedTuple):
    norms: np.ndarray  # (T,) ||dL/dh|| by distance from the loss: norms[k] is step T-1-k
    dh: np.ndarray     # (N, T, H) the total dL/dh_t, in time order
    h: np.ndarray      # (N, T, H) the hidden states
    sigma_max: float   # largest singular value of Wh
    spectral_radius: float


def rnn_gradient_profile(spectral_radius, T, input_scale=1.0, H=32, D=8, N=16, seed=0,
                         weights="gaussian"):
    """How ||dL/dh_t|| shrinks (or grows) with the distance from a loss at the last step.

    A tanh RNN (weights from ``rnn.init_rnn_params``) reads N random Gaussian
    sequences x (N, T, D) of standard deviation ``input_scale`` (a larger
    scale drives the tanh units into saturation). The loss is
    L = sum(u * h_{T-1}) with a random u of unit norm, so ||dL/dh_{T-1}|| = 1.
    Returns an RNNProfile; ``norms[k]`` is the norm k steps before the loss.
    """
    if T < 1:
        raise ValueError(f"T should be at least 1, got {T}")
    rng = np.random.default_rng(seed)
    Wx, Wh, b = init_rnn_params(D, H, rng, spectral_radius, weights)
    x = input_scale * rng.standard_normal((N, T, D))
    h, cache = rnn_forward(x, np.zeros((N, H)), Wx, Wh, b)
    dh = np.zeros_like(h)
    u = rng.standard_normal((N, H))
    dh[:, -1] = u / np.linalg.norm(u)
    flow = rnn_backward_flow(dh, cache)
    return RNNProfile(step_norms(flow.dh)[::-1], flow.dh, h, float(np.linalg.norm(Wh, 2)),
                      float(spectral_radius))


def decay_rate(norms, skip=5):
    """The per-step factor of a geometric fit to ``norms[skip:]`` (norms by distance k).

    exp(slope of log norm against k): below 1 the gradient vanishes, above 1 it explodes.
    """
    k = np.arange(skip, len(norms))
    if len(k) < 2:
        raise ValueError(f"need at least {skip + 2} norms to fit a rate, got {len(norms)}")
    return float(np.exp(np.polyfit(k, np.log(norms[skip:]), 1)[0]))


# --- chapter 4: stacked models, a loss at the last step -----------------------------------------

class StackedModel(NamedTuple):
    x: np.ndarray   # (N, T, D) the input sequences
    params: list    # one (Wx, Wh, b) per layer, bottom first
    dh: np.ndarray  # (N, T, H) the loss's gradient at the top layer: zero except the last step


def stacked_model(model, T, layers, forget_bias=1.0, seed=0, H=16, D=8, N=8):
    """The stacked RNN or LSTM of ``stacked_gradient_norms``, and its loss gradient.

    model: "rnn" or "lstm". L = ``layers`` layers of H units read N random
    Gaussian sequences x (N, T, D). The LSTM's weights come from
    ``stacked.init_stacked_params`` (forget-gate bias ``forget_bias``); the
    RNN's from ``rnn.init_rnn_params`` with spectral radius 1 (``forget_bias``
    does not apply). The loss reads only the top layer's last hidden state,
    L = sum(u * h_{T-1}^(L-1)) with a random u of unit norm, so dh is u at
    the last step and zero elsewhere.
    """
    if model not in ("rnn", "lstm"):
        raise ValueError(f"model should be 'rnn' or 'lstm', got {model!r}")
    if T < 1 or layers < 1:
        raise ValueError(f"T and layers should be at least 1, got T={T}, layers={layers}")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))
    if model == "lstm":
        params = init_stacked_params(D, [H] * layers, rng, forget_bias)
    else:
        params = [init_rnn_params(D if layer == 0 else H, H, rng, spectral_radius=1.0)
                  for layer in range(layers)]
    dh = np.zeros((N, T, H))
    u = rng.standard_normal((N, H))
    dh[:, -1] = u / np.linalg.norm(u)
    return StackedModel(x, params, dh)


class StackedNorms(NamedTuple):
    dh: np.ndarray  # (L, T) ||dL/dh_t^(l)||, layer 0 at the bottom
    dc: object      # (L, T) ||dL/dc_t^(l)|| for an LSTM, None for an RNN


def stacked_gradient_norms(model, T, layers, forget_bias=1.0, seed=0, H=16, D=8, N=8):
    """Per-step, per-layer gradient norms of a stacked RNN or LSTM (see ``stacked_model``).

    The backward runs layer by layer, top first, each layer as a loop of
    steps (``rnn_backward_flow``/``lstm_backward_flow``); the dx of layer l
    is the upstream dh of layer l-1.
    Returns StackedNorms with dh (and for the LSTM dc) as (L, T) arrays.
    """
    x, params, dh = stacked_model(model, T, layers, forget_bias, seed, H, D, N)
    if model == "lstm":
        caches = stacked_lstm_forward(x, zero_states(x, params), params)[1].layers
    else:
        caches, h = [], x
        for Wx, Wh, b in params:
            h, cache = rnn_forward(h, np.zeros((N, H)), Wx, Wh, b)
            caches.append(cache)
    dh_norms, dc_norms = np.empty((layers, T)), np.empty((layers, T))
    for layer in reversed(range(layers)):
        if model == "lstm":
            flow = lstm_backward_flow(dh, caches[layer])
            dc_norms[layer] = step_norms(flow.dc)
        else:
            flow = rnn_backward_flow(dh, caches[layer])
        dh_norms[layer] = step_norms(flow.dh)
        dh = flow.dx  # this layer's input is the layer below's output
    return StackedNorms(dh_norms, dc_norms if model == "lstm" else None)
