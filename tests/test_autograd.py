"""Our hand-written backward passes against an independent reverse-mode autodiff library.

The forward passes below are written again, from the equations, in autograd.numpy;
autograd differentiates them. Nothing here reuses lstmlib's backward code.
"""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from reference import ag_lstm, ag_rnn, ag_sigmoid

from lstmlib import layers, lstm, rnn, stacked


@pytest.mark.parametrize("N,T,D,H", [(2, 4, 3, 5), (3, 1, 2, 2), (1, 6, 4, 3)])
def test_lstm_backward_matches_autograd(N, T, D, H):
    rng = np.random.default_rng(N * T)
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    dh = rng.standard_normal((N, T, H))
    args = (x, h0, c0, Wx, Wh, b)

    def scalar(*args):
        return anp.sum(ag_lstm(*args) * dh)

    expected = [grad(scalar, k)(*args) for k in range(6)]
    h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    np.testing.assert_allclose(h, ag_lstm(*args), rtol=1e-12, atol=1e-12)
    dx, dh0, dc0, dWx, dWh, db = lstm.lstm_backward_with_state(dh, cache)
    for ours, theirs in zip((dx, dh0, dc0, dWx, dWh, db), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_lstm_step_backward_matches_autograd():
    rng = np.random.default_rng(11)
    N, D, H = 3, 4, 2
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), 2 * rng.standard_normal((N, H))
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))

    def scalar(x, h, c, Wx, Wh, b):
        a = anp.dot(x, Wx) + anp.dot(h, Wh) + b
        i, f, o = ag_sigmoid(a[:, :H]), ag_sigmoid(a[:, H:2 * H]), ag_sigmoid(a[:, 2 * H:3 * H])
        next_c = f * c + i * anp.tanh(a[:, 3 * H:])
        return anp.sum(o * anp.tanh(next_c) * dnext_h) + anp.sum(next_c * dnext_c)

    args = (x, h, c, Wx, Wh, b)
    _, _, cache = lstm.lstm_step_forward(*args)
    for ours, k in zip(lstm.lstm_step_backward(dnext_h, dnext_c, cache), range(6)):
        np.testing.assert_allclose(ours, grad(scalar, k)(*args), rtol=1e-10, atol=1e-12)


def test_rnn_backward_matches_autograd():
    rng = np.random.default_rng(12)
    N, T, D, H = 2, 5, 3, 4
    args = (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)),
            rng.standard_normal((D, H)) / 2, rng.standard_normal((H, H)) / 2, rng.standard_normal(H))
    dh = rng.standard_normal((N, T, H))
    _, cache = rnn.rnn_forward(*args)
    for ours, k in zip(rnn.rnn_backward(dh, cache), range(5)):
        expected = grad(lambda *a: anp.sum(ag_rnn(*a) * dh), k)(*args)
        np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def test_stacked_lstm_with_softmax_head_matches_autograd():
    rng = np.random.default_rng(13)
    N, T, D, V, sizes = 2, 3, 4, 5, [3, 4]
    params = stacked.init_stacked_params(D, sizes, rng)
    W, bW = rng.standard_normal((sizes[-1], V)), rng.standard_normal(V)
    x, y = rng.standard_normal((N, T, D)), rng.integers(0, V, size=(N, T))
    flat = [p for layer in params for p in layer] + [W, bW]

    def ag_loss(*flat):
        h = x
        for layer in range(len(sizes)):
            Wx, Wh, b = flat[3 * layer:3 * layer + 3]
            zeros = anp.zeros((N, Wh.shape[0]))
            h = ag_lstm(h, zeros, zeros, Wx, Wh, b)
        scores = anp.dot(h, flat[-2]) + flat[-1]
        shifted = scores - anp.max(scores, axis=-1, keepdims=True)
        logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=-1, keepdims=True))
        picked = anp.sum(logp * np.eye(V)[y], axis=-1)
        return -anp.mean(picked)

    h, cache = stacked.stacked_lstm_forward(x, stacked.zero_states(x, params), params)
    scores, aff_cache = layers.temporal_affine_forward(h, W, bW)
    loss, dscores = layers.temporal_softmax_loss(scores, y)
    dh, dW, dbW = layers.temporal_affine_backward(dscores, aff_cache)
    _, _, dparams = stacked.stacked_lstm_backward(dh, cache)
    ours = [g for layer in dparams for g in layer] + [dW, dbW]
    assert loss == pytest.approx(float(ag_loss(*flat)), rel=1e-12)
    for k, g in enumerate(ours):
        np.testing.assert_allclose(g, grad(ag_loss, k)(*flat), rtol=1e-9, atol=1e-12)
