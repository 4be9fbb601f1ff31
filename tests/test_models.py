"""lstmlib.models: gradients against central differences and against autograd, and sampling."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from reference import ag_lstm, ag_rnn

from lstmlib import data, gradcheck, models


def char_batch(rng, N, T, V):
    ids = rng.integers(0, V, size=(N, T + 1))
    return ids[:, :-1], ids[:, 1:]


def adding_batch(rng, N, T):
    return data.adding_problem(N, T, rng)


# --- central differences (float64) ------------------------------------------------------

@pytest.mark.parametrize("N,T,V,hidden", [(2, 4, 5, [3, 4]), (3, 3, 4, [5]), (1, 5, 3, [2, 3, 2])])
def test_char_lm_gradients_match_central_differences(N, T, V, hidden):
    rng = np.random.default_rng(N + T + V)
    params = models.init_char_lm(V, hidden, rng)
    params["b_out"] = rng.standard_normal(V)  # a zero bias would hide a wrong db_out sign
    batch = char_batch(rng, N, T, V)
    loss, grads = models.char_lm_loss_and_grads(params, batch)
    assert list(grads) == list(params)
    report = gradcheck.check_loss(lambda: models.char_lm_loss_and_grads(params, batch)[0],
                                  params, grads)
    assert report.ok, str(report)


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
@pytest.mark.parametrize("N,T,H", [(3, 6, 4), (2, 3, 2)])
def test_regressor_gradients_match_central_differences(cell, N, T, H):
    rng = np.random.default_rng(N * T * H)
    params = models.init_regressor(cell, 2, H, rng)
    batch = adding_batch(rng, N, T)
    _, grads = models.regressor_loss_and_grads(params, batch)
    assert list(grads) == list(params)
    report = gradcheck.check_loss(lambda: models.regressor_loss_and_grads(params, batch)[0],
                                  params, grads)
    assert report.ok, str(report)


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_input_gradient_matches_central_differences(cell):
    rng = np.random.default_rng(5)
    params = models.init_regressor(cell, 2, 3, rng)
    x, _ = adding_batch(rng, 2, 5)
    dx = models.regressor_input_gradient(params, x)
    numeric = gradcheck.numerical_gradient(
        lambda: float(models.regressor_predict(params, x)[0].sum()), x)
    assert gradcheck.rel_error(dx, numeric) < 1e-8


# --- an independent forward in autograd.numpy -------------------------------------------

def ag_lstm_layer(x, Wx, Wh, b):
    zeros = anp.zeros((x.shape[0], Wh.shape[0]))
    return ag_lstm(x, zeros, zeros, Wx, Wh, b)


def ag_rnn_layer(x, Wx, Wh, b):
    return ag_rnn(x, anp.zeros((x.shape[0], Wh.shape[0])), Wx, Wh, b)


def ag_char_loss(params, inputs, targets, V):
    h = np.eye(V)[inputs]
    for layer in range(sum(name.startswith("Wx") for name in params)):
        h = ag_lstm_layer(h, params[f"Wx{layer}"], params[f"Wh{layer}"], params[f"b{layer}"])
    scores = anp.dot(h, params["W_out"]) + params["b_out"]
    shifted = scores - anp.max(scores, axis=-1, keepdims=True)
    logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=-1, keepdims=True))
    return -anp.sum(logp * np.eye(V)[targets]) / targets.size


def ag_regressor_loss(params, x, y, layer):
    h = layer(x, params["Wx"], params["Wh"], params["b"])
    pred = anp.dot(h[:, -1], params["W_out"]) + params["b_out"]
    return anp.mean((pred - y) ** 2)


def test_char_lm_matches_autograd():
    rng = np.random.default_rng(7)
    V = 6
    params = models.init_char_lm(V, [4, 3], rng)
    inputs, targets = char_batch(rng, 3, 5, V)
    loss, grads = models.char_lm_loss_and_grads(params, (inputs, targets))
    assert loss == pytest.approx(ag_char_loss(params, inputs, targets, V), rel=1e-12)
    expected = grad(ag_char_loss)(params, inputs, targets, V)
    for name in params:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cell,layer", [("lstm", ag_lstm_layer), ("rnn", ag_rnn_layer)])
def test_regressor_matches_autograd(cell, layer):
    rng = np.random.default_rng(8)
    params = models.init_regressor(cell, 2, 4, rng)
    x, y = adding_batch(rng, 4, 7)
    loss, grads = models.regressor_loss_and_grads(params, (x, y))
    assert loss == pytest.approx(ag_regressor_loss(params, x, y, layer), rel=1e-12)
    expected = grad(ag_regressor_loss)(params, x, y, layer)
    for name in params:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-9, atol=1e-12)


# --- shapes, dtypes, counts ---------------------------------------------------------------

def test_char_lm_shapes_and_parameter_count():
    params = models.init_char_lm(10, [8, 6], np.random.default_rng(0))
    shapes = {name: w.shape for name, w in params.items()}
    assert shapes == {"Wx0": (10, 32), "Wh0": (8, 32), "b0": (32,), "Wx1": (8, 24),
                      "Wh1": (6, 24), "b1": (24,), "W_out": (6, 10), "b_out": (10,)}
    assert models.count_params(params) == 10 * 32 + 8 * 32 + 32 + 8 * 24 + 6 * 24 + 24 + 60 + 10
    np.testing.assert_array_equal(params["b0"][8:16], 1.0)  # forget-gate bias (i, f, o, g)


def test_regressor_parameter_counts():
    rng = np.random.default_rng(0)
    lstm = models.init_regressor("lstm", 2, 16, rng)
    rnn = models.init_regressor("rnn", 2, 33, rng)
    assert models.count_params(lstm) == 4 * 16 * (2 + 16 + 1) + 16 + 1 == 1233
    assert models.count_params(rnn) == 33 * (2 + 33 + 1) + 33 + 1 == 1222
    assert lstm["b_out"][0] == 1.0  # starts at the mean target: the baseline


@pytest.mark.parametrize("model", ["char", "lstm", "rnn"])
def test_float32_end_to_end(model):
    rng = np.random.default_rng(2)
    if model == "char":
        params = models.init_char_lm(5, [4, 4], rng, dtype=np.float32)
        loss, grads = models.char_lm_loss_and_grads(params, char_batch(rng, 2, 3, 5))
    else:
        params = models.init_regressor(model, 2, 4, rng, dtype=np.float32)
        batch = data.adding_problem(3, 5, rng, dtype=np.float32)
        loss, grads = models.regressor_loss_and_grads(params, batch)
        assert models.regressor_input_gradient(params, batch[0]).dtype == np.float32
    assert np.isfinite(loss)
    assert all(g.dtype == np.float32 for g in grads.values())


# --- sampling -------------------------------------------------------------------------------

def test_sampling_is_seeded_and_in_range():
    params = models.init_char_lm(7, [5, 5], np.random.default_rng(0))
    a = models.sample_chars(params, [1, 2, 3], 40, np.random.default_rng(9))
    b = models.sample_chars(params, [1, 2, 3], 40, np.random.default_rng(9))
    c = models.sample_chars(params, [1, 2, 3], 40, np.random.default_rng(10))
    assert a.shape == (40,) and a.dtype == np.int64
    assert a.min() >= 0 and a.max() < 7
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # Sharpening the distribution (a low temperature) approaches greedy decoding.
    greedy = models.sample_chars(params, [1, 2, 3], 40, None, temperature=0)
    cold = models.sample_chars(params, [1, 2, 3], 40, np.random.default_rng(9), temperature=1e-4)
    np.testing.assert_array_equal(cold, greedy)


def test_greedy_sampling_matches_the_teacher_forced_scores():
    rng = np.random.default_rng(4)
    params = models.init_char_lm(6, [4, 3], rng)
    out = models.sample_chars(params, [0], 8, rng, temperature=0)
    assert len(set(out)) > 1  # not a degenerate case
    # Feeding the prime and the generated ids back in teacher-forced must reproduce them.
    sequence = np.concatenate([[0], out])[None, :-1]
    scores, _ = models.char_lm_scores(params, sequence)
    np.testing.assert_array_equal(scores[0].argmax(axis=-1), out)


def test_bad_inputs_raise():
    rng = np.random.default_rng(0)
    params = models.init_char_lm(4, [3], rng)
    with pytest.raises(ValueError, match="prime"):
        models.sample_chars(params, [], 5, rng)
    with pytest.raises(ValueError, match="temperature"):
        models.sample_chars(params, [1], 5, rng, temperature=-1.0)
    with pytest.raises(ValueError, match="ids should be integers"):
        models.char_lm_loss_and_grads(params, (np.array([[0, 4]]), np.array([[1, 2]])))
    with pytest.raises(ValueError, match="cell should be"):
        models.init_regressor("gru", 2, 3, rng)
    lstm = models.init_regressor("lstm", 2, 3, rng)
    with pytest.raises(ValueError, match="x should have shape"):
        models.regressor_loss_and_grads(lstm, (np.zeros((2, 5)), np.zeros((2, 1))))
