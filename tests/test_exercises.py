"""The exercise checker: verdicts for an untouched stub, a wrong answer, a crash, a solution."""
import inspect
import json
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

from lstmlib.book import exercises
from lstmlib.book.exercises import ExerciseFailed, Verdict, check, exercise
from lstmlib.gradcheck import check_backward

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
LABEL = re.compile(r"^\(([^\s()]+)\)=", re.M)  # a MyST target: (label)=

exercises._load_all()  # to parametrize over every chapter's exercises
EXERCISE_IDS = sorted(exercises.REGISTRY)


def book_labels():
    """Every ``(label)=`` defined in a markdown cell of a chapter notebook."""
    labels = set()
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "markdown":
                labels |= set(LABEL.findall("".join(cell["source"])))
    return labels


def chapter_exercises():
    """The registered exercises of the chapters' modules (not those of a test)."""
    prefix = exercises.__name__ + ".ch"
    return [ex for ex in exercises.REGISTRY.values()
            if ex.run.__module__.startswith(prefix)]


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


def test_every_chapter_module_registers_exercises_and_their_sections_exist():
    exercises._load_all()
    modules = {info.name for info in pkgutil.iter_modules(exercises.__path__)
               if re.fullmatch(r"ch\d\d", info.name)}
    assert modules, "no chNN module in lstmlib.book.exercises"
    registered = chapter_exercises()
    assert {f"ch{ex.chapter:02d}" for ex in registered} == modules
    for ex in registered:  # each in its own chapter's module
        assert ex.run.__module__ == f"{exercises.__name__}.ch{ex.chapter:02d}", ex.id
    labels = book_labels()
    assert labels, f"no (label)= in {CHAPTERS}"
    undefined = {ex.id: ex.section for ex in registered if ex.section not in labels}
    assert not undefined, f"sections that are no label of the book: {undefined}"


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_untouched_stub_is_not_attempted(exercise_id, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError  # your code here

    run = exercises.REGISTRY[exercise_id].run
    stubs = [stub] * len(inspect.signature(run).parameters)
    verdict = check(exercise_id, *stubs)
    assert verdict.status == "not attempted", verdict
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_missing_return_is_wrong_not_unattempted(exercise_id):
    def returns_none(*args, **kwargs):
        pass  # a forgotten return: not the stub, so "wrong", saying so

    run = exercises.REGISTRY[exercise_id].run
    verdict = check(exercise_id, *[returns_none] * len(inspect.signature(run).parameters))
    assert verdict.status == "wrong" and "returned None" in verdict.message, verdict


def test_a_long_verdict_is_wrapped_to_the_page(capsys):
    words = " ".join(f"word{i}" for i in range(60))
    message = f"{words} {'x' * (2 * exercises.WIDTH)} the end."  # one word over a line

    @exercise("test-long-message", chapter=0, section="nowhere")
    def run(reader):
        reader()
        return Verdict("wrong", message)

    try:
        verdict = check("test-long-message", lambda: 1)
    finally:
        exercises.REGISTRY.pop("test-long-message")
    lines = capsys.readouterr().out.splitlines()
    assert len(str(verdict)) > 3 * exercises.WIDTH
    assert len(lines) >= 4, lines
    assert all(len(line) <= exercises.WIDTH for line in lines), lines
    assert all(line.startswith("  ") for line in lines[1:]), lines  # indented
    printed = "".join("".join(lines).split())
    assert printed == "".join(str(verdict).split())  # nothing lost


def test_verdict_prints_its_status():
    assert str(Verdict("correct", "fine")) == "✓ correct: fine"
    assert str(Verdict("not attempted", "")) == "· not attempted yet"
