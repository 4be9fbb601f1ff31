"""Chapter 6's coding exercises: fix the first post's backward, and the second post's rules.

Each exercise hands the reader a backward pass that makes the post's mistakes
(``first_post_backward``, ``second_post_step_backward``; the chapter shows their
source) and asks for the fixed version in the same signature. The check runs the
reader's function through the clinic's diagnoser, which names every catalogued
mistake that is still there (with the section that explains it), or says that
nothing is left.
"""
import numpy as np

from ...activations import dsigmoid_from_output, dtanh_from_output, sigmoid
from ...diagnose import diagnose_step, mistakes, step_probe
from . import exercise, from_diagnosis, from_sequence_diagnosis


def first_post_backward(dh, caches):
    """The first post's time loop, as the learner last ran it (``est`` taken out).

    dh: (N, T, H), the upstream gradient of every h_t; caches: the T step caches
    of ``lstm.lstm_forward_loop``. Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H),
    dWh (H, 4H), db (4H,). Three lines are wrong: M1, M3 and the missing est.
    """
    T = len(caches)
    dWx, dWh = np.zeros_like(caches[0].Wx), np.zeros_like(caches[0].Wh)
    db = np.zeros(dWx.shape[1])
    dx = [None] * T
    dprev_h = np.zeros_like(caches[0].prev_h)
    dprev_c = np.zeros_like(caches[0].prev_c)
    for t in reversed(range(T)):
        step = caches[t]
        i, f, o, g, tanh_c = step.i, step.f, step.o, step.g, step.tanh_c
        c = f * step.prev_c + i * g
        prev_h, prev_c = step.prev_h, step.prev_c
        if t == 0:  # the post: "the states before the first step are ones"
            prev_h, prev_c = np.ones_like(prev_h), np.ones_like(prev_c)
        dnext_h = dh[:, t]  # the post, with est taken out
        do = dnext_h * tanh_c
        dc = dprev_c + dnext_h * o * dtanh_from_output(c)  # the post's slope of tanh
        da = np.concatenate([dc * g * dsigmoid_from_output(i),
                             dc * prev_c * dsigmoid_from_output(f),
                             do * dsigmoid_from_output(o),
                             dc * i * dtanh_from_output(g)], axis=1)
        dx[t] = da @ step.Wx.T
        dprev_h = da @ step.Wh.T
        dprev_c = dc * f
        dWx += step.x.T @ da
        dWh += prev_h.T @ da
        db += da.sum(axis=0)
    return np.stack(dx, axis=1), dprev_h, dWx, dWh, db


def second_post_step_backward(dnext_h, dnext_c, cache):
    """One step backward with the second post's three guessed rules, in a plain cell.

    cache: from ``lstmlib.diagnose.mistakes.step_forward`` (lstmlib's step cache plus
    the bias ``b`` and ``next_c``). Returns dx, dprev_h, dprev_c, dWx, dWh, db in the
    classic order. Each gate is treated as a lone neuron: three lines are wrong.
    """
    i, f, o, g, tanh_c = cache.i, cache.f, cache.o, cache.g, cache.tanh_c
    H = i.shape[1]
    do = dnext_h  # the post: the output gate's error is the hidden state's error
    dc = dnext_c + dnext_h * o * dtanh_from_output(tanh_c)
    da = np.concatenate([dc * g * dsigmoid_from_output(i),
                         dc * cache.prev_c * dsigmoid_from_output(f),
                         do * dsigmoid_from_output(o),
                         dc * i * dtanh_from_output(g)], axis=1)
    sent = np.zeros_like(da)  # the post: the error sent back is the output gate's
    sent[:, 2 * H:3 * H] = da[:, 2 * H:3 * H]
    dx = sent @ cache.Wx.T
    dprev_h = sent @ cache.Wh.T
    dprev_c = dc * f
    dWx = cache.x.T @ da
    dWh = cache.prev_h.T @ da
    db = da.sum(axis=0) * sigmoid(cache.b)  # the post: a bias's input is sigmoid(bias)
    return dx, dprev_h, dprev_c, dWx, dWh, db


@exercise("first-post-backward", chapter=6, section="clinic-first-post")
def check_first_post_backward(lstm_backward):
    """lstm_backward(dh, caches) -> dx, dh0, dWx, dWh, db, for lstm_forward_loop's caches."""
    return from_sequence_diagnosis(lstm_backward)


@exercise("second-post-step-backward", chapter=6, section="clinic-peephole")
def check_second_post_step_backward(lstm_step_backward):
    """lstm_step_backward(dnext_h, dnext_c, cache) for mistakes.step_forward's cache."""
    inputs, upstream = step_probe()
    _, _, cache = mistakes.step_forward(*inputs.values())
    lstm_step_backward(*(u.copy() for u in upstream), cache)  # an untouched stub stops here
    return from_diagnosis(diagnose_step(mistakes.step_forward, lstm_step_backward))
