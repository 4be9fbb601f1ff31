"""Every backward pass in the core package against central differences (float64, < 1e-8)."""
import numpy as np
import pytest
from reference import SHAPES

from lstmlib import layers, lstm, rnn, stacked
from lstmlib.gradcheck import TOLERANCE, check_backward, check_loss


def lstm_inputs(rng, N, T, D, H):
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    b += 0.3 * rng.standard_normal(4 * H)  # exercise every bias entry, not only the forget block
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)), Wx=Wx, Wh=Wh, b=b)


def assert_passes(report):
    assert report.ok, f"\n{report}"
    assert report.max_error < TOLERANCE


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_step(N, T, D, H):
    rng = np.random.default_rng(N * 100 + H)
    inputs = dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
                  Wx=rng.standard_normal((D, H)) / np.sqrt(D), Wh=rng.standard_normal((H, H)) / np.sqrt(H),
                  b=rng.standard_normal(H))
    assert_passes(check_backward(rnn.rnn_step_forward, rnn.rnn_step_backward, inputs, rng))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_sequence(N, T, D, H):
    rng = np.random.default_rng(N * 100 + T)
    inputs = dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)),
                  Wx=rng.standard_normal((D, H)) / np.sqrt(D), Wh=rng.standard_normal((H, H)) / np.sqrt(H),
                  b=rng.standard_normal(H))
    assert_passes(check_backward(rnn.rnn_forward, rnn.rnn_backward, inputs, rng))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_step(N, T, D, H):
    rng = np.random.default_rng(N * 10 + D)
    seq = lstm_inputs(rng, N, T, D, H)
    inputs = dict(x=seq["x"][:, 0], prev_h=seq["h0"], prev_c=2 * rng.standard_normal((N, H)),
                  Wx=seq["Wx"], Wh=seq["Wh"], b=seq["b"])
    assert_passes(check_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, inputs, rng))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_sequence(N, T, D, H):
    rng = np.random.default_rng(N + T + D + H)
    inputs = lstm_inputs(rng, N, T, D, H)
    assert_passes(check_backward(lstm.lstm_forward, lstm.lstm_backward, inputs, rng))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_sequence_with_cell_state_in_and_out(N, T, D, H):
    """c0 as an input and a gradient arriving at the final c (truncated BPTT needs both)."""
    rng = np.random.default_rng(7 * N + T)
    inputs = lstm_inputs(rng, N, T, D, H)
    inputs["c0"] = rng.standard_normal((N, H))

    def forward(x, h0, Wx, Wh, b, c0):
        h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
        return h, cache.c[:, -1], cache

    def backward(dh, dc_last, cache):
        dx, dh0, dc0, dWx, dWh, db = lstm.lstm_backward_with_state(dh, cache, dc_last=dc_last)
        return dx, dh0, dWx, dWh, db, dc0

    assert_passes(check_backward(forward, backward, inputs, rng))


@pytest.mark.parametrize("layer_sizes", [[3], [4, 3], [2, 5, 3]])
def test_stacked_lstm(layer_sizes):
    rng = np.random.default_rng(len(layer_sizes))
    N, T, D = 2, 4, 3
    params = stacked.init_stacked_params(D, layer_sizes, rng)
    x = rng.standard_normal((N, T, D))
    h0s = [rng.standard_normal((N, H)) for H in layer_sizes]
    h, cache = stacked.stacked_lstm_forward(x, h0s, params)
    dh = rng.standard_normal(h.shape)
    dx, dh0s, dparams = stacked.stacked_lstm_backward(dh, cache)

    def loss():
        return float(np.sum(stacked.stacked_lstm_forward(x, h0s, params)[0] * dh))

    named = {"x": x}
    grads = {"x": dx}
    for layer, ((Wx, Wh, b), (dWx, dWh, db), h0, dh0) in enumerate(zip(params, dparams, h0s, dh0s)):
        named.update({f"Wx{layer}": Wx, f"Wh{layer}": Wh, f"b{layer}": b, f"h0{layer}": h0})
        grads.update({f"Wx{layer}": dWx, f"Wh{layer}": dWh, f"b{layer}": db, f"h0{layer}": dh0})
    assert_passes(check_loss(loss, named, grads))


def test_affine_and_temporal_affine():
    rng = np.random.default_rng(3)
    W, b = rng.standard_normal((4, 5)), rng.standard_normal(5)
    assert_passes(check_backward(layers.affine_forward, layers.affine_backward,
                                 dict(x=rng.standard_normal((3, 4)), W=W, b=b), rng))
    assert_passes(check_backward(layers.temporal_affine_forward, layers.temporal_affine_backward,
                                 dict(x=rng.standard_normal((2, 3, 4)), W=W, b=b), rng))


def test_last_step_head():
    rng = np.random.default_rng(4)
    h = rng.standard_normal((2, 5, 3))
    assert_passes(check_backward(layers.last_step_forward,
                                 lambda dlast, cache: (layers.last_step_backward(dlast, cache),),
                                 dict(h=h), rng))
    dh = layers.last_step_backward(np.ones((2, 3)), layers.last_step_forward(h)[1])
    assert np.all(dh[:, :-1] == 0) and np.all(dh[:, -1] == 1)


@pytest.mark.parametrize("use_mask", [False, True])
def test_temporal_softmax_loss(use_mask):
    rng = np.random.default_rng(5)
    scores = rng.standard_normal((3, 4, 6))
    y = rng.integers(0, 6, size=(3, 4))
    mask = rng.random((3, 4)) > 0.3 if use_mask else None
    loss, dscores = layers.temporal_softmax_loss(scores, y, mask)
    assert_passes(check_loss(lambda: layers.temporal_softmax_loss(scores, y, mask)[0],
                             {"scores": scores}, {"scores": dscores}))
    if use_mask:
        assert np.all(dscores[~mask] == 0)


def test_softmax_and_mse_losses():
    rng = np.random.default_rng(6)
    scores, y = rng.standard_normal((5, 4)), rng.integers(0, 4, size=5)
    _, dscores = layers.softmax_loss(scores, y)
    assert_passes(check_loss(lambda: layers.softmax_loss(scores, y)[0], {"scores": scores},
                             {"scores": dscores}))
    pred, target = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    _, dpred = layers.mse_loss(pred, target)
    assert_passes(check_loss(lambda: layers.mse_loss(pred, target)[0], {"pred": pred}, {"pred": dpred}))


def test_uniform_scores_give_log_V_loss():
    loss, _ = layers.temporal_softmax_loss(np.zeros((2, 3, 7)), np.zeros((2, 3), dtype=int))
    assert loss == pytest.approx(np.log(7))


def test_gradcheck_catches_a_wrong_gradient():
    """The checker itself must be able to fail: perturb one entry of a correct gradient."""
    rng = np.random.default_rng(8)
    inputs = lstm_inputs(rng, 2, 3, 2, 2)

    def broken_backward(dh, cache):
        dx, dh0, dWx, dWh, db = lstm.lstm_backward(dh, cache)
        dWh = dWh.copy()
        dWh[0, 0] += 1e-3 * np.abs(dWh).max()
        return dx, dh0, dWx, dWh, db

    report = check_backward(lstm.lstm_forward, broken_backward, inputs, rng)
    assert not report.ok
    assert [row.name for row in report.rows if not row.ok] == ["dWh"]
    assert "FAIL" in str(report)
