"""lstmlib.compare and check_backward with chosen upstream gradients: the pitfall tools of chapter 3."""
import numpy as np
import pytest

from lstmlib import compare, gradcheck, lstm
from lstmlib.gradcheck import TOLERANCE, check_backward


def step_inputs(rng, N=3, D=2, H=3):
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    return {"x": rng.standard_normal((N, D)), "prev_h": rng.standard_normal((N, H)),
            "prev_c": rng.standard_normal((N, H)), "Wx": Wx, "Wh": Wh, "b": b}


def swapped_backward(dnext_h, dnext_c, cache):
    return lstm.lstm_step_backward(dnext_c, dnext_h, cache)


def test_check_backward_with_given_upstream_passes_a_correct_backward():
    rng = np.random.default_rng(0)
    inputs = step_inputs(rng)
    douts = [rng.standard_normal((3, 3)), rng.standard_normal((3, 3))]
    report = check_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, inputs, douts=douts)
    assert report.ok and [row.name for row in report.rows] == [
        "dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]


def test_all_ones_upstream_is_blind_to_swapped_upstream_gradients():
    rng = np.random.default_rng(1)
    inputs = step_inputs(rng)
    ones = [np.ones((3, 3)), np.ones((3, 3))]
    randoms = [rng.standard_normal((3, 3)), rng.standard_normal((3, 3))]
    assert check_backward(lstm.lstm_step_forward, swapped_backward, inputs, douts=ones).ok
    report = check_backward(lstm.lstm_step_forward, swapped_backward, inputs, douts=randoms)
    assert not any(row.ok for row in report.rows)


def test_check_backward_with_given_upstream_rejects_wrong_douts():
    rng = np.random.default_rng(2)
    inputs = step_inputs(rng)
    with pytest.raises(ValueError, match="douts should be 2 arrays"):
        check_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, inputs, douts=[np.ones((3, 3))])
    with pytest.raises(ValueError, match="douts should be 2 arrays"):
        check_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, inputs, douts=[np.ones((3, 3)), np.ones((3, 2))])


def sweep(dtype, steps):
    rng = np.random.default_rng(3)
    inputs = step_inputs(rng)
    dnext_h, dnext_c = rng.standard_normal((2, 3, 3))
    _, _, cache = lstm.lstm_step_forward(*inputs.values())
    exact = lstm.lstm_step_backward(dnext_h, dnext_c, cache)[5]
    arrays = {name: value.astype(dtype) for name, value in inputs.items()}

    def loss():
        next_h, next_c, _ = lstm.lstm_step_forward(*arrays.values())
        return float(np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c))

    return gradcheck.step_size_sweep(loss, arrays["b"], exact, steps)


def test_step_size_sweep_is_a_v_in_float64_and_never_passes_in_float32():
    steps = 10.0 ** np.arange(-12, 1)
    errors64 = sweep(np.float64, steps)
    best = int(np.argmin(errors64))
    assert errors64[best] < 1e-9 and 1e-7 <= steps[best] <= 1e-3
    assert errors64[0] > 1e-6 and errors64[-1] > 1e-4  # rounding on the left, truncation right
    assert np.all(np.diff(errors64[best:]) > 0)
    assert sweep(np.float32, steps).min() > 1e-7


def test_step_size_sweep_rejects_bad_arguments():
    x = np.zeros(3)
    with pytest.raises(ValueError, match="shape of x"):
        gradcheck.step_size_sweep(lambda: 0.0, x, np.zeros(4), [1e-5])
    with pytest.raises(ValueError, match="positive"):
        gradcheck.step_size_sweep(lambda: 0.0, x, np.zeros(3), [1e-5, 0.0])


def test_gate_errors_points_at_the_wrong_block():
    rng = np.random.default_rng(4)
    H = 3
    right = rng.standard_normal((2, 4 * H))
    for k, gate in enumerate(compare.GATES):
        wrong = right.copy()
        wrong[:, k * H:(k + 1) * H] *= 1.5
        errors = compare.gate_errors(wrong, right)
        assert errors[gate] == pytest.approx(0.5 / 2.5)
        assert all(errors[other] == 0.0 for other in compare.GATES if other != gate)


def test_gate_errors_rejects_bad_shapes():
    with pytest.raises(ValueError, match="4H"):
        compare.gate_errors(np.zeros((2, 6)), np.zeros((2, 6)))
    with pytest.raises(ValueError, match="4H"):
        compare.gate_errors(np.zeros((2, 8)), np.zeros((3, 8)))
    with pytest.raises(ValueError, match="4H"):
        compare.gate_errors(np.float64(1.0), np.float64(1.0))


def test_check_backward_with_given_upstream_uses_the_given_tolerance():
    rng = np.random.default_rng(5)
    inputs = step_inputs(rng)
    douts = [rng.standard_normal((3, 3)), rng.standard_normal((3, 3))]
    report = check_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, inputs, douts=douts, tolerance=1e-30)
    assert not report.ok and report.max_error < TOLERANCE
