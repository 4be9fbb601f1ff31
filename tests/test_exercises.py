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


def test_a_function_that_returns_none_is_told_its_return_is_missing(square_exercise,
                                                                    capsys):
    def square_backward(dout, cache):
        2 * dout * cache  # the return is forgotten
    verdict = check(square_exercise, square_backward)
    assert verdict.status == "wrong" and "returned None" in verdict.message
    assert "`return` missing" in capsys.readouterr().out


def test_check_without_the_function_names_what_the_exercise_expects(square_exercise):
    with pytest.raises(TypeError, match=r"'test-square-backward' checks 1 function, "
                                        r"square_backward; check\(\) was given 0"):
        check(square_exercise)
    with pytest.raises(TypeError, match="was given 2"):
        check(square_exercise, print, print)


def test_the_real_exercises_name_their_functions_too():
    with pytest.raises(TypeError, match="rnn_step_backward"):
        check("rnn-step-backward")


def test_a_bug_in_a_checker_is_raised_not_blamed_on_the_reader(capsys):
    @exercise("test-buggy-checker", chapter=0, section="nowhere")
    def run(reader):
        {}["no such key"]  # the checker's own mistake, before the reader's code runs
        return reader(1.0)

    try:
        with pytest.raises(KeyError, match="no such key"):
            check("test-buggy-checker", lambda x: x)
    finally:
        exercises.REGISTRY.pop("test-buggy-checker")
    assert "your code raised" not in capsys.readouterr().out


def test_a_return_value_that_breaks_the_check_is_wrong_not_a_crash():
    @exercise("test-ragged-return", chapter=0, section="nowhere")
    def run(reader):
        got = np.asarray(reader(1.0), dtype=float)  # ValueError for a ragged list
        return Verdict("correct", str(got))

    try:
        verdict = check("test-ragged-return", lambda x: [[x, x], [x]])
        with pytest.raises(ExerciseFailed, match="could not be checked"):
            check("test-ragged-return", lambda x: [[x, x], [x]], must_pass=True)
    finally:
        exercises.REGISTRY.pop("test-ragged-return")
    assert verdict.status == "wrong"
    assert "could not be checked (ValueError" in verdict.message


def test_what_the_reader_raises_is_wrong_even_if_the_checker_catches_nothing():
    @exercise("test-reader-raises", chapter=0, section="nowhere")
    def run(reader):
        return Verdict("correct", str(reader(1.0)))

    def reader(x):
        raise KeyError("my own bug")

    try:
        verdict = check("test-reader-raises", reader)
    finally:
        exercises.REGISTRY.pop("test-reader-raises")
    assert verdict.status == "wrong" and "your code raised KeyError" in verdict.message


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
