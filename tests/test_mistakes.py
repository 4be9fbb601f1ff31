"""lstmlib.mistakes: the correct variants are correct, and every mistake really is one."""
import itertools

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from reference import ag_lstm

from lstmlib import data, layers, lstm, models, peephole
from lstmlib.diagnose import mistakes
from lstmlib.gradcheck import check_backward, check_loss, rel_error

SHAPES = [(1, 2, 1, 1), (2, 3, 4, 3), (3, 1, 5, 2), (2, 4, 3, 5)]  # N, T, D, H


def _params(rng, D, H):
    return (rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)) / np.sqrt(H),
            rng.standard_normal(4 * H))


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_correct_step_variant_is_lstmlib_and_passes_gradcheck(N, T, D, H):
    rng = np.random.default_rng(N * 100 + D * 10 + H)
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx, Wh, b = _params(rng, D, H)
    dnh, dnc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    *_, ours = mistakes.step_forward(x, h, c, Wx, Wh, b)
    *_, theirs = lstm.lstm_step_forward(x, h, c, Wx, Wh, b)
    for a, e in zip(mistakes.step_backward()(dnh, dnc, ours), lstm.lstm_step_backward(dnh, dnc,
                                                                                    theirs)):
        assert rel_error(a, e) < 1e-14
    report = check_backward(mistakes.step_forward, mistakes.step_backward(),
                            dict(x=x, prev_h=h, prev_c=c, Wx=Wx, Wh=Wh, b=b), rng)
    assert report.ok, report


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_correct_sequence_variant_is_lstmlib_and_passes_gradcheck(N, T, D, H):
    rng = np.random.default_rng(N * 100 + T * 10 + H)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = _params(rng, D, H)
    dh = rng.standard_normal((N, T, H))
    h, cache = mistakes.sequence_forward(x, h0, Wx, Wh, b)
    h_ref, cache_ref = lstm.lstm_forward(x, h0, Wx, Wh, b)
    assert rel_error(h, h_ref) < 1e-14
    for a, e in zip(mistakes.sequence_backward()(dh, cache), lstm.lstm_backward(dh, cache_ref)):
        assert rel_error(a, e) < 1e-13
    report = check_backward(mistakes.sequence_forward, mistakes.sequence_backward(),
                            dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b), rng)
    assert report.ok, report


def test_correct_loss_head_and_peephole_variants_are_lstmlib():
    rng = np.random.default_rng(3)
    scores, y = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    loss, d = mistakes.softmax_loss()(scores, y)
    loss_ref, d_ref = layers.softmax_loss(scores, y)
    assert abs(loss - loss_ref) < 1e-14 and rel_error(d, d_ref) < 1e-14
    last, cache = layers.last_step_forward(rng.standard_normal((2, 3, 4)))
    dlast = rng.standard_normal(last.shape)
    assert np.array_equal(mistakes.last_step_backward()(dlast, cache),
                          layers.last_step_backward(dlast, cache))
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    Wx, Wh, b = _params(rng, 3, 2)
    p = rng.standard_normal((3, 2))
    out = mistakes.peephole_step_forward()(x, h, c, Wx, Wh, b, p)
    ref = peephole.peephole_step_forward(x, h, c, Wx, Wh, b, p)
    assert all(np.array_equal(a, e) for a, e in zip(out[:2], ref[:2]))
    dnh, dnc = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    for a, e in zip(mistakes.peephole_step_backward()(dnh, dnc, out[2]),
                    peephole.peephole_step_backward(dnh, dnc, ref[2])):
        assert rel_error(a, e) < 1e-14


def test_wrong_cell_variant_is_a_consistent_model():
    """With o peeking at c_{t-1}, the variant's backward is that cell's true gradient."""
    rng = np.random.default_rng(4)
    inputs = dict(x=rng.standard_normal((2, 3)), prev_h=rng.standard_normal((2, 2)),
                  prev_c=rng.standard_normal((2, 2)), Wx=rng.standard_normal((3, 8)),
                  Wh=rng.standard_normal((2, 8)), b=rng.standard_normal(8),
                  p=rng.standard_normal((3, 2)))
    bug = "peephole_output_gate_sees_prev_cell"
    report = check_backward(mistakes.peephole_step_forward(bug),
                            mistakes.peephole_step_backward(bug), inputs, rng)
    assert report.ok, report
    right = mistakes.peephole_step_forward()(*inputs.values())[0]
    assert rel_error(mistakes.peephole_step_forward(bug)(*inputs.values())[0], right) > 1e-3


