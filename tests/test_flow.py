"""lstmlib.flow: per-step gradient totals, checked three independent ways.

1. Their weight/input gradients equal the sequence backward passes' (rnn_backward,
   lstm_backward_with_state, stacked_lstm_backward).
2. The totals dL/dh_t and dL/dc_t equal central differences of the loss with
   respect to a state in the middle of the sequence.
3. They equal reverse-mode autodiff (autograd) of an independent forward in
   which a zero perturbation is added to every state: d loss / d perturbation
   is exactly the total gradient arriving at that state.
"""
import autograd.numpy as anp
import matplotlib
import numpy as np
import pytest
from autograd import grad
from reference import SHAPES, ag_lstm, ag_rnn

from lstmlib import flow
from lstmlib.book import rnn_flow
from lstmlib.gradcheck import check_loss, rel_error
from lstmlib.lstm import init_lstm_params, lstm_backward_with_state, lstm_forward
from lstmlib.rnn import init_rnn_params, rnn_backward, rnn_forward
from lstmlib.stacked import stacked_lstm_backward, stacked_lstm_forward, zero_states

matplotlib.use("Agg")


def random_rnn(N, T, D, H, rng):
    Wx, Wh, b = init_rnn_params(D, H, rng, spectral_radius=0.9)
    b = rng.standard_normal(H)
    return rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), Wx, Wh, b


def random_lstm(N, T, D, H, rng):
    Wx, Wh, b = init_lstm_params(D, H, rng)
    b = b + 0.5 * rng.standard_normal(4 * H)
    return (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), Wx, Wh, b,
            rng.standard_normal((N, H)))


# --- independent forwards in autograd.numpy, with a perturbation added to every state ----------

def autograd_rnn_loss(eps_h, x, h0, Wx, Wh, b, dh):
    return anp.sum(dh * ag_rnn(x, h0, Wx, Wh, b, eps_h=eps_h))


def autograd_lstm_layer(x, h0, c0, Wx, Wh, b, eps_h, eps_c):
    return ag_lstm(x, h0, c0, Wx, Wh, b, eps_h=eps_h, eps_c=eps_c)


# --- 1. the same gradients as the sequence backward passes ------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_flow_matches_rnn_backward(shape):
    rng = np.random.default_rng(1)
    x, h0, Wx, Wh, b = random_rnn(*shape, rng)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal(h.shape)
    got = flow.rnn_backward_flow(dh, cache)
    for name, expected in zip(["dx", "dh0", "dWx", "dWh", "db"], rnn_backward(dh, cache)):
        assert rel_error(getattr(got, name), expected) < 1e-12, name
    assert np.allclose(got.dh[:, -1], dh[:, -1])  # nothing comes from the right of the last step


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_dc_last", [False, True])
def test_lstm_flow_matches_lstm_backward_with_state(shape, with_dc_last):
    rng = np.random.default_rng(2)
    x, h0, Wx, Wh, b, c0 = random_lstm(*shape, rng)
    h, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    dh = rng.standard_normal(h.shape)
    dc_last = rng.standard_normal(h0.shape) if with_dc_last else None
    got = flow.lstm_backward_flow(dh, cache, dc_last=dc_last)
    names = ["dx", "dh0", "dc0", "dWx", "dWh", "db"]
    for name, expected in zip(names, lstm_backward_with_state(dh, cache, dc_last=dc_last)):
        assert rel_error(getattr(got, name), expected) < 1e-12, name


# --- 2. totals against central differences -----------------------------------------------------

def test_rnn_total_dh_against_central_differences():
    rng = np.random.default_rng(3)
    N, T, D, H = 2, 6, 3, 4
    x, h0, Wx, Wh, b = random_rnn(N, T, D, H, rng)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal(h.shape)
    totals = flow.rnn_backward_flow(dh, cache).dh
    for t in (1, 3):
        h_t = h[:, t].copy()

        def loss():  # the part of the loss that depends on h_t
            rest, _ = rnn_forward(x[:, t + 1:], h_t, Wx, Wh, b)
            return float(np.sum(dh[:, t] * h_t) + np.sum(dh[:, t + 1:] * rest))

        report = check_loss(loss, {"h_t": h_t}, {"h_t": totals[:, t]})
        assert report.ok, report


