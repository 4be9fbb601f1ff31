"""Weight layout conversions: round trips, and the documented mapping on a hand-built example."""
import numpy as np
import pytest

from lstmlib import interop, lstm

D, H = 2, 3


def labelled_weights():
    """Weights whose entries say which gate they belong to: i=1, f=2, o=3, g=4 (our order)."""
    gate_ids = np.repeat([1.0, 2.0, 3.0, 4.0], H)  # (4H,), blocks i, f, o, g
    Wx = np.tile(gate_ids, (D, 1)) + 0.1 * np.arange(D)[:, None]  # row r adds 0.1 r
    Wh = np.tile(gate_ids, (H, 1)) + 0.01 * np.arange(H)[:, None]
    b = gate_ids + 0.001
    return Wx, Wh, b


def test_pytorch_layout_by_hand():
    Wx, Wh, b = labelled_weights()
    torch = interop.to_pytorch(Wx, Wh, b)
    # PyTorch: rows are gates i, f, g, o; columns are inputs.
    assert torch["weight_ih_l0"].shape == (4 * H, D)
    assert torch["weight_hh_l0"].shape == (4 * H, H)
    np.testing.assert_array_equal(torch["weight_ih_l0"][:, 0], np.repeat([1.0, 2.0, 4.0, 3.0], H))
    np.testing.assert_array_equal(torch["weight_ih_l0"][:, 1], np.repeat([1.1, 2.1, 4.1, 3.1], H))
    np.testing.assert_array_equal(torch["weight_hh_l0"][2 * H, :], [4.0, 4.01, 4.02])  # g row
    np.testing.assert_array_equal(torch["bias_ih_l0"] + torch["bias_hh_l0"],
                                  np.repeat([1.001, 2.001, 4.001, 3.001], H))


def test_keras_layout_by_hand():
    Wx, Wh, b = labelled_weights()
    kernel, recurrent_kernel, bias = interop.to_keras(Wx, Wh, b)
    # Keras: same (in, 4H) orientation as ours, blocks i, f, c, o.
    np.testing.assert_array_equal(kernel[0], np.repeat([1.0, 2.0, 4.0, 3.0], H))
    np.testing.assert_array_equal(recurrent_kernel[:, 3 * H], [3.0, 3.01, 3.02])  # o column
    np.testing.assert_array_equal(bias, np.repeat([1.001, 2.001, 4.001, 3.001], H))


def test_round_trips():
    rng = np.random.default_rng(0)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    b += rng.standard_normal(4 * H)
    t = interop.to_pytorch(Wx, Wh, b)
    for ours, back in zip((Wx, Wh, b), interop.from_pytorch(t["weight_ih_l0"], t["weight_hh_l0"],
                                                              t["bias_ih_l0"], t["bias_hh_l0"])):
        np.testing.assert_array_equal(ours, back)
    for ours, back in zip((Wx, Wh, b), interop.from_keras(*interop.to_keras(Wx, Wh, b))):
        np.testing.assert_array_equal(ours, back)


def test_two_pytorch_biases_are_summed():
    rng = np.random.default_rng(1)
    bias_ih, bias_hh = rng.standard_normal(4 * H), rng.standard_normal(4 * H)
    zeros_ih, zeros_hh = np.zeros((4 * H, D)), np.zeros((4 * H, H))
    _, _, b = interop.from_pytorch(zeros_ih, zeros_hh, bias_ih, bias_hh)
    _, _, b_sum = interop.from_pytorch(zeros_ih, zeros_hh, bias_ih + bias_hh, np.zeros(4 * H))
    np.testing.assert_array_equal(b, b_sum)


def pytorch_style_lstm(x, weight_ih, weight_hh, bias_ih, bias_hh):
    """The cell as PyTorch documents it (W @ x, gates i, f, g, o), written independently."""
    N, T, _ = x.shape
    H = weight_hh.shape[1]
    h, c, hs = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        gates = x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
        i, f, g, o = (gates[:, k * H:(k + 1) * H] for k in range(4))
        i, f, o, g = 1 / (1 + np.exp(-i)), 1 / (1 + np.exp(-f)), 1 / (1 + np.exp(-o)), np.tanh(g)
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1)


def test_converted_weights_compute_the_same_cell():
    rng = np.random.default_rng(2)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    b += rng.standard_normal(4 * H)
    x = rng.standard_normal((2, 5, D))
    ours, _ = lstm.lstm_forward(x, np.zeros((2, H)), Wx, Wh, b)
    t = interop.to_pytorch(Wx, Wh, b)
    theirs = pytorch_style_lstm(x, t["weight_ih_l0"], t["weight_hh_l0"], t["bias_ih_l0"], t["bias_hh_l0"])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_conversion_checks_shapes():
    with pytest.raises(ValueError, match=r"weight_hh should have shape \(4H, H\)"):
        interop.from_pytorch(np.zeros((12, 2)), np.zeros((3, 12)), np.zeros(12), np.zeros(12))
