"""Chapter 5's checked exercises: a right answer and known-wrong answers
(an untouched stub: tests/test_exercises.py)."""
import numpy as np
import pytest

from lstmlib import peephole
from lstmlib.book.exercises import ExerciseFailed, check
from lstmlib.diagnose import variants


def right_dp(da_i, da_f, da_o, cache):
    return np.stack([(da_i * cache.prev_c).sum(axis=0), (da_f * cache.prev_c).sum(axis=0),
                     (da_o * cache.next_c).sum(axis=0)])


def dp_o_from_prev_c(da_i, da_f, da_o, cache):
    return np.stack([(da_i * cache.prev_c).sum(axis=0), (da_f * cache.prev_c).sum(axis=0),
                     (da_o * cache.prev_c).sum(axis=0)])


def dp_averaged(da_i, da_f, da_o, cache):
    return right_dp(da_i, da_f, da_o, cache) / len(cache.prev_c)


def dp_not_summed(da_i, da_f, da_o, cache):
    return np.stack([da_i * cache.prev_c, da_f * cache.prev_c, da_o * cache.next_c])


def test_dp_right_answer_is_correct():
    verdict = check("peephole-dp", right_dp, must_pass=True)
    assert verdict.ok and "central differences" in verdict.message


@pytest.mark.parametrize("answer, mistake, words", [
    (dp_o_from_prev_c, "o sees c_{t-1}", "output gate peeks at c_t"),
    (dp_averaged, "batch mean", "averaged over the batch"),
])
def test_dp_known_mistakes_are_named(answer, mistake, words):
    verdict = check("peephole-dp", answer)
    assert verdict.status == "wrong"
    assert verdict.mistakes == (mistake,)
    assert words in verdict.message and "The backward pass" in verdict.message


def test_dp_not_summed_over_the_batch_is_told_so():
    verdict = check("peephole-dp", dp_not_summed)
    assert verdict.status == "wrong" and "sum over the batch" in verdict.message


def test_wrong_dp_fails_must_pass():
    with pytest.raises(ExerciseFailed):
        check("peephole-dp", dp_o_from_prev_c, must_pass=True)


def test_step_backward_right_answer_is_correct():
    verdict = check("peephole-step-backward", peephole.peephole_step_backward,
                    must_pass=True)
    assert "central differences" in verdict.message


@pytest.mark.parametrize("ids", [
    ("peephole_o_path_missing_in_dc",),
    ("peephole_paths_missing_in_dprev_c",),
    ("tanh_grad_at_preactivation", "peephole_paths_missing_in_dprev_c"),
])
def test_step_backward_mistakes_are_named_with_their_section(ids):
    verdict = check("peephole-step-backward", variants.peephole_step_backward(*ids))
    assert verdict.status == "wrong"
    assert set(verdict.mistakes) == set(ids)
    for mistake in ids:
        assert mistake in verdict.message
    assert "Central differences disagree" in verdict.message


def test_step_backward_that_raises_is_wrong_not_a_crash():
    def broken(dnext_h, dnext_c, cache):
        return cache.missing_field

    assert check("peephole-step-backward", broken).status == "wrong"


def test_dp_is_judged_at_one_tolerance_and_a_wrong_dp_names_its_row():
    def nearly(*args):  # off by rounding-sized noise: below TOLERANCE, above 1e-10
        return right_dp(*args) * (1 + 1e-9)

    assert check("peephole-dp", nearly).ok

    def p_f_off(*args):
        dp = right_dp(*args)
        dp[1] *= 1 + 1e-7
        return dp

    verdict = check("peephole-dp", p_f_off)
    assert verdict.status == "wrong" and "lstmlib's: p_f (relative error" in verdict.message
    assert "p_i" not in verdict.message and "p_o" not in verdict.message
