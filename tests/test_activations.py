import warnings

import numpy as np
import pytest

from lstmlib import activations as act


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_and_warning_free_at_extremes(dtype):
    a = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow/invalid warning fails the test
        s = act.sigmoid(a)
        t = act.tanh(a)
        sm = act.softmax(np.stack([a, -a]))
        lsm = act.log_softmax(np.stack([a, -a]))
    for y in (s, t, sm, lsm):
        assert np.all(np.isfinite(y)) and y.dtype == dtype
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    np.testing.assert_allclose(sm.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.exp(lsm), sm, rtol=1e-5, atol=1e-30)


def test_sigmoid_matches_definition():
    a = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(act.sigmoid(a), 1 / (1 + np.exp(-a)), rtol=1e-13, atol=3e-16)
    out = np.empty_like(a)
    assert act.sigmoid(a, out=out) is out  # in place, for the time loops
    assert act.sigmoid(0.0) == 0.5 and act.sigmoid(np.float32(3.0)).dtype == np.float32


def test_derivative_helpers_agree_with_central_differences():
    a = np.linspace(-4, 4, 17)
    h = 1e-6
    num_sig = (act.sigmoid(a + h) - act.sigmoid(a - h)) / (2 * h)
    num_tanh = (np.tanh(a + h) - np.tanh(a - h)) / (2 * h)
    np.testing.assert_allclose(act.dsigmoid_from_output(act.sigmoid(a)), num_sig, atol=1e-9)
    np.testing.assert_allclose(act.dsigmoid_from_input(a), num_sig, atol=1e-9)
    np.testing.assert_allclose(act.dtanh_from_output(np.tanh(a)), num_tanh, atol=1e-9)
    np.testing.assert_allclose(act.dtanh_from_input(a), num_tanh, atol=1e-9)


def test_from_output_on_a_preactivation_is_wrong():
    # The first post's bug: the helper fed the pre-activation gives a different (and, for
    # |a| > 1, negative) "derivative".
    a = np.array([1.5, -2.0])
    assert np.all(act.dtanh_from_output(a) < 0)
    assert not np.allclose(act.dtanh_from_output(a), act.dtanh_from_input(a))
