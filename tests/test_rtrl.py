"""Truncated RTRL: what it computes, checked three independent ways, and how it differs from BPTT.

The truncated gradient is the exact gradient of a *modified* computation:
every h_{t-1} and every cell state a gate peeks at is frozen at its forward
value (a constant, not a function of the weights), while the carousel
c_t = f_t c_{t-1} + i_t g_t stays live. The tests write that modified forward
twice, in numpy (for central differences) and in autograd.numpy, and compare.
"""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from reference import ag_sigmoid

from lstmlib import data, peephole, rtrl
from lstmlib.book import peephole_flow
from lstmlib.gradcheck import TOLERANCE, check_loss

SHAPES = [(1, 1, 1, 1), (2, 3, 4, 5), (3, 5, 2, 3), (2, 7, 3, 2)]  # (N, T, D, H)


def setup(rng, N, T, D, H):
    Wx, Wh, b, p = peephole.init_peephole_params(D, H, rng, peephole_scale=1.0)
    b += 0.3 * rng.standard_normal(4 * H)
    x = rng.standard_normal((N, T, D))
    h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    h, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p, c0=c0)
    return dict(Wx=Wx, Wh=Wh, b=b, p=p), cache, rng.standard_normal(h.shape)


def frozen_loss(xp, sigmoid, Wx, Wh, b, p, cache, dh):
    """sum(h_t * dh_t) with h_{t-1} and the peeked-at cell states frozen at ``cache``'s values."""
    H = Wh.shape[0]
    prev_h_all = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)
    prev_c_all = np.concatenate([cache.c0[:, None], cache.c[:, :-1]], axis=1)
    c, loss = cache.c0, 0.0
    for t in range(cache.x.shape[1]):
        a = xp.dot(cache.x[:, t], Wx) + xp.dot(prev_h_all[:, t], Wh) + b
        i = sigmoid(a[:, :H] + p[0] * prev_c_all[:, t])
        f = sigmoid(a[:, H:2 * H] + p[1] * prev_c_all[:, t])
        c = f * c + i * xp.tanh(a[:, 3 * H:])  # live: the one path the truncation keeps
        o = sigmoid(a[:, 2 * H:3 * H] + p[2] * cache.c[:, t])
        loss = loss + xp.sum(o * xp.tanh(c) * dh[:, t])
    return loss


def np_sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_forward_mode_equals_backward_mode(N, T, D, H):
    _, cache, dh = setup(np.random.default_rng(N + 10 * T), N, T, D, H)
    for a, b in zip(rtrl.truncated_rtrl(dh, cache), rtrl.carousel_backward(dh, cache)):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_truncated_rtrl_is_the_gradient_of_the_frozen_graph(N, T, D, H):
    params, cache, dh = setup(np.random.default_rng(N * T + D), N, T, D, H)
    ours = dict(zip(("Wx", "Wh", "b", "p"), rtrl.truncated_rtrl(dh, cache)))
    # The frozen graph reproduces the forward values exactly at these weights.
    assert frozen_loss(np, np_sigmoid, *params.values(), cache, dh) == pytest.approx(
        float(np.sum(cache.h * dh)), rel=1e-12)
    # 1. central differences
    report = check_loss(lambda: frozen_loss(np, np_sigmoid, *params.values(), cache, dh),
                        params, ours)
    assert report.ok and report.max_error < TOLERANCE, f"\n{report}"
    # 2. autograd
    args = tuple(params.values())
    for k, name in enumerate(params):
        expected = grad(lambda *w: frozen_loss(anp, ag_sigmoid, *w, cache, dh), k)(*args)
        np.testing.assert_allclose(ours[name], expected, rtol=1e-10, atol=1e-12)


