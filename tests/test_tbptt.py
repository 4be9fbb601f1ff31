"""Truncated BPTT (lstmlib.tbptt): exact when k >= T, else the gradient of the truncated loss."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from autograd.tracer import getval
from reference import ag_sigmoid

from lstmlib import lstm, tbptt
from lstmlib.compare import relative_error_and_cosine as compare_gradients
from lstmlib.gradcheck import TOLERANCE, check_loss

SHAPES = [(1, 1, 1, 1), (2, 7, 3, 4), (3, 10, 2, 3)]  # (N, T, D, H)


def sequence(rng, N, T, D, H):
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    b += 0.3 * rng.standard_normal(4 * H)
    return (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), Wx, Wh, b,
            rng.standard_normal((N, T, H)))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
@pytest.mark.parametrize("extra", [0, 3])
def test_one_window_is_full_bptt_exactly(N, T, D, H, extra):
    x, h0, Wx, Wh, b, dh = sequence(np.random.default_rng(T + extra), N, T, D, H)
    h_full, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
    h, tcache = tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=T + extra)
    assert len(tcache.windows) == 1
    assert np.array_equal(h, h_full)
    for ours, full in zip(tbptt.tbptt_backward(dh, tcache), lstm.lstm_backward(dh, cache)):
        assert np.array_equal(ours, full)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_forward_carries_the_state_across_windows(k):
    x, h0, Wx, Wh, b, _ = sequence(np.random.default_rng(k), 2, 9, 3, 4)
    c0 = np.random.default_rng(99).standard_normal((2, 4))
    h, tcache = tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=k, c0=c0)
    assert len(tcache.windows) == -(-9 // k)
    np.testing.assert_allclose(h, lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)[0], rtol=0, atol=1e-13)


def truncated_loss(x, h0, Wx, Wh, b, dh, k):
    """The loss whose exact gradient is the truncated one: each window starts from a constant state.

    The start states are the values the full forward passes through, computed
    once here; perturbing the parameters then cannot move them.
    """
    _, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
    starts = [(h0, np.zeros_like(h0))] + [
        (cache.h[:, s - 1].copy(), cache.c[:, s - 1].copy()) for s in range(k, x.shape[1], k)]

    def loss():
        total = 0.0
        for window, (h_start, c_start) in enumerate(starts):
            s = window * k
            h, _ = lstm.lstm_forward(x[:, s:s + k], h_start if s else h0, Wx, Wh, b, c0=c_start)
            total += float(np.sum(h * dh[:, s:s + k]))
        return total

    return loss


@pytest.mark.parametrize("N,T,D,H", SHAPES[1:])
@pytest.mark.parametrize("k", [1, 3, 4])
def test_truncated_gradient_against_central_differences(N, T, D, H, k):
    x, h0, Wx, Wh, b, dh = sequence(np.random.default_rng(10 * k + T), N, T, D, H)
    dx, dh0, dWx, dWh, db = tbptt.tbptt_backward(dh, tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=k)[1])
    params = {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}
    report = check_loss(truncated_loss(x, h0, Wx, Wh, b, dh, k), params,
                        {"x": dx, "h0": dh0, "Wx": dWx, "Wh": dWh, "b": db})
    assert report.ok and report.max_error < TOLERANCE, f"\n{report}"


def ag_truncated_loss(Wx, Wh, b, x, h0, dh, k):
    """Independent forward in autograd.numpy; the carried state is cut off from the graph."""
    H = h0.shape[1]
    h, c, total = h0, anp.zeros_like(h0), 0.0
    for t in range(x.shape[1]):
        if t and t % k == 0:  # a window boundary: carry the values, not the dependence
            h, c = getval(h), getval(c)
        a = anp.dot(x[:, t], Wx) + anp.dot(h, Wh) + b
        i, f, o = ag_sigmoid(a[:, :H]), ag_sigmoid(a[:, H:2 * H]), ag_sigmoid(a[:, 2 * H:3 * H])
        c = f * c + i * anp.tanh(a[:, 3 * H:])
        h = o * anp.tanh(c)
        total = total + anp.sum(h * dh[:, t])
    return total


@pytest.mark.parametrize("k", [1, 2, 5, 8])
def test_truncated_weight_gradients_match_autograd(k):
    x, h0, Wx, Wh, b, dh = sequence(np.random.default_rng(k), 3, 8, 2, 3)
    _, _, dWx, dWh, db = tbptt.tbptt_backward(dh, tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=k)[1])
    for ours, argnum in zip((dWx, dWh, db), range(3)):
        expected = grad(ag_truncated_loss, argnum)(Wx, Wh, b, x, h0, dh, k)
        np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def test_truncation_loses_gradient_and_k_equal_T_loses_none():
    x, h0, Wx, Wh, b, dh = sequence(np.random.default_rng(5), 4, 16, 3, 5)
    errors, cosines = tbptt.truncation_curve(x, h0, Wx, Wh, b, dh, [1, 2, 4, 8, 16])
    assert errors[0] > 1e-2 and cosines[0] < 1 - 1e-4
    assert errors[-1] == 0.0 and cosines[-1] == pytest.approx(1.0, abs=1e-14)
    assert errors[-2] < errors[0]


def test_compare_gradients_values():
    g = [np.array([1.0, 2.0]), np.array([[3.0]])]
    assert compare_gradients(g, [2 * a for a in g]) == pytest.approx((1.0, 1.0))
    assert compare_gradients(g, [-a for a in g]) == pytest.approx((2.0, -1.0))
    error, cosine = compare_gradients([np.array([1.0, 0.0])], [np.array([0.0, 1.0])])
    assert error == pytest.approx(np.sqrt(2)) and cosine == pytest.approx(0.0)


@pytest.mark.parametrize("k", [0, -2, 2.5, True, "3"])
def test_bad_window_length(k):
    x, h0, Wx, Wh, b, _ = sequence(np.random.default_rng(0), 2, 4, 3, 2)
    with pytest.raises(ValueError, match="window length k"):
        tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=k)


def test_bad_shapes():
    x, h0, Wx, Wh, b, dh = sequence(np.random.default_rng(0), 2, 4, 3, 2)
    with pytest.raises(ValueError, match="Wh"):
        tbptt.tbptt_forward(x, h0, Wx, Wh.T, b, k=2)
    with pytest.raises(ValueError, match="at least one time step"):
        tbptt.tbptt_forward(x[:, :0], h0, Wx, Wh, b, k=2)
    _, cache = tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=2)
    with pytest.raises(ValueError, match="dh"):
        tbptt.tbptt_backward(dh[:, :3], cache)
    with pytest.raises(ValueError, match="same order"):
        compare_gradients([dh], [dh, dh])
    with pytest.raises(ValueError, match="shapes"):
        compare_gradients([dh], [dh[:, :2]])
    with pytest.raises(ValueError, match="zero"):
        compare_gradients([dh], [np.zeros_like(dh)])