def test_lstm_total_dh_and_dc_against_central_differences():
    rng = np.random.default_rng(4)
    N, T, D, H = 2, 6, 3, 4
    x, h0, Wx, Wh, b, c0 = random_lstm(N, T, D, H, rng)
    h, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    dh = rng.standard_normal(h.shape)
    totals = flow.lstm_backward_flow(dh, cache)
    o = cache.gates[:, :, 2 * H:3 * H]
    for t in (0, 2, 4):
        h_t, c_t = h[:, t].copy(), cache.c[:, t].copy()

        def rest_loss(h_t, c_t):
            rest, _ = lstm_forward(x[:, t + 1:], h_t, Wx, Wh, b, c0=c_t)
            return float(np.sum(dh[:, t] * h_t) + np.sum(dh[:, t + 1:] * rest))

        report = check_loss(lambda: rest_loss(h_t, cache.c[:, t]), {"h_t": h_t},
                            {"h_t": totals.dh[:, t]})
        assert report.ok, report
        # c_t reaches the loss through c_{t+1} and through h_t = o_t tanh(c_t)
        report = check_loss(lambda: rest_loss(o[:, t] * np.tanh(c_t), c_t), {"c_t": c_t},
                            {"c_t": totals.dc[:, t]})
        assert report.ok, report


# --- 3. totals against autograd -----------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_totals_against_autograd(shape):
    rng = np.random.default_rng(5)
    x, h0, Wx, Wh, b = random_rnn(*shape, rng)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal(h.shape)
    expected = grad(autograd_rnn_loss)(np.zeros_like(h), x, h0, Wx, Wh, b, dh)
    assert rel_error(flow.rnn_backward_flow(dh, cache).dh, expected) < 1e-12


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_totals_against_autograd(shape):
    rng = np.random.default_rng(6)
    x, h0, Wx, Wh, b, c0 = random_lstm(*shape, rng)
    h, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    dh = rng.standard_normal(h.shape)

    def loss(eps_h, eps_c):
        return anp.sum(dh * autograd_lstm_layer(x, h0, c0, Wx, Wh, b, eps_h, eps_c))

    zeros = np.zeros_like(h)
    totals = flow.lstm_backward_flow(dh, cache)
    assert rel_error(totals.dh, grad(loss, 0)(zeros, zeros)) < 1e-12
    assert rel_error(totals.dc, grad(loss, 1)(zeros, zeros)) < 1e-12


@pytest.mark.parametrize("model", ["rnn", "lstm"])
def test_stacked_norms_against_autograd(model):
    T, layers, H, D, N = 5, 3, 4, 3, 2
    x, params, dh_top = flow.stacked_model(model, T, layers, 0.5, seed=7, H=H, D=D, N=N)

    def loss(eps_h, eps_c):  # eps: (L, N, T, H), one perturbation per layer and state
        h = x
        for layer, (Wx, Wh, b) in enumerate(params):
            h0 = np.zeros((N, H))
            if model == "lstm":
                h = autograd_lstm_layer(h, h0, h0, Wx, Wh, b, eps_h[layer], eps_c[layer])
            else:
                steps, prev_h = [], h0
                for t in range(T):
                    a = anp.dot(h[:, t], Wx) + anp.dot(prev_h, Wh) + b
                    prev_h = anp.tanh(a) + eps_h[layer, :, t]
                    steps.append(prev_h)
                h = anp.stack(steps, axis=1)
        return anp.sum(dh_top * h)

    zeros = np.zeros((layers, N, T, H))
    norms = flow.stacked_gradient_norms(model, T, layers, 0.5, seed=7, H=H, D=D, N=N)
    expected_dh = np.sqrt((grad(loss, 0)(zeros, zeros) ** 2).sum(axis=(1, 3)))
    assert rel_error(norms.dh, expected_dh) < 1e-12
    if model == "lstm":
        expected_dc = np.sqrt((grad(loss, 1)(zeros, zeros) ** 2).sum(axis=(1, 3)))
        assert rel_error(norms.dc, expected_dc) < 1e-12
    else:
        assert norms.dc is None
    assert norms.dh[-1, -1] == pytest.approx(1.0)  # the loss's own gradient has unit norm


