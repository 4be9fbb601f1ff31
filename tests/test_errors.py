"""Bad inputs raise a ValueError that names what was expected."""
import numpy as np
import pytest

from lstmlib import data, layers, lstm, optim, rnn, stacked
from lstmlib._checks import check_arrays

N, T, D, H = 2, 3, 4, 5


@pytest.fixture
def good():
    rng = np.random.default_rng(0)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    return dict(x=rng.standard_normal((N, T, D)), h0=np.zeros((N, H)), Wx=Wx, Wh=Wh, b=b)


def call(fn, args, **changes):
    return fn(**{**args, **changes})


@pytest.mark.parametrize("name,bad,message", [
    ("x", np.zeros((N, D)), r"x should have shape \(N, T, D\)"),
    ("h0", np.zeros((N, H + 1)), r"h0 should have shape \(N, H\) with .*H=5"),
    ("Wx", np.zeros((D, 4 * H + 1)), r"Wx should have shape \(D, 4H\) with H=5, D=4, i\.e\. axis 1 of size 20"),
    ("Wx", np.zeros((4 * H, D)), r"Wx should have shape \(D, 4H\)"),
    ("Wh", np.zeros((H, 4 * H + 4)), r"Wh should have shape \(H, 4H\)"),
    ("b", np.zeros(4 * H - 4), r"b should have shape \(4H\)"),
    ("b", np.zeros((1, 4 * H)), r"b should have shape \(4H\), i\.e\. 1 axes"),
])
def test_lstm_forward_shape_errors(good, name, bad, message):
    with pytest.raises(ValueError, match=message):
        call(lstm.lstm_forward, good, **{name: bad})


@pytest.mark.parametrize("bad,message", [
    (np.zeros((N, T, D), dtype=np.int64), "float32 or float64 array, got dtype int64"),
    (np.zeros((N, T, D), dtype=np.complex128), "got dtype complex128"),
    (np.zeros((N, T, D), dtype=np.float32), "x has dtype float32 but earlier inputs are float64"),
    ([[0.0]], "numpy array, got list"),
])
def test_dtype_errors(good, bad, message):
    with pytest.raises(ValueError, match=message):
        call(lstm.lstm_forward, good, x=bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs(good, value):
    Wh = good["Wh"].copy()
    Wh[1, 2] = value
    with pytest.raises(ValueError, match=r"Wh contains NaN or inf \(first at index \(1, 2\)\)"):
        call(lstm.lstm_forward, good, Wh=Wh)


def test_packed_axis_must_divide_by_four():
    with pytest.raises(ValueError, match=r"b should have shape \(4H\), but axis 0 has size 7, which is not a multiple of 4"):
        check_arrays(b=(np.zeros(7), "4H"))


def test_backward_checks_upstream_gradient(good):
    h, cache = lstm.lstm_forward(**good)
    with pytest.raises(ValueError, match=r"dh should have shape \(2, 3, 5\)"):
        lstm.lstm_backward(np.zeros((N, T + 1, H)), cache)
    with pytest.raises(ValueError, match="dh contains NaN"):
        lstm.lstm_backward(np.full((N, T, H), np.nan), cache)
    _, _, step_cache = lstm.lstm_step_forward(good["x"][:, 0], good["h0"], good["h0"],
                                               good["Wx"], good["Wh"], good["b"])
    with pytest.raises(ValueError, match=r"dnext_c should have shape \(2, 5\)"):
        lstm.lstm_step_backward(np.zeros((N, H)), np.zeros((H, N)), step_cache)


def test_step_and_rnn_errors(good):
    with pytest.raises(ValueError, match=r"prev_c should have shape \(N, H\)"):
        lstm.lstm_step_forward(good["x"][:, 0], good["h0"], np.zeros((N + 1, H)),
                               good["Wx"], good["Wh"], good["b"])
    with pytest.raises(ValueError, match=r"Wh should have shape \(H, H\)"):
        rnn.rnn_forward(good["x"], good["h0"], np.zeros((D, H)), np.zeros((H, H + 1)), np.zeros(H))


def test_stacked_names_the_layer(good):
    rng = np.random.default_rng(1)
    params = stacked.init_stacked_params(D, [H, 3], rng)
    params[1] = lstm.init_lstm_params(H + 1, 3, rng)  # layer 1 expects inputs of size H+1
    with pytest.raises(ValueError, match=r"layer 1: x should have shape \(N, T, D\) with .*D=6"):
        stacked.stacked_lstm_forward(good["x"], stacked.zero_states(good["x"], params), params)
    with pytest.raises(ValueError, match="one \\(Wx, Wh, b\\) tuple per layer"):
        stacked.stacked_lstm_forward(good["x"], [], [])


def test_loss_label_errors():
    scores = np.zeros((N, T, 6))
    with pytest.raises(ValueError, match=r"y should be an integer array of shape \(2, 3\)"):
        layers.temporal_softmax_loss(scores, np.zeros((N, T)))
    with pytest.raises(ValueError, match=r"class indices, which must lie in \[0, 6\)"):
        layers.temporal_softmax_loss(scores, np.full((N, T), 6))
    with pytest.raises(ValueError, match=r"mask should have shape"):
        layers.temporal_softmax_loss(scores, np.zeros((N, T), dtype=int), np.ones((T, N)))
    with pytest.raises(ValueError, match=r"y should be an integer array of shape \(4,\)"):
        layers.softmax_loss(np.zeros((4, 3)), np.zeros(3, dtype=int))


def test_data_and_optim_errors():
    with pytest.raises(ValueError, match="characters not in the vocabulary"):
        data.encode("abz", data.char_vocab("ab"))
    with pytest.raises(ValueError, match="longer than T"):
        data.text_windows(np.arange(5), 2, 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="T >= 2"):
        data.adding_problem(3, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="max_norm should be positive"):
        optim.clip_by_global_norm([np.ones(2)], 0)
