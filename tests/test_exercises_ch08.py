"""Chapter 8's checked exercises: a right answer and known-wrong answers
(an untouched stub: tests/test_exercises.py)."""
import numpy as np
import pytest

from lstmlib import layers, optim
from lstmlib.book.exercises import ExerciseFailed, check
from lstmlib.book.exercises.ch08 import ADAM_SLIPS, _adam_variant
from lstmlib.diagnose import mistakes
from lstmlib.diagnose.catalogue import CATALOGUE, SECTIONS


@pytest.mark.parametrize("exercise_id, answer", [
    ("affine-backward", layers.affine_backward),
    ("softmax-loss", layers.softmax_loss),
    ("adam", optim.adam),
])
def test_lstmlibs_own_answers_are_correct(exercise_id, answer):
    assert check(exercise_id, answer, must_pass=True).ok


def affine_dw_averaged(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout / len(x), dout.sum(axis=0)


def affine_dw_transposed(dout, cache):
    x, w = cache
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)


def test_affine_mistakes_are_named():
    verdict = check("affine-backward", affine_dw_averaged)
    assert verdict.status == "wrong" and verdict.mistakes == ("dW averaged",)
    verdict = check("affine-backward", affine_dw_transposed)
    assert verdict.status == "wrong" and "transpose" in verdict.message
    with pytest.raises(ExerciseFailed):
        check("affine-backward", affine_dw_averaged, must_pass=True)


@pytest.mark.parametrize("mistake", ["softmax_grad_on_cross_entropy", "softmax_not_shifted",
                                     "loss_grad_sign_flipped"])
def test_softmax_mistakes_are_named_with_their_section(mistake):
    verdict = check("softmax-loss", mistakes.softmax_loss(mistake))
    assert verdict.status == "wrong" and mistake in verdict.mistakes
    section = SECTIONS[CATALOGUE[mistake].section]
    assert section.title in verdict.message  # the section that explains it


def test_softmax_summed_loss_is_told_to_average():
    def summed(x, y):
        loss, dx = layers.softmax_loss(x, y)
        return loss * len(x), dx * len(x)

    verdict = check("softmax-loss", summed)
    assert verdict.status == "wrong" and "mean over the batch" in verdict.message


@pytest.mark.parametrize("slip", sorted(ADAM_SLIPS))
def test_adam_slips_are_named(slip):
    with np.errstate(all="ignore"):
        verdict = check("adam", _adam_variant(slip))
    assert verdict.status == "wrong" and verdict.mistakes == (slip,)


def test_adam_with_the_wrong_learning_rate_is_wrong():
    def slow(w, dw, config=None):
        config = {**(config or {}), "learning_rate": 1e-3}
        return optim.adam(w, dw, config)

    verdict = check("adam", slow)
    assert verdict.status == "wrong" and "update 1" in verdict.message


def test_adam_that_changes_the_shape_of_w_is_told_so_not_a_numpy_error():
    def grows(w, dw, config=None):
        next_w, config = optim.adam(w, dw, config)
        return (next_w if config["t"] < 6 else np.append(next_w, 0.0)), config

    verdict = check("adam", grows)
    assert verdict.status == "wrong"
    assert "next_w has shape (13,), expected (3, 4) after update 6" in verdict.message


def test_adam_that_returns_one_value_is_wrong_not_a_crash():
    verdict = check("adam", lambda w, dw, config=None: optim.adam(w, dw, config)[0])
    assert verdict.status == "wrong" and "(next_w, config)" in verdict.message