def test_stacked_lstm_flow_reproduces_stacked_backward():
    x, params, dh = flow.stacked_model("lstm", 6, 2, seed=8, H=3, D=4, N=2)
    _, cache = stacked_lstm_forward(x, zero_states(x, params), params)
    dx_expected, _, dparams = stacked_lstm_backward(dh, cache)
    for layer in reversed(range(2)):
        got = flow.lstm_backward_flow(dh, cache.layers[layer])
        for g, expected in zip((got.dWx, got.dWh, got.db), dparams[layer]):
            assert rel_error(g, expected) < 1e-12
        dh = got.dx
    assert rel_error(dh, dx_expected) < 1e-12


# --- chapter 1 helpers ----------------------------------------------------------------------------

@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
def test_init_rnn_params_has_the_requested_spectral_radius(weights):
    _, Wh, _ = init_rnn_params(3, 20, np.random.default_rng(0), 1.3, weights)
    assert np.abs(np.linalg.eigvals(Wh)).max() == pytest.approx(1.3)
    singular = np.linalg.svd(Wh, compute_uv=False)
    if weights == "orthogonal":
        assert np.allclose(singular, 1.3)
    else:
        assert singular[0] > 1.5 * 1.3  # a Gaussian matrix is far from normal


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.5, 3.0])
def test_profile_obeys_the_singular_value_bound(rho):
    profile = flow.rnn_gradient_profile(rho, 40, input_scale=0.5, H=12, D=3, N=4)
    k = np.arange(40)
    assert profile.norms[0] == pytest.approx(1.0)
    assert np.all(profile.norms <= profile.sigma_max ** k * (1 + 1e-9))
    assert np.allclose(profile.norms[::-1], flow.step_norms(profile.dh))


def test_profile_vanishes_for_small_and_explodes_for_large_radius():
    small = flow.decay_rate(flow.rnn_gradient_profile(0.5, 40, 0.1).norms)
    large = flow.decay_rate(flow.rnn_gradient_profile(3.0, 40, 0.1).norms)
    assert small < 0.6 and large > 1.1


def test_decay_rate_of_a_geometric_sequence():
    assert flow.decay_rate(0.7 ** np.arange(30)) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="at least"):
        flow.decay_rate(np.ones(3), skip=5)


def test_step_norms():
    g = np.zeros((2, 3, 2))
    g[0, 1] = [3.0, 0.0]
    g[1, 1] = [0.0, 4.0]
    assert np.allclose(flow.step_norms(g), [0.0, 5.0, 0.0])


# --- errors ---------------------------------------------------------------------------------------

def test_bad_inputs_raise_value_errors():
    rng = np.random.default_rng(0)
    x, h0, Wx, Wh, b, c0 = random_lstm(2, 3, 2, 2, rng)
    _, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    with pytest.raises(ValueError, match="dh should have shape"):
        flow.lstm_backward_flow(np.zeros((2, 4, 2)), cache)
    with pytest.raises(ValueError, match="dc_last"):
        flow.lstm_backward_flow(np.zeros((2, 3, 2)), cache, dc_last=np.zeros((3, 2)))
    x, h0, Wx, Wh, b = random_rnn(2, 3, 2, 2, rng)
    _, rcache = rnn_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match="dh should have shape"):
        flow.rnn_backward_flow(np.zeros((2, 3, 3)), rcache)
    with pytest.raises(ValueError, match="'rnn' or 'lstm'"):
        flow.stacked_gradient_norms("gru", 5, 2)
    with pytest.raises(ValueError, match="at least 1"):
        flow.stacked_gradient_norms("lstm", 0, 2)
    with pytest.raises(ValueError, match="at least 1"):
        flow.stacked_model("rnn", 5, 0)
    with pytest.raises(ValueError, match="gaussian"):
        init_rnn_params(2, 3, rng, 1.0, weights="uniform")
    with pytest.raises(ValueError, match="positive"):
        init_rnn_params(2, 3, rng, 0.0)
    with pytest.raises(ValueError, match="at least 1"):
        flow.rnn_gradient_profile(1.0, 0)
    with pytest.raises(ValueError, match=r"\(N, T, H\)"):
        flow.step_norms(np.zeros((2, 3)))


def test_static_figures_draw():
    fig = rnn_flow.draw_rnn_decay([0.5, 2.0], T=10)
    assert len(fig.axes[0].lines) == 4  # a measured curve and a bound per radius
    fig = rnn_flow.draw_step_norms({"a": np.ones(5), "b": 0.5 ** np.arange(5)}, title="t")
    assert len(fig.axes[0].lines) == 2
