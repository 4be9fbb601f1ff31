"""Chapter 2's exercise checks: lstmlib's own answers and known-wrong answers
(an untouched stub: tests/test_exercises.py)."""
import numpy as np
import pytest

from lstmlib import lstm
from lstmlib.book.exercises import REGISTRY, ExerciseFailed, ch02, check


def wrong_step(mistakes):
    return lambda *inputs: (*ch02.step_forward_with(*inputs, mistakes), None)


def wrong_sequence(mistakes):
    return lambda *inputs: (ch02.forward_with(*inputs, mistakes), None)


EXERCISES = {"lstm-step-forward": (lstm.lstm_step_forward, wrong_step, ch02.STEP_MISTAKES),
             "lstm-forward": (lstm.lstm_forward, wrong_sequence, ch02.SEQUENCE_MISTAKES)}


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_exercises_are_registered_for_chapter_2(exercise_id):
    assert REGISTRY[exercise_id].chapter == 2
    assert REGISTRY[exercise_id].section in ch02.SECTIONS


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_lstmlibs_own_function_is_correct(exercise_id):
    right, _, _ = EXERCISES[exercise_id]
    verdict = check(exercise_id, right, must_pass=True)
    assert verdict.ok and "lstmlib's" in verdict.message


def test_the_switchable_forward_without_mistakes_is_lstmlibs():
    inputs = ch02.sequence_problem()
    h, _ = lstm.lstm_forward(*inputs.values())
    np.testing.assert_allclose(ch02.forward_with(*inputs.values()), h, rtol=0, atol=1e-15)


@pytest.mark.parametrize("exercise_id, mistake",
                         [(e, m) for e, (_, _, ids) in EXERCISES.items() for m in ids])
def test_each_known_mistake_is_wrong_and_named(exercise_id, mistake):
    _, wrong, _ = EXERCISES[exercise_id]
    verdict = check(exercise_id, wrong((mistake,)))
    assert verdict.status == "wrong" and verdict.mistakes == (mistake,)
    section = ch02.SECTIONS[ch02.MISTAKES[mistake][1]]
    assert section in " ".join(verdict.message.split())


def test_a_sequence_forward_built_on_a_wrong_step_names_both():
    both = ("hidden_not_carried", "gates_in_torch_order")
    verdict = check("lstm-forward", wrong_sequence(both))
    assert verdict.status == "wrong" and set(verdict.mistakes) == set(both)


def test_a_solution_that_fails_raises_with_must_pass():
    with pytest.raises(ExerciseFailed):
        check("lstm-step-forward", wrong_step(("bias_missing",)), must_pass=True)


def test_an_unknown_wrong_answer_is_wrong_without_a_name():
    def scaled(*inputs):
        h, cache = lstm.lstm_forward(*inputs)
        return 1.1 * h, cache

    verdict = check("lstm-forward", scaled)
    assert verdict.status == "wrong" and verdict.mistakes == ()


def test_a_missing_cache_and_a_wrong_shape_are_explained():
    no_cache = check("lstm-step-forward", lambda *inputs: ch02.step_forward_with(*inputs))
    assert no_cache.status == "wrong" and "cache" in no_cache.message

    def transposed(*inputs):
        h, cache = lstm.lstm_forward(*inputs)
        return h.transpose(1, 0, 2), cache

    verdict = check("lstm-forward", transposed)
    assert verdict.status == "wrong" and "h has shape" in verdict.message


def test_the_reader_cannot_spoil_the_problem_in_place():
    def scribbles(x, prev_h, prev_c, Wx, Wh, b):
        out = lstm.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
        Wx[:] = 0.0
        return out

    assert check("lstm-step-forward", scribbles).ok

