"""Chapter 1's exercise checks: lstmlib's own answers and known-wrong answers
(an untouched stub: tests/test_exercises.py)."""
import numpy as np
import pytest

from lstmlib import rnn
from lstmlib.book.exercises import REGISTRY, ExerciseFailed, ch01, check

EXERCISES = {"rnn-step-backward": (rnn.rnn_step_backward, ch01.step_backward_with,
                                   ch01.STEP_MISTAKES),
             "rnn-backward": (rnn.rnn_backward, ch01.backward_with, ch01.SEQUENCE_MISTAKES)}


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_exercises_are_registered_for_chapter_1(exercise_id):
    assert REGISTRY[exercise_id].chapter == 1
    assert REGISTRY[exercise_id].section in ch01.SECTIONS


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_lstmlibs_own_function_is_correct(exercise_id):
    right, _, _ = EXERCISES[exercise_id]
    verdict = check(exercise_id, right, must_pass=True)
    assert verdict.ok and "central differences" in verdict.message


@pytest.mark.parametrize("exercise_id, mistake",
                         [(e, m) for e, (_, _, ids) in EXERCISES.items() for m in ids])
def test_each_known_mistake_is_wrong_and_named(exercise_id, mistake):
    _, wrong, _ = EXERCISES[exercise_id]
    verdict = check(exercise_id, lambda d, cache: wrong(d, cache, (mistake,)))
    assert verdict.status == "wrong"
    assert verdict.mistakes == (mistake,)
    what, section = ch01.MISTAKES[mistake]
    assert ch01.SECTIONS[section] in " ".join(verdict.message.split())


def test_two_mistakes_at_once_are_both_named():
    both = ("tanh_grad_at_preactivation", "dropped_recurrent_h_grad")
    verdict = check("rnn-backward", lambda d, cache: ch01.backward_with(d, cache, both))
    assert verdict.status == "wrong" and set(verdict.mistakes) == set(both)


def test_a_solution_that_fails_raises_with_must_pass():
    wrong = lambda d, cache: ch01.step_backward_with(d, cache, ("bias_grad_averaged",))  # noqa: E731
    with pytest.raises(ExerciseFailed):
        check("rnn-step-backward", wrong, must_pass=True)


def test_an_unknown_wrong_answer_is_wrong_without_a_name():
    def scaled(dnext_h, cache):
        return tuple(1.5 * g for g in rnn.rnn_step_backward(dnext_h, cache))

    verdict = check("rnn-step-backward", scaled)
    assert verdict.status == "wrong" and verdict.mistakes == ()
    assert "No mistake this check knows" in verdict.message


def test_wrong_shapes_are_named_without_a_traceback():
    def transposed(dnext_h, cache):
        return tuple(g.T for g in rnn.rnn_step_backward(dnext_h, cache))

    verdict = check("rnn-step-backward", transposed)
    assert verdict.status == "wrong" and "dx has shape" in verdict.message


def test_changing_the_upstream_gradient_in_place_is_caught():
    def in_place(dh, cache):
        dh[:, 0] += 1.0
        return rnn.rnn_backward(dh, cache)

    verdict = check("rnn-backward", in_place)
    assert verdict.status == "wrong" and verdict.mistakes == ("modifies_upstream_in_place",)


def test_a_raising_answer_is_reported_not_raised():
    def broken(dnext_h, cache):
        return np.linalg.inv(np.zeros((2, 2)))

    assert check("rnn-step-backward", broken).status == "wrong"

