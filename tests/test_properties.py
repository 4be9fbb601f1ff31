"""Property tests over random shapes: output shapes, sequence == loop of steps, L=1 stack == one layer,
and the values of dWh and db (against the loop of steps and autograd)."""
import autograd.numpy as anp
import numpy as np
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import ag_lstm, ag_rnn

from lstmlib import lstm, peephole, rnn, stacked

dim = st.integers(1, 8)


@settings(max_examples=40, deadline=None)
@given(N=dim, T=dim, D=dim, H=dim, seed=st.integers(0, 2**16), with_c0=st.booleans())
def test_lstm_sequence_equals_loop_of_steps(N, T, D, H, seed, with_c0):
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    c0 = rng.standard_normal((N, H)) if with_c0 else None
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    h_loop, caches = lstm.lstm_forward_loop(x, h0, Wx, Wh, b, c0=c0)
    assert h.shape == (N, T, H) and cache.c.shape == (N, T, H) and cache.gates.shape == (N, T, 4 * H)
    np.testing.assert_allclose(h, h_loop, rtol=1e-12, atol=1e-14)
    dh = rng.standard_normal((N, T, H))
    grads = lstm.lstm_backward(dh, cache)
    grads_loop = lstm.lstm_backward_loop(dh, caches)
    for g, g_loop, shape in zip(grads, grads_loop, [x.shape, h0.shape, Wx.shape, Wh.shape, b.shape]):
        assert g.shape == shape
        np.testing.assert_allclose(g, g_loop, rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(N=dim, T=dim, D=dim, H=dim, seed=st.integers(0, 2**16), peepholes=st.booleans())
def test_cached_previous_states_are_the_shifted_states(N, T, D, H, seed, peepholes):
    # The backward reads h_{t-1} and c_{t-1} from cache.prev_h / cache.prev_c (time-major);
    # they must be h0, c0 followed by h_t, c_t shifted by one step, and the caller's
    # h0, c0 and x must come back untouched.
    rng = np.random.default_rng(seed)
    x, h0, c0 = (rng.standard_normal(shape) for shape in [(N, T, D), (N, H), (N, H)])
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    originals = [arr.copy() for arr in (x, h0, c0)]
    if peepholes:
        h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, rng.standard_normal((3, H)), c0=c0)
    else:
        h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    assert cache.prev_h.shape == cache.prev_c.shape == (T, N, H)
    np.testing.assert_array_equal(cache.prev_h[0], h0)
    np.testing.assert_array_equal(cache.prev_c[0], c0)
    np.testing.assert_array_equal(cache.prev_h[1:], h[:, :-1].transpose(1, 0, 2))
    np.testing.assert_array_equal(cache.prev_c[1:], cache.c[:, :-1].transpose(1, 0, 2))
    for arr, original in zip((x, h0, c0), originals):
        np.testing.assert_array_equal(arr, original)
    assert not np.shares_memory(h, h0) and not np.shares_memory(cache.c, c0)


@settings(max_examples=30, deadline=None)
@given(N=dim, T=dim, D=dim, H=dim, seed=st.integers(0, 2**16))
def test_rnn_sequence_equals_loop_of_steps(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)) / np.sqrt(H), rng.standard_normal(H)
    h, cache = rnn.rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal((N, T, H))
    dx, dh0, dWx, dWh, db = rnn.rnn_backward(dh, cache)
    prev_h, caches = h0, []
    for t in range(T):
        prev_h, step_cache = rnn.rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        np.testing.assert_allclose(h[:, t], prev_h, rtol=1e-12, atol=1e-14)
        caches.append(step_cache)
    dprev_h, dWx_loop = np.zeros_like(h0), np.zeros_like(Wx)
    dWh_loop, db_loop = np.zeros_like(Wh), np.zeros_like(b)
    for t in reversed(range(T)):
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn.rnn_step_backward(dh[:, t] + dprev_h, caches[t])
        dWx_loop += dWx_t
        dWh_loop += dWh_t
        db_loop += db_t
        np.testing.assert_allclose(dx[:, t], dx_t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh0, dprev_h, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dWx, dWx_loop, rtol=1e-10, atol=1e-12)
    assert dWh.shape == (H, H) and db.shape == (H,)
    np.testing.assert_allclose(dWh, dWh_loop, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, db_loop, rtol=1e-10, atol=1e-12)
    # and the values against reverse-mode autodiff of an independent forward
    expected_dWh, expected_db = (grad(lambda *a: anp.sum(ag_rnn(*a) * dh), k)(x, h0, Wx, Wh, b)
                                 for k in (3, 4))
    np.testing.assert_allclose(dWh, expected_dWh, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(db, expected_db, rtol=1e-9, atol=1e-11)


@settings(max_examples=30, deadline=None)
@given(N=dim, T=dim, D=dim, sizes=st.lists(dim, min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_stacked_shapes_and_single_layer_equivalence(N, T, D, sizes, seed):
    rng = np.random.default_rng(seed)
    params = stacked.init_stacked_params(D, sizes, rng)
    x = rng.standard_normal((N, T, D))
    h, cache = stacked.stacked_lstm_forward(x, stacked.zero_states(x, params), params)
    assert h.shape == (N, T, sizes[-1]) and len(cache.layers) == len(sizes)
    dh = rng.standard_normal(h.shape)
    dx, dh0s, dparams = stacked.stacked_lstm_backward(dh, cache)
    assert dx.shape == x.shape
    assert [g.shape for g in dh0s] == [(N, H) for H in sizes]
    assert [tuple(g.shape for g in layer) for layer in dparams] == \
        [tuple(p.shape for p in layer) for layer in params]

    # The values of every layer's dWx, dWh and db, against autograd of an independent stack.
    def loss(flat):
        h = x
        for layer in range(len(sizes)):
            Wx, Wh, b = flat[3 * layer:3 * layer + 3]
            zeros = anp.zeros((N, Wh.shape[0]))
            h = ag_lstm(h, zeros, zeros, Wx, Wh, b)
        return anp.sum(h * dh)

    expected = grad(loss)([w for layer in params for w in layer])
    for got, want in zip([g for layer in dparams for g in layer], expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)
    if len(sizes) == 1:
        Wx, Wh, b = params[0]
        h1, cache1 = lstm.lstm_forward(x, np.zeros((N, sizes[0])), Wx, Wh, b)
        np.testing.assert_array_equal(h, h1)
        for g, g1 in zip([dx, dh0s[0], *dparams[0]], lstm.lstm_backward(dh, cache1)):
            np.testing.assert_array_equal(g, g1)


@settings(max_examples=20, deadline=None)
@given(N=dim, T=dim, D=dim, H=dim, seed=st.integers(0, 2**16))
def test_float32_stays_float32(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    f32 = np.float32
    x, h0 = rng.standard_normal((N, T, D)).astype(f32), rng.standard_normal((N, H)).astype(f32)
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng, dtype=f32)
    h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
    assert h.dtype == f32 and cache.c.dtype == f32 and cache.gates.dtype == f32
    assert all(g.dtype == f32 for g in lstm.lstm_backward(np.ones_like(h), cache))
