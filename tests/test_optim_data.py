import numpy as np
import pytest

from lstmlib import data, optim


@pytest.mark.parametrize("rule", [optim.sgd, optim.sgd_momentum, optim.adam])
def test_rules_minimise_a_quadratic(rule):
    target = np.array([1.0, -2.0, 3.0])
    w, config = np.zeros(3), {"learning_rate": 0.05}
    for _ in range(500):
        w, config = rule(w, 2 * (w - target), config)
    np.testing.assert_allclose(w, target, atol=1e-2)


def test_adam_first_step_is_learning_rate_sized_and_keeps_dtype():
    w = np.zeros(3, dtype=np.float32)
    dw = np.array([1e-3, -5.0, 300.0], dtype=np.float32)
    next_w, config = optim.adam(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, [-0.1, 0.1, -0.1], rtol=1e-3)  # bias correction at work
    assert next_w.dtype == np.float32 and config["t"] == 1


def test_update_applies_a_rule_to_every_parameter():
    params = {"a": np.ones(2), "b": np.ones(3)}
    configs = {"a": {"learning_rate": 0.5}, "b": {"learning_rate": 0.1}}
    optim.update(params, {"a": np.ones(2), "b": np.ones(3)}, optim.sgd, configs)
    np.testing.assert_allclose(params["a"], 0.5)
    np.testing.assert_allclose(params["b"], 0.9)


def test_clip_by_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = optim.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert optim.global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])  # direction kept
    same, _ = optim.clip_by_global_norm(grads, 10.0)
    np.testing.assert_array_equal(same["b"], grads["b"])


def test_char_data_round_trip_and_windows():
    text = "hello, lstm world"
    vocab = data.char_vocab(text)
    ids = data.encode(text, vocab)
    assert data.decode(ids, vocab) == text and vocab.chars == "".join(sorted(set(text)))
    X = data.one_hot(ids, len(vocab.chars))
    assert X.shape == (len(text), len(vocab.chars)) and np.all(X.sum(axis=1) == 1)
    inputs, targets = data.text_windows(ids, 4, 5, np.random.default_rng(0))
    assert inputs.shape == targets.shape == (4, 5)
    for row_in, row_out in zip(inputs, targets):  # targets are the inputs shifted by one
        start = data.decode(row_in, vocab)
        assert start in text and (start + data.decode(row_out[-1:], vocab)) in text


def test_adding_problem():
    x, y = data.adding_problem(2000, 30, np.random.default_rng(0))
    assert x.shape == (2000, 30, 2) and y.shape == (2000, 1)
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :15].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(axis=1))
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.02)  # the predict-the-mean baseline