def test_one_step_is_exact_unless_the_output_gate_peeks():
    """With T = 1 there is no earlier step to cut off; h0 and c0 are inputs, not functions
    of the weights. The one cut path left is o's peephole, delta a_o * p_o in dc."""
    rng = np.random.default_rng(3)
    N, D, H = 3, 4, 5
    Wx, Wh, b, p = peephole.init_peephole_params(D, H, rng, peephole_scale=1.0)
    x = rng.standard_normal((N, 1, D))
    h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dh = rng.standard_normal((N, 1, H))
    p_without_o = p.copy()
    p_without_o[2] = 0.0
    _, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p_without_o, c0=c0)
    for a, b_ in zip(rtrl.truncated_rtrl(dh, cache), peephole.peephole_backward(dh, cache)[2:]):
        np.testing.assert_allclose(a, b_, rtol=1e-12, atol=1e-14)
    _, cache = peephole.peephole_forward(x, h0, Wx, Wh, b, p, c0=c0)
    truncated = rtrl.peephole_gate_blocks(*rtrl.truncated_rtrl(dh, cache))
    exact = rtrl.peephole_gate_blocks(*peephole.peephole_backward(dh, cache)[2:])
    for name in exact:
        same = np.allclose(truncated[name], exact[name], rtol=1e-12, atol=1e-14)
        assert same == (name.endswith("[o]") or name == "p_o"), name


def test_longer_sequences_are_not_exact():
    params, cache, dh = setup(np.random.default_rng(4), 3, 8, 3, 4)
    rows = rtrl.compare_by_block(peephole.peephole_backward(dh, cache)[2:],
                                  rtrl.truncated_rtrl(dh, cache))
    errors = {row.block: row.rel_error for row in rows}
    assert list(errors) == ([f"{w}[{g}]" for w in ("Wx", "Wh", "b") for g in "ifog"]
                            + ["p_i", "p_f", "p_o", "all"])
    assert min(errors.values()) > 1e-3
    assert all(-1 <= row.cosine <= 1 for row in rows)


def test_compare_gradients_measures_what_it_says():
    rng = np.random.default_rng(5)
    exact = (rng.standard_normal((2, 12)), rng.standard_normal((3, 12)), rng.standard_normal(12),
             rng.standard_normal((3, 3)))
    for row in rtrl.compare_by_block(exact, exact):
        assert row.rel_error == 0 and row.cosine == pytest.approx(1.0)
    for row in rtrl.compare_by_block(exact, tuple(2.0 * g for g in exact)):
        assert row.rel_error == pytest.approx(1.0) and row.cosine == pytest.approx(1.0)
    for row in rtrl.compare_by_block(exact, tuple(-g for g in exact)):
        assert row.rel_error == pytest.approx(2.0) and row.cosine == pytest.approx(-1.0)
    zero = tuple(np.zeros_like(g) for g in exact)
    assert all(np.isnan(row.rel_error) and np.isnan(row.cosine)
               for row in rtrl.compare_by_block(zero, exact))
    with pytest.raises(ValueError, match=r"Wx\[i\]: cannot compare gradients of shapes"):
        rtrl.compare_by_block(exact, (exact[0][:1],) + exact[1:])
    negated = tuple(-g for g in exact)
    table = rtrl.format_comparison({"same": rtrl.compare_by_block(exact, exact),
                                    "negated": rtrl.compare_by_block(exact, negated)})
    lines = table.splitlines()
    assert lines[0].split() == ["|", "same", "|", "negated"]
    assert lines[2].split() == ["Wx[i]", "|", "0.00", "1.00", "|", "2.00", "-1.00"]
    assert lines[-1].split()[0] == "all" and len(lines) == 2 + 16


def test_gate_blocks_follow_the_gate_order():
    H = 2
    dWx = np.arange(8.0).reshape(1, 8)
    dp = np.arange(6.0).reshape(3, H)
    blocks = rtrl.peephole_gate_blocks(dWx, np.zeros((H, 4 * H)), np.zeros(4 * H), dp)
    np.testing.assert_array_equal(blocks["Wx[o]"], [[4.0, 5.0]])
    np.testing.assert_array_equal(blocks["Wx[g]"], [[6.0, 7.0]])
    np.testing.assert_array_equal(blocks["p_f"], [2.0, 3.0])