def _step_probe_grads(ids):
    rng = np.random.default_rng(5)
    x, h = rng.standard_normal((3, 6)), rng.standard_normal((3, 2))
    c = 2 * rng.standard_normal((3, 2))  # |c| > 1 somewhere, so M1 shows
    Wx, Wh, b = _params(rng, 6, 2)
    dnh, dnc = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    *_, cache = mistakes.step_forward(x, h, c, Wx, Wh, b)
    return mistakes.step_backward(*ids)(dnh, dnc, cache)


def test_every_step_mistake_changes_the_gradients_and_no_two_agree():
    gradient_ids = [i for i in mistakes.STEP_IDS if i != "modifies_upstream_in_place"]
    grads = {i: _step_probe_grads((i,)) for i in gradient_ids}
    grads["correct"] = _step_probe_grads(())
    for a, b in itertools.combinations(grads, 2):
        assert max(rel_error(u, v) for u, v in zip(grads[a], grads[b])) > 1e-3, (a, b)


def test_in_place_mistake_changes_the_callers_array_only():
    rng = np.random.default_rng(6)
    *_, cache = mistakes.step_forward(rng.standard_normal((2, 3)), rng.standard_normal((2, 2)),
                                      rng.standard_normal((2, 2)), *_params(rng, 3, 2))
    dnh, dnc = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    saved = dnc.copy()
    right = mistakes.step_backward()(dnh, dnc, cache)
    assert np.array_equal(dnc, saved)
    wrong = mistakes.step_backward("modifies_upstream_in_place")(dnh, dnc, cache)
    assert not np.array_equal(dnc, saved)
    assert all(np.array_equal(a, b) for a, b in zip(right, wrong))


def test_sequence_mistakes_change_the_gradients():
    rng = np.random.default_rng(7)
    x, h0 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 2))
    Wx, Wh, b = _params(rng, 3, 2)
    dh = rng.standard_normal((2, 4, 2))
    _, cache = mistakes.sequence_forward(x, h0, Wx, Wh, b)
    right = mistakes.sequence_backward()(dh, cache)
    for mid in mistakes.SEQUENCE_IDS:
        wrong = mistakes.sequence_backward(mid)(dh.copy(), cache)
        assert max(rel_error(a, e) for a, e in zip(wrong, right)) > 1e-3, mid


def test_dropping_est_is_truncated_rtrl():
    """The sequence backward without dL/dh_{t-1} gives truncated RTRL's numbers (M4 = M7)."""
    from lstmlib import rtrl
    rng = np.random.default_rng(8)
    x, h0 = rng.standard_normal((2, 5, 3)), np.zeros((2, 4))
    Wx, Wh, b = _params(rng, 3, 4)
    dh = rng.standard_normal((2, 5, 4))
    _, pcache = peephole.peephole_forward(x, h0, Wx, Wh, b, np.zeros((3, 4)))
    _, cache = mistakes.sequence_forward(x, h0, Wx, Wh, b)
    dropped = mistakes.sequence_backward("dropped_recurrent_h_grad")(dh, cache)
    for a, e in zip(rtrl.truncated_rtrl(dh, pcache)[:3], dropped[2:]):
        assert rel_error(a, e) < 1e-12


def test_loss_mistakes():
    scores, y = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]), np.array([1, 0])
    _, right = mistakes.softmax_loss()(scores, y)
    p = layers.softmax_loss(scores, y)[1] * 2 + np.eye(3)[y]  # softmax probabilities
    _, m2 = mistakes.softmax_loss("softmax_grad_on_cross_entropy")(scores, y)
    np.testing.assert_allclose(m2, right * p * (1 - p))
    flipped = mistakes.softmax_loss("loss_grad_sign_flipped")(scores, y)[1]
    np.testing.assert_allclose(flipped, -right)
    summed = mistakes.softmax_loss("loss_grad_not_divided_by_batch")(scores, y)[1]
    np.testing.assert_allclose(summed, 2 * right)
    loss, _ = mistakes.softmax_loss("softmax_not_shifted")(scores + 1000.0, y)
    assert not np.isfinite(loss)
    assert np.isfinite(mistakes.softmax_loss()(scores + 1000.0, y)[0])


def test_many_to_one_mistake_spreads_the_gradient():
    rng = np.random.default_rng(9)
    _, cache = layers.last_step_forward(rng.standard_normal((2, 4, 3)))
    dlast = rng.standard_normal((2, 3))
    dh = mistakes.last_step_backward("many_to_one_grad_at_every_step")(dlast, cache)
    assert all(np.array_equal(dh[:, t], dlast) for t in range(4))
    with pytest.raises(ValueError, match="last_step_forward"):
        mistakes.last_step_backward()(dlast, (2, 4, 3))


