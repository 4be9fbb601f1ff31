"""Chapter 4's exercise checks: a right answer is "correct" and known-wrong answers
"wrong", naming the mistake (an untouched stub: tests/test_exercises.py)."""
import numpy as np

from lstmlib import layers, lstm, tbptt
from lstmlib.book.exercises import ch04, check  # noqa: F401 (registers)
from lstmlib.book.exercises.ch04 import buggy_lstm_backward
from lstmlib.diagnose import variants


def test_right_answers_are_correct():
    assert check("tbptt-backward", tbptt.tbptt_backward, must_pass=True).ok
    assert check("last-step-backward", layers.last_step_backward, must_pass=True).ok
    assert check("fix-lstm-backward", lstm.lstm_backward_loop, must_pass=True).ok


def windows_backward(dh, cache, carry=False, assign=False):
    """Window by window, last window first; optionally with a known mistake."""
    k = cache.k
    dxs, dprev_h, dprev_c = [], None, None
    dWx = dWh = db = 0
    for j in reversed(range(len(cache.windows))):
        window_dh = dh[:, j * k:(j + 1) * k].copy()
        if carry and dprev_h is not None:
            window_dh[:, -1] += dprev_h
        dx, dprev_h, dprev_c, dWx_j, dWh_j, db_j = lstm.lstm_backward_with_state(
            window_dh, cache.windows[j], dc_last=dprev_c if carry else None)
        if assign:
            dWx, dWh, db = dWx_j, dWh_j, db_j
        else:
            dWx, dWh, db = dWx + dWx_j, dWh + dWh_j, db + db_j
        dxs.insert(0, dx)
    return np.concatenate(dxs, axis=1), dprev_h, dWx, dWh, db


def test_tbptt_mistakes_are_named():
    assert check("tbptt-backward", windows_backward).ok
    crossing = check("tbptt-backward", lambda dh, c: windows_backward(dh, c, carry=True))
    assert crossing.status == "wrong" and "full BPTT" in crossing.message
    one = check("tbptt-backward", lambda dh, c: windows_backward(dh, c, assign=True))
    assert one.status == "wrong" and "every window's share" in one.message


def test_many_to_one_mistakes_are_named():
    every = check("last-step-backward",
                  variants.last_step_backward("many_to_one_grad_at_every_step"))
    assert every.status == "wrong" and every.mistakes == ("many_to_one_grad_at_every_step",)

    def at_first_step(dlast, cache):
        dh = np.zeros(cache.shape)
        dh[:, 0] = dlast
        return dh
    first = check("last-step-backward", at_first_step)
    assert first.status == "wrong" and "t = 0, 4" in first.message


def test_the_bugs_to_find_are_named_and_fixing_one_leaves_the_other():
    both = check("fix-lstm-backward", buggy_lstm_backward)
    assert both.status == "wrong"
    assert set(both.mistakes) == {"dropped_recurrent_c_grad",
                                  "weight_grads_assigned_not_accumulated"}

    def half_fixed(dh, caches):   # carries dprev_c, still assigns the weight gradients
        dprev_h = np.zeros_like(caches[0].prev_h)
        dprev_c = np.zeros_like(caches[0].prev_c)
        dxs = []
        for t in reversed(range(len(caches))):
            dx_t, dprev_h, dprev_c, dWx, dWh, db = lstm.lstm_step_backward(
                dh[:, t] + dprev_h, dprev_c, caches[t])
            dxs.append(dx_t)
        return np.stack(dxs[::-1], axis=1), dprev_h, dWx, dWh, db
    left = check("fix-lstm-backward", half_fixed)
    assert left.mistakes == ("weight_grads_assigned_not_accumulated",)

