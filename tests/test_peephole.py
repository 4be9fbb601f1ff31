"""The peephole LSTM: gradient checks, autograd, p = 0 is the plain LSTM, errors, widget."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from reference import SHAPES, ag_lstm, ag_sigmoid

from lstmlib import lstm, peephole
from lstmlib.book import peephole_flow, viz
from lstmlib.gradcheck import TOLERANCE, check_backward

FORWARD_ORDER = ("x", "h0", "Wx", "Wh", "b", "p")  # peephole_forward's positional arguments; c0 is keyword-only


def sequence_inputs(rng, N, T, D, H):
    Wx, Wh, b, p = peephole.init_peephole_params(D, H, rng, peephole_scale=1.0)
    b += 0.3 * rng.standard_normal(4 * H)  # exercise every bias entry, not only the forget block
    return dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)), Wx=Wx, Wh=Wh,
                b=b, p=p, c0=rng.standard_normal((N, H)))


def assert_passes(report):
    assert report.ok, f"\n{report}"
    assert report.max_error < TOLERANCE


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_step_backward_against_central_differences(N, T, D, H):
    rng = np.random.default_rng(N * 10 + D)
    seq = sequence_inputs(rng, N, T, D, H)
    inputs = dict(x=seq["x"][:, 0], prev_h=seq["h0"], prev_c=2 * seq["c0"], Wx=seq["Wx"],
                  Wh=seq["Wh"], b=seq["b"], p=seq["p"])
    assert_passes(check_backward(peephole.peephole_step_forward, peephole.peephole_step_backward,
                                 inputs, rng))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_sequence_backward_against_central_differences(N, T, D, H):
    rng = np.random.default_rng(N + T + D + H)
    inputs = sequence_inputs(rng, N, T, D, H)
    del inputs["c0"]
    assert_passes(check_backward(peephole.peephole_forward, peephole.peephole_backward,
                                 inputs, rng))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_sequence_with_cell_state_in_and_out(N, T, D, H):
    rng = np.random.default_rng(7 * N + T)
    inputs = sequence_inputs(rng, N, T, D, H)

    def forward(x, h0, Wx, Wh, b, p, c0):
        h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p, c0=c0)
        return h, cache.c[:, -1], cache

    def backward(dh, dc_last, cache):
        dx, dh0, dc0, dWx, dWh, db, dp = peephole.peephole_backward_with_state(dh, cache, dc_last=dc_last)
        return dx, dh0, dWx, dWh, db, dp, dc0

    assert_passes(check_backward(forward, backward, inputs, rng))


# --- an independent forward in autograd.numpy -----------------------------------------------

def ag_peephole(x, h0, c0, Wx, Wh, b, p, injected=None):
    """The shared reference LSTM with peepholes; ``injected`` (N, T, H) is added to each c_t.

    d(loss)/d(injected) at injected = 0 is the total dL/dc_t, by every path.
    """
    return ag_lstm(x, h0, c0, Wx, Wh, b, p=p, eps_c=injected)


@pytest.mark.parametrize("N,T,D,H", [(2, 4, 3, 5), (3, 1, 2, 2), (1, 6, 4, 3)])
def test_sequence_backward_matches_autograd(N, T, D, H):
    rng = np.random.default_rng(N * T + 1)
    inputs = sequence_inputs(rng, N, T, D, H)
    args = tuple(inputs[k] for k in ("x", "h0", "c0", "Wx", "Wh", "b", "p"))
    dh = rng.standard_normal((N, T, H))

    def scalar(*args):
        return anp.sum(ag_peephole(*args) * dh)

    expected = [grad(scalar, k)(*args) for k in range(7)]
    h, cache = peephole.peephole_forward(*(inputs[k] for k in FORWARD_ORDER), c0=inputs["c0"])
    np.testing.assert_allclose(h, ag_peephole(*args), rtol=1e-12, atol=1e-12)
    dx, dh0, dc0, dWx, dWh, db, dp = peephole.peephole_backward_with_state(dh, cache)
    for ours, theirs in zip((dx, dh0, dc0, dWx, dWh, db, dp), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_cell_state_gradients_match_autograd():
    rng = np.random.default_rng(21)
    N, T, D, H = 2, 6, 3, 4
    inputs = sequence_inputs(rng, N, T, D, H)
    args = tuple(inputs[k] for k in ("x", "h0", "c0", "Wx", "Wh", "b", "p"))
    dh = rng.standard_normal((N, T, H))
    expected = grad(lambda e: anp.sum(ag_peephole(*args, injected=e) * dh))(np.zeros((N, T, H)))
    _, cache = peephole.peephole_forward(*(inputs[k] for k in FORWARD_ORDER), c0=inputs["c0"])
    np.testing.assert_allclose(peephole.cell_state_gradients(dh, cache), expected,
                               rtol=1e-10, atol=1e-12)


def test_step_backward_matches_autograd():
    rng = np.random.default_rng(11)
    N, D, H = 3, 4, 2
    seq = sequence_inputs(rng, N, 1, D, H)
    args = (seq["x"][:, 0], seq["h0"], 2 * seq["c0"], seq["Wx"], seq["Wh"], seq["b"], seq["p"])
    dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))

    def scalar(x, prev_h, prev_c, Wx, Wh, b, p):
        a = anp.dot(x, Wx) + anp.dot(prev_h, Wh) + b
        i = ag_sigmoid(a[:, :H] + p[0] * prev_c)
        f = ag_sigmoid(a[:, H:2 * H] + p[1] * prev_c)
        next_c = f * prev_c + i * anp.tanh(a[:, 3 * H:])
        o = ag_sigmoid(a[:, 2 * H:3 * H] + p[2] * next_c)
        return anp.sum(o * anp.tanh(next_c) * dnext_h) + anp.sum(next_c * dnext_c)

    _, _, cache = peephole.peephole_step_forward(*args)
    for k, ours in enumerate(peephole.peephole_step_backward(dnext_h, dnext_c, cache)):
        np.testing.assert_allclose(ours, grad(scalar, k)(*args), rtol=1e-10, atol=1e-12)


# --- consistency --------------------------------------------------------------------------------

@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_zero_peepholes_is_exactly_the_plain_lstm(N, T, D, H):
    rng = np.random.default_rng(3 * N + H)
    inputs = sequence_inputs(rng, N, T, D, H)
    x, h0, Wx, Wh, b, c0 = (inputs[k] for k in ("x", "h0", "Wx", "Wh", "b", "c0"))
    zero = np.zeros((3, H))
    h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, zero, c0=c0)
    h_plain, cache_plain = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    np.testing.assert_array_equal(h, h_plain)
    np.testing.assert_array_equal(cache.c, cache_plain.c)
    dh = rng.standard_normal(h.shape)
    ours = peephole.peephole_backward_with_state(dh, cache)
    for a, b_ in zip(ours[:6], lstm.lstm_backward_with_state(dh, cache_plain)):
        np.testing.assert_array_equal(a, b_)

    step = peephole.peephole_step_forward(x[:, 0], h0, c0, Wx, Wh, b, zero)
    step_plain = lstm.lstm_step_forward(x[:, 0], h0, c0, Wx, Wh, b)
    np.testing.assert_array_equal(step[0], step_plain[0])
    np.testing.assert_array_equal(step[1], step_plain[1])
    dn_h, dn_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    ours = peephole.peephole_step_backward(dn_h, dn_c, step[2])
    for a, b_ in zip(ours[:6], lstm.lstm_step_backward(dn_h, dn_c, step_plain[2])):
        np.testing.assert_array_equal(a, b_)


def test_sequence_equals_a_loop_of_steps():
    rng = np.random.default_rng(5)
    N, T, D, H = 3, 4, 2, 3
    inputs = sequence_inputs(rng, N, T, D, H)
    x, h0, Wx, Wh, b, p, c0 = (inputs[k] for k in ("x", "h0", "Wx", "Wh", "b", "p", "c0"))
    h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p, c0=c0)
    prev_h, prev_c, caches = h0, c0, []
    for t in range(T):
        prev_h, prev_c, step_cache = peephole.peephole_step_forward(
            x[:, t], prev_h, prev_c, Wx, Wh, b, p)
        caches.append(step_cache)
        np.testing.assert_allclose(prev_h, h[:, t], rtol=1e-13, atol=1e-14)
    dh = rng.standard_normal(h.shape)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    totals = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b), np.zeros_like(p)]
    for t in reversed(range(T)):
        _, dprev_h, dprev_c, *step_grads = peephole.peephole_step_backward(
            dh[:, t] + dprev_h, dprev_c, caches[t])
        for total, g in zip(totals, step_grads):
            total += g
    _, dh0, dc0, *seq_grads = peephole.peephole_backward_with_state(dh, cache)
    for a, b_ in zip([dprev_h, dprev_c, *totals], [dh0, dc0, *seq_grads]):
        np.testing.assert_allclose(a, b_, rtol=1e-11, atol=1e-13)


def test_peepholes_change_the_result():
    """A backward that ignored p would still pass the p = 0 test; this one would not."""
    rng = np.random.default_rng(6)
    inputs = sequence_inputs(rng, 2, 4, 3, 3)
    x, h0, Wx, Wh, b, p, c0 = (inputs[k] for k in ("x", "h0", "Wx", "Wh", "b", "p", "c0"))
    h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p, c0=c0)
    h_plain, cache_plain = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    assert np.abs(h - h_plain).max() > 1e-2
    dh = np.ones_like(h)
    assert np.abs(peephole.peephole_backward(dh, cache)[3]
                  - lstm.lstm_backward(dh, cache_plain)[3]).max() > 1e-2


def test_init_params_shapes_and_scale():
    rng = np.random.default_rng(0)
    Wx, Wh, b, p = peephole.init_peephole_params(3, 4, rng, forget_bias=2.0, peephole_scale=0.5)
    assert (Wx.shape, Wh.shape, b.shape, p.shape) == ((3, 16), (4, 16), (16,), (3, 4))
    assert np.all(b[4:8] == 2.0) and np.abs(p).max() <= 0.5 and np.abs(p).max() > 0
    assert np.all(peephole.init_peephole_params(3, 4, rng, peephole_scale=0.0)[3] == 0)


# --- bad inputs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bad,message", [
    (np.zeros((4,)), r"p should have shape \(3, H\)"),
    (np.zeros((4, 5)), r"p should have shape \(3, H\) .*axis 0 of size 3"),
    (np.zeros((3, 6)), r"p should have shape \(3, H\) with .*H=5"),
    (np.zeros((3, 5), dtype=np.float32), "p has dtype float32 but earlier inputs are float64"),
    (np.full((3, 5), np.nan), "p contains NaN"),
])
def test_bad_peephole_weights(bad, message):
    rng = np.random.default_rng(0)
    Wx, Wh, b, _ = peephole.init_peephole_params(4, 5, rng)
    x, h0 = rng.standard_normal((2, 3, 4)), np.zeros((2, 5))
    with pytest.raises(ValueError, match=message):
        peephole.peephole_forward(x, h0, Wx, Wh, b, bad)
    with pytest.raises(ValueError, match=message):
        peephole.peephole_step_forward(x[:, 0], h0, h0, Wx, Wh, b, bad)


def test_bad_shapes_elsewhere():
    rng = np.random.default_rng(1)
    Wx, Wh, b, p = peephole.init_peephole_params(4, 5, rng)
    x, h0 = rng.standard_normal((2, 3, 4)), np.zeros((2, 5))
    with pytest.raises(ValueError, match=r"c0 should have shape \(N, H\)"):
        peephole.peephole_forward(x, h0, Wx, Wh, b, p, c0=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"x should have shape \(N, T, D\)"):
        peephole.peephole_forward(x[:, 0], h0, Wx, Wh, b, p)
    with pytest.raises(ValueError, match=r"prev_c should have shape \(N, H\)"):
        peephole.peephole_step_forward(x[:, 0], h0, np.zeros((3, 5)), Wx, Wh, b, p)
    h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p)
    with pytest.raises(ValueError, match=r"dh should have shape \(2, 3, 5\)"):
        peephole.peephole_backward(np.zeros((2, 4, 5)), cache)
    with pytest.raises(ValueError, match=r"dc_last should have shape \(2, 5\)"):
        peephole.peephole_backward_with_state(np.zeros_like(h), cache, dc_last=np.zeros((2, 4)))
    _, _, step_cache = peephole.peephole_step_forward(x[:, 0], h0, h0, Wx, Wh, b, p)
    with pytest.raises(ValueError, match=r"dnext_c should have shape \(2, 5\)"):
        peephole.peephole_step_backward(np.zeros((2, 5)), np.zeros((5, 2)), step_cache)


# --- the exploration --------------------------------------------------------------------------

def test_cell_gradient_flow_profiles():
    same = peephole.cell_gradient_flow(0.0, 1.0, T=20)
    np.testing.assert_array_equal(same.plain, same.peephole)
    assert same.plain.shape == (20,) and np.all(same.plain > 0)
    differs = peephole.cell_gradient_flow(1.0, 1.0, T=20)
    assert not np.allclose(differs.plain, differs.peephole)
    # A larger forget bias keeps more of the gradient over 20 steps (plain LSTM).
    low, high = (peephole.cell_gradient_flow(0.0, fb, T=20).plain for fb in (0.0, 3.0))
    assert high[0] / high[-1] > low[0] / low[-1]


def test_dashboard_redraws_when_a_control_moves():
    dash = viz.dashboard(peephole_flow.draw_cell_gradient_flow, peephole_flow.FLOW_CONTROLS)
    for name, values in peephole_flow.FLOW_CONTROLS.items():
        before = dash.image.value
        dash.controls[name].value = values[-1]
        assert dash.image.value != before, name


def test_scrubber_frames_differ():
    controls = {"peephole_weight": [0.0, 1.0], "forget_bias": [1.0]}
    scrub = viz.scrubber(peephole_flow.draw_cell_gradient_flow, controls)
    assert len(scrub.frames) == 2
    assert scrub.frames[(0, 0)] != scrub.frames[(1, 0)]