def test_bad_upstream_gradient():
    _, cache, dh = setup(np.random.default_rng(6), 2, 3, 2, 2)
    for fn in (rtrl.truncated_rtrl, rtrl.carousel_backward):
        with pytest.raises(ValueError, match=r"dh should have shape \(2, 3, 2\)"):
            fn(dh[:, :2], cache)


# --- the tasks and the two training gradients -------------------------------------------------

def test_delayed_recall():
    x, y, mask = rtrl.delayed_recall(5, 7, 3, 2, np.random.default_rng(0))
    assert x.shape == (5, 7, 3) and y.shape == mask.shape == (5, 7)
    np.testing.assert_array_equal(y[:, 2:], x[:, :-2].argmax(axis=2))
    assert not mask[:, :2].any() and mask[:, 2:].all()
    with pytest.raises(ValueError, match=r"delay should lie in \[1, T\)"):
        rtrl.delayed_recall(5, 3, 3, 3, np.random.default_rng(0))


@pytest.mark.parametrize("task", ["recall", "adding"])
def test_model_losses(task):
    rng = np.random.default_rng(7)
    if task == "recall":
        params = rtrl.init_model(3, 4, 3, rng)
        batch = rtrl.delayed_recall(2, 5, 3, 2, rng)
        loss_and_grads = rtrl.recall_loss_and_grads
    else:
        params = rtrl.init_model(2, 4, 1, rng)
        batch = data.adding_problem(2, 6, rng)
        loss_and_grads = rtrl.adding_loss_and_grads
    params["p"] = rng.uniform(-1, 1, size=params["p"].shape)
    loss, exact = loss_and_grads(params, batch, "exact")
    report = check_loss(lambda: loss_and_grads(params, batch)[0], params, exact)
    assert report.ok and report.max_error < TOLERANCE, f"\n{report}"
    loss_t, truncated = loss_and_grads(params, batch, "truncated")
    assert loss_t == loss and set(truncated) == set(params)
    # The head's gradient is exact either way.
    np.testing.assert_array_equal(truncated["W_out"], exact["W_out"])
    assert np.abs(truncated["Wh"] - exact["Wh"]).max() > 1e-6
    with pytest.raises(ValueError, match="gradient should be one of"):
        loss_and_grads(params, batch, "approximate")


def test_gradient_agreement_and_side_by_side_training():
    rng = np.random.default_rng(8)
    params = rtrl.init_model(3, 4, 3, rng)
    before = {name: w.copy() for name, w in params.items()}
    eval_batch = rtrl.delayed_recall(8, 6, 3, 2, np.random.default_rng(9))
    rows = rtrl.gradient_agreement(rtrl.recall_loss_and_grads, params, eval_batch)
    assert rows[-1].block == "all" and 0 < rows[-1].cosine < 1 and rows[-1].rel_error > 0

    runs = rtrl.train_side_by_side(rtrl.recall_loss_and_grads, params,
                                   lambda r: rtrl.delayed_recall(4, 6, 3, 2, r),
                                   steps=4, seed=1, eval_batch=eval_batch, every=2)
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])  # the caller's weights are copied
    exact, truncated = runs["exact"], runs["truncated"]
    np.testing.assert_array_equal(exact.checked, [0, 2, 4])
    # Same start, same first batch: identical until the two gradients have moved the weights.
    assert exact.loss[0] == truncated.loss[0] and exact.eval_loss[0] == truncated.eval_loss[0]
    assert exact.cosine[0] == truncated.cosine[0] == pytest.approx(rows[-1].cosine)
    assert exact.loss[1] != truncated.loss[1]
    fig = peephole_flow.draw_training_comparison({"recall": (runs, np.log(3)), "again": (runs, None)},
                                        window=2)
    assert len(fig.axes) == 4
