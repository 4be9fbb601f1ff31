"""Chapter 3's exercise checks: a right answer is "correct" and known-wrong answers
"wrong", naming the mistake (an untouched stub: tests/test_exercises.py)."""
import pytest

from lstmlib.activations import dtanh_from_output
from lstmlib.book.exercises import ExerciseFailed, ch03, check  # noqa: F401 (registers)
from lstmlib.diagnose import variants
from lstmlib.diagnose.catalogue import CATALOGUE, SECTIONS
from lstmlib.lstm import lstm_step_backward


def right_dc(dnext_h, dnext_c, cache):
    return dnext_c + dnext_h * cache.o * dtanh_from_output(cache.tanh_c)


def dc_at_preactivation(dnext_h, dnext_c, cache):
    c = cache.f * cache.prev_c + cache.i * cache.g
    return dnext_c + dnext_h * cache.o * (1 - c ** 2)


def test_right_answers_are_correct():
    assert check("lstm-step-backward", lstm_step_backward, must_pass=True).ok
    assert check("dc-line", right_dc, must_pass=True).ok


@pytest.mark.parametrize("mistakes", [("missing_forget_in_dprev_c",),
                                      ("gate_blocks_swapped", "bias_grad_averaged"),
                                      ("output_gate_missing_tanh_c",)])
def test_wrong_step_backward_is_named(mistakes):
    verdict = check("lstm-step-backward", variants.step_backward(*mistakes))
    assert verdict.status == "wrong"
    assert set(verdict.mistakes) == set(mistakes)
    assert all(m in verdict.message for m in mistakes)
    for m in mistakes:   # the section that explains it
        assert SECTIONS[CATALOGUE[m].section].title in verdict.message


@pytest.mark.parametrize("dc_line, mistake", [
    (lambda dh, dc, cache: dc, "cell_grad_missing_h_path"),
    (lambda dh, dc, cache: dh * cache.o * dtanh_from_output(cache.tanh_c),
     "cell_grad_missing_next_c"),
    (dc_at_preactivation, "tanh_grad_at_preactivation"),
])
def test_wrong_dc_line_is_named(dc_line, mistake):
    verdict = check("dc-line", dc_line)
    assert verdict.status == "wrong" and verdict.mistakes == (mistake,)


def test_unexplained_dc_line_is_wrong():
    verdict = check("dc-line", lambda dh, dc, cache: dc + dh * dtanh_from_output(cache.tanh_c))
    assert verdict.status == "wrong" and "dprev_c" in verdict.message


def test_wrong_shape_and_must_pass():
    verdict = check("dc-line", lambda dh, dc, cache: dc.sum(axis=0))
    assert verdict.status == "wrong" and "shape" in verdict.message
    with pytest.raises(ExerciseFailed):
        check("dc-line", lambda dh, dc, cache: dc, must_pass=True)

