"""The plain (Elman) tanh RNN: forward and backward, one step and a sequence.

    h_t = tanh(x_t Wx + h_{t-1} Wh + b)

Shapes: x (N, T, D), h (N, T, H), Wx (D, H), Wh (H, H), b (H,).
The sequence functions follow the contract in ``lstmlib``'s docstring;
there is no cell state, so ``rnn_backward_with_state`` returns what
``rnn_backward`` does.
"""
from typing import NamedTuple

import numpy as np

from ._checks import check_arrays, check_upstream
from .activations import dtanh_from_output


class RNNStepCache(NamedTuple):
    x: np.ndarray       # (N, D)
    prev_h: np.ndarray  # (N, H)
    Wx: np.ndarray      # (D, H)
    Wh: np.ndarray      # (H, H)
    next_h: np.ndarray  # (N, H), the tanh output, all the backward needs of tanh


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One step of a tanh RNN.

    x: (N, D), prev_h: (N, H), Wx: (D, H), Wh: (H, H), b: (H,)
    Returns next_h (N, H) and a cache for ``rnn_step_backward``.
    """
    check_arrays(Wh=(Wh, "H H"), Wx=(Wx, "D H"), b=(b, "H"),
                 x=(x, "N D"), prev_h=(prev_h, "N H"))
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, RNNStepCache(x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """Backward of one RNN step.

    dnext_h: (N, H), the gradient of the loss with respect to next_h.
    Returns dx (N, D), dprev_h (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    check_arrays(dnext_h=(dnext_h, f"{cache.next_h.shape[0]} {cache.next_h.shape[1]}"))
    da = dnext_h * dtanh_from_output(cache.next_h)  # through the tanh
    dx = da @ cache.Wx.T
    dprev_h = da @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


class RNNCache(NamedTuple):
    x: np.ndarray   # (N, T, D)
    h0: np.ndarray  # (N, H)
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)
    h: np.ndarray   # (N, T, H)


def rnn_forward(x, h0, Wx, Wh, b):
    """A tanh RNN over a whole sequence.

    x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,)
    Returns h (N, T, H), the hidden state at every step, and a cache.
    The input projections of all steps are one matrix product; only the
    recurrent product h_{t-1} Wh has to wait for the previous step.
    """
    dims = check_arrays(Wh=(Wh, "H H"), Wx=(Wx, "D H"), b=(b, "H"),
                        x=(x, "N T D"), h0=(h0, "N H"))
    N, T, H = dims["N"], dims["T"], dims["H"]
    xa = x @ Wx + b  # (N, T, H): every step's input projection at once
    h = np.empty((N, T, H), dtype=x.dtype)
    prev_h = h0
    for t in range(T):
        prev_h = h[:, t] = np.tanh(xa[:, t] + prev_h @ Wh)
    return h, RNNCache(x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    """Backward through time for ``rnn_forward``.

    dh: (N, T, H), the upstream gradient arriving at each h_t from the loss
    (zeros where the loss does not look at h_t).
    Returns dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    N, T, H = cache.h.shape
    check_upstream(dh, cache.h.shape)
    prev_h_all = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)  # h_{t-1}
    da = np.empty_like(dh)
    dprev_h = np.zeros_like(cache.h0)
    for t in reversed(range(T)):
        # h_t feeds the loss directly (dh) and the next step (dprev_h): add both.
        dnext_h = dh[:, t] + dprev_h
        da[:, t] = dnext_h * dtanh_from_output(cache.h[:, t])
        dprev_h = da[:, t] @ cache.Wh.T
    D = cache.x.shape[2]
    da_flat = da.reshape(N * T, H)
    dx = (da_flat @ cache.Wx.T).reshape(N, T, D)
    dWx = cache.x.reshape(N * T, D).T @ da_flat
    dWh = prev_h_all.reshape(N * T, H).T @ da_flat
    db = da_flat.sum(axis=0)
    return dx, dprev_h, dWx, dWh, db


def rnn_backward_with_state(dh, cache):
    """``rnn_backward`` under the sequence contract's name: the RNN's only state is h.

    Returns dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    return rnn_backward(dh, cache)


def init_rnn_params(D, H, rng, spectral_radius=1.0, weights="gaussian"):
    """Weights for a tanh RNN: Wx (D, H), Wh (H, H), b (H,) = 0.

    Wx is Gaussian with variance 1/D. Wh is scaled so that its spectral
    radius (largest ``|eigenvalue|``) is ``spectral_radius``: ``weights="gaussian"``
    starts from a Gaussian matrix, whose largest singular value is then about
    twice the spectral radius; ``weights="orthogonal"`` starts from a random orthogonal matrix,
    so every singular value equals the spectral radius.
    ``spectral_radius=None`` leaves the Gaussian Wh unscaled at variance 1/H,
    so its spectral radius is only near 1 (the adding-problem regressor's set-up).
    """
    if spectral_radius is not None and spectral_radius <= 0:
        raise ValueError(f"spectral_radius should be positive, got {spectral_radius}")
    Wx = rng.standard_normal((D, H)) / np.sqrt(D)
    if weights == "gaussian":
        G = rng.standard_normal((H, H))
    elif weights == "orthogonal":
        G, _ = np.linalg.qr(rng.standard_normal((H, H)))
    else:
        raise ValueError(f"weights should be 'gaussian' or 'orthogonal', got {weights!r}")
    if spectral_radius is None:
        return Wx, G / np.sqrt(H), np.zeros(H)
    Wh = G * (spectral_radius / np.abs(np.linalg.eigvals(G)).max())
    return Wx, Wh, np.zeros(H)