def test_unknown_ids_are_refused_with_the_known_ones_listed():
    with pytest.raises(ValueError, match="missing_forget_in_dprev_c"):
        mistakes.step_backward("no_such_mistake")
    with pytest.raises(ValueError, match="not a loss mistake"):
        mistakes.softmax_loss("tanh_grad_at_preactivation")
    with pytest.raises(ValueError, match="not a step mistake"):
        mistakes.step_backward("dropped_recurrent_h_grad")


def test_catalogue_is_complete_and_consistent():
    required = {"tanh_grad_at_preactivation", "softmax_grad_on_cross_entropy", "ones_initial_state",
                "dropped_recurrent_h_grad", "missing_forget_in_dprev_c",
                "output_gate_missing_tanh_c", "gate_blocks_swapped"}
    assert required <= set(mistakes.CATALOGUE)
    for mid, m in mistakes.CATALOGUE.items():
        assert m.id == mid
        assert m.source in {"post 000", "post 001", "post 002", "post 003", "common"}
        assert m.section in mistakes.SECTIONS
        assert m.level in {"step", "sequence", "loss", "head", "peephole", "model", "setup"}
        assert m.title and m.description.endswith(".")
    # M1-M8 all appear: each post contributes.
    assert {m.source for m in mistakes.CATALOGUE.values()} == {
        "post 000", "post 001", "post 002", "post 003", "common"}
    assert mistakes.step_backward("gate_blocks_swapped").__name__ == \
        "lstm_step_backward_with_gate_blocks_swapped"


def _autograd_char_loss(params, inputs, targets, V):
    """An independent forward in autograd.numpy: one-hot -> LSTM -> affine -> mean cross-entropy."""
    Wx, Wh, b, W_out, b_out = params
    N, T = inputs.shape
    zeros = anp.zeros((N, Wh.shape[0]))
    h = ag_lstm(np.eye(V)[inputs], zeros, zeros, Wx, Wh, b)
    s = anp.dot(h, W_out) + b_out  # (N, T, V)
    top = anp.max(s, axis=-1, keepdims=True)
    logz = anp.log(anp.sum(anp.exp(s - top), axis=-1)) + top[..., 0]
    picked = s[np.arange(N)[:, None], np.arange(T)[None, :], targets]
    return anp.sum(logz - picked) / (N * T)


def test_char_model_gradients_match_central_differences_and_autograd():
    text = "abcab cba acb"
    vocab = data.char_vocab(text)
    V = len(vocab.chars)
    rng = np.random.default_rng(10)
    params = models.init_char_lm(V, [3], rng)
    inputs, targets = data.text_windows(data.encode(text, vocab), 2, 4, rng)
    loss_and_grads = mistakes.char_model_loss_and_grads()
    loss, grads = loss_and_grads(params, (inputs, targets))
    report = check_loss(lambda: loss_and_grads(params, (inputs, targets))[0], params, grads)
    assert report.ok, report
    keys = ("Wx0", "Wh0", "b0", "W_out", "b_out")
    auto = grad(lambda ps: _autograd_char_loss(ps, inputs, targets, V))([params[k] for k in keys])
    for k, g in zip(keys, auto):
        assert rel_error(grads[k], g) < 1e-10, k
    assert abs(loss - _autograd_char_loss([params[k] for k in keys], inputs, targets, V)) < 1e-12


def test_training_is_deterministic_and_the_correct_gradient_learns():
    text = "abcabcabcabcabc abc"
    vocab = data.char_vocab(text)
    ids = data.encode(text, vocab)
    _, first = mistakes.train_char_model(ids, len(vocab.chars), H=6, N=4, T=5, steps=40,
                                         track_every=20)
    _, again = mistakes.train_char_model(ids, len(vocab.chars), H=6, N=4, T=5, steps=40,
                                         track_every=20)
    assert np.array_equal(first["loss"], again["loss"])
    assert first["loss"][-5:].mean() < first["loss"][:5].mean() - 0.3
    np.testing.assert_allclose(first["sign_agreement"], 1.0)
    np.testing.assert_allclose(first["norm_ratio"], 1.0)
    params, _ = mistakes.train_char_model(ids, len(vocab.chars), H=6, N=4, T=5, steps=150)
    sample = models.sample_chars(params, data.encode("ab", vocab), 4, None, temperature=0)
    assert data.decode(sample, vocab) == "cabc"
