"""The exercise checker: verdicts for an untouched stub, a wrong answer, a crash, a solution."""
import numpy as np
import pytest

from lstmlib.book import exercises
from lstmlib.book.exercises import ExerciseFailed, Verdict, check, exercise
from lstmlib.gradcheck import check_backward


def _square_forward(x):
    return x ** 2, x


@pytest.fixture
def square_exercise():
    @exercise("test-square-backward", chapter=0, section="nowhere")
    def run(square_backward):
        report = check_backward(_square_forward, square_backward, {"x": np.linspace(-1, 1, 5)},
                                rng=np.random.default_rng(0))
        return exercises.from_gradcheck(report)
    yield "test-square-backward"
    exercises.REGISTRY.pop("test-square-backward")


def test_a_stub_that_raises_is_not_attempted(square_exercise, capsys):
    def square_backward(dout, cache):
        raise NotImplementedError
    verdict = check(square_exercise, square_backward)
    assert verdict.status == "not attempted"
    assert "not attempted yet" in capsys.readouterr().out


def test_a_stub_that_returns_none_is_not_attempted(square_exercise):
    def square_backward(dout, cache):
        pass
    assert check(square_exercise, square_backward).status == "not attempted"


def test_a_wrong_gradient_is_named(square_exercise):
    def square_backward(dout, cache):
        return (dout * cache,)  # forgot the 2
    verdict = check(square_exercise, square_backward)
    assert verdict.status == "wrong" and "dx" in verdict.message


def test_a_right_gradient_is_correct_and_passes(square_exercise):
    def square_backward(dout, cache):
        return (2 * dout * cache,)
    assert check(square_exercise, square_backward, must_pass=True).ok


def test_code_that_raises_is_reported_not_raised(square_exercise):
    def square_backward(dout, cache):
        return (dout @ np.ones((7, 7)),)
    verdict = check(square_exercise, square_backward)
    assert verdict.status == "wrong" and "ValueError" in verdict.message


def test_a_published_solution_must_pass(square_exercise):
    def square_backward(dout, cache):
        return (dout * cache,)
    with pytest.raises(ExerciseFailed, match="test-square-backward"):
        check(square_exercise, square_backward, must_pass=True)


def test_an_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="the exercises are"):
        check("no-such-exercise", print)


def test_check_wants_a_function(square_exercise):
    with pytest.raises(TypeError, match="expects your function"):
        check(square_exercise, 42)


def test_comparison_reports_shapes_and_errors():
    want = {"h": np.ones((2, 3)), "c": np.zeros((2, 3))}
    verdict = exercises.from_comparison({"h": np.ones((3, 2)), "c": np.full((2, 3), 0.5)}, want)
    assert verdict.status == "wrong"
    assert "h has shape (3, 2), expected (2, 3)" in verdict.message and "c (relative" in verdict.message
    assert exercises.from_comparison(want, want).ok


def test_every_chapter_registers_its_exercises_once():
    exercises._load_all()
    chapters = {ex.chapter for ex in exercises.REGISTRY.values()}
    assert chapters, "no chapter registers an exercise"
    for ex in exercises.REGISTRY.values():
        assert isinstance(ex.section, str) and ex.section


def test_verdict_prints_its_status():
    assert str(Verdict("correct", "fine")) == "✓ correct: fine"
    assert str(Verdict("not attempted", "")) == "· not attempted yet"
