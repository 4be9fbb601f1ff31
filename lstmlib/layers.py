"""Heads and losses that sit on top of a recurrent layer.

- ``temporal_affine``: scores at every step, (N, T, H) -> (N, T, V).
- ``temporal_softmax_loss``: cross-entropy over every (unmasked) step.
- ``last_step``: the many-to-one head; only h_{T-1} reaches the loss, so the
  gradient of every other h_t from the loss is exactly zero.
- ``affine``, ``softmax_loss``, ``mse_loss``: the per-example versions.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_arrays
from .activations import log_softmax


class AffineCache(NamedTuple):
    x: np.ndarray
    W: np.ndarray


def affine_forward(x, W, b):
    """x: (N, H), W: (H, V), b: (V,) -> out (N, V), cache."""
    check_arrays(x=(x, "N H"), W=(W, "H V"), b=(b, "V"))
    return x @ W + b, AffineCache(x, W)


def affine_backward(dout, cache):
    """dout: (N, V) -> dx (N, H), dW (H, V), db (V,)."""
    return dout @ cache.W.T, cache.x.T @ dout, dout.sum(axis=0)


def temporal_affine_forward(x, W, b):
    """The same affine map at every step: x (N, T, H), W (H, V), b (V,) -> out (N, T, V), cache."""
    check_arrays(x=(x, "N T H"), W=(W, "H V"), b=(b, "V"))
    return x @ W + b, AffineCache(x, W)


def temporal_affine_backward(dout, cache):
    """dout: (N, T, V) -> dx (N, T, H), dW (H, V), db (V,).

    W is shared by every step, so its gradient sums over batch *and* time.
    """
    N, T, H = cache.x.shape
    V = cache.W.shape[1]
    dx = dout @ cache.W.T
    dW = cache.x.reshape(N * T, H).T @ dout.reshape(N * T, V)
    db = dout.sum(axis=(0, 1))
    return dx, dW, db


def _check_labels(name, y, shape, V):
    y = np.asarray(y)
    if y.shape != shape or y.dtype.kind not in "iu":
        raise ValueError(f"{name} should be an integer array of shape {shape}, got "
                         f"{y.dtype} array of shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= V):
        raise ValueError(f"{name} holds class indices, which must lie in [0, {V}); "
                         f"got values from {y.min()} to {y.max()}")
    return y


def softmax_loss(scores, y):
    """Mean softmax cross-entropy.

    scores: (N, C) unnormalised log-probabilities; y: (N,) integer labels.
    Returns loss (float) and dscores (N, C) = (softmax(scores) - onehot(y)) / N.
    That is already the gradient through softmax *and* cross-entropy together:
    multiplying it by a softmax derivative again is mistake M2.
    """
    N, C = check_arrays(scores=(scores, "N C")).values()
    y = _check_labels("y", y, (N,), C)
    logp = log_softmax(scores)
    loss = -logp[np.arange(N), y].mean()
    dscores = np.exp(logp)
    dscores[np.arange(N), y] -= 1
    return float(loss), dscores / N


def temporal_softmax_loss(scores, y, mask=None):
    """Softmax cross-entropy at every step, averaged over the unmasked steps.

    scores: (N, T, V); y: (N, T) integer targets; mask: (N, T) booleans or None
    (all True). The loss is in nats per predicted token, so it reads the same
    for any batch size or sequence length.
    Returns loss (float) and dscores (N, T, V).
    """
    N, T, V = check_arrays(scores=(scores, "N T V")).values()
    y = _check_labels("y", y, (N, T), V)
    mask = np.ones((N, T), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (N, T):
        raise ValueError(f"mask should have shape (N, T) = {(N, T)}, got {mask.shape}")
    count = max(int(mask.sum()), 1)
    logp = log_softmax(scores)
    n_idx, t_idx = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    loss = -(logp[n_idx, t_idx, y] * mask).sum() / count
    dscores = np.exp(logp)
    dscores[n_idx, t_idx, y] -= 1
    dscores *= mask[:, :, None] / count
    return float(loss), dscores


def mse_loss(pred, target):
    """Mean squared error: pred, target (N, K) -> loss, dpred (N, K)."""
    check_arrays(pred=(pred, "N K"), target=(target, "N K"))
    diff = pred - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


class LastStepCache(NamedTuple):
    shape: tuple  # (N, T, H)


def last_step_forward(h):
    """The many-to-one head: h (N, T, H) -> h[:, -1] (N, H), cache."""
    check_arrays(h=(h, "N T H"))
    return h[:, -1], LastStepCache(h.shape)


def last_step_backward(dlast, cache):
    """dlast: (N, H) -> dh (N, T, H), zero everywhere except the last step.

    The zeros are the point: earlier h_t still get gradients, but only through
    the recurrence inside the LSTM backward, never directly from the loss.
    """
    dh = np.zeros(cache.shape, dtype=dlast.dtype)
    dh[:, -1] = dlast
    return dh
