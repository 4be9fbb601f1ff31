"""Chapter 6's exercises: the checks name what is still wrong, and accept the fixes."""
import numpy as np
import pytest

from lstmlib import lstm
from lstmlib.book.exercises import ExerciseFailed, ch06, check
from lstmlib.diagnose import mistakes

M1, M3, NO_EST = "tanh_grad_at_preactivation", "ones_initial_state", "dropped_recurrent_h_grad"
POST_RULES = {"bias_grad_scaled_by_sigmoid", "output_gate_missing_tanh_c",
              "cell_error_is_output_gate_error"}


def test_the_first_posts_backward_is_wrong_with_its_three_mistakes_named():
    verdict = check("first-post-backward", ch06.first_post_backward)
    assert verdict.status == "wrong"
    assert set(verdict.mistakes) == {M1, M3, NO_EST}
    assert "M1: the tanh derivative" in " ".join(verdict.message.split())


def test_a_half_fixed_first_post_names_what_remains():
    def m1_fixed(dh, caches):  # the post's loop with only M1 corrected
        T = len(caches)
        dWx, dWh = np.zeros_like(caches[0].Wx), np.zeros_like(caches[0].Wh)
        db, dx = np.zeros(dWx.shape[1]), [None] * T
        dprev_h = np.zeros_like(caches[0].prev_h)
        dprev_c = np.zeros_like(caches[0].prev_c)
        for t in reversed(range(T)):
            s = caches[t]
            prev_h, prev_c = s.prev_h, s.prev_c
            if t == 0:
                prev_h, prev_c = np.ones_like(prev_h), np.ones_like(prev_c)
            dnext_h = dh[:, t]
            dc = dprev_c + dnext_h * s.o * (1 - s.tanh_c ** 2)
            da = np.concatenate([dc * s.g * s.i * (1 - s.i), dc * prev_c * s.f * (1 - s.f),
                                 dnext_h * s.tanh_c * s.o * (1 - s.o),
                                 dc * s.i * (1 - s.g ** 2)], axis=1)
            dx[t], dprev_h, dprev_c = da @ s.Wx.T, da @ s.Wh.T, dc * s.f
            dWx += s.x.T @ da
            dWh += prev_h.T @ da
            db += da.sum(axis=0)
        return np.stack(dx, axis=1), dprev_h, dWx, dWh, db

    verdict = check("first-post-backward", m1_fixed)
    assert verdict.status == "wrong" and set(verdict.mistakes) == {M3, NO_EST}


def test_the_correct_loop_passes_and_a_wrong_answer_fails_a_must_pass_check():
    assert check("first-post-backward", lstm.lstm_backward_loop).ok
    with pytest.raises(ExerciseFailed):
        check("first-post-backward", ch06.first_post_backward, must_pass=True)


def test_the_second_posts_rules_are_named_one_by_one():
    verdict = check("second-post-step-backward", ch06.second_post_step_backward)
    assert verdict.status == "wrong" and set(verdict.mistakes) == POST_RULES
    for rule in POST_RULES:  # one rule left in: only that one is named
        verdict = check("second-post-step-backward", mistakes.step_backward(rule))
        assert verdict.mistakes == (rule,)
    assert check("second-post-step-backward", mistakes.step_backward()).ok


def test_the_post_versions_are_the_catalogues_mistakes_exactly():
    from lstmlib.diagnose import diagnose_sequence, diagnose_step
    d = diagnose_sequence(lstm.lstm_forward_loop, ch06.first_post_backward)
    assert d.unexplained < 1e-9, str(d)
    d = diagnose_step(mistakes.step_forward, ch06.second_post_step_backward)
    assert d.unexplained < 1e-9, str(d)
