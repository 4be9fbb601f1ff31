"""Chapter 7's coding exercises: find the bug in a gallery backward, and write a loss.

``mystery_backward`` is a time loop with one of the gallery's mistakes in it; the
reader finds it (with the diagnoser, as chapter 7 teaches) and writes the fixed
version. The loss exercise asks for ``softmax_loss(x, y)`` with the convention of
lstmlib and the course: the mean over the batch, with the gradient of that mean.
Both are checked by the clinic's diagnosers, which name a catalogued mistake and
say which convention a loss uses.
"""
import numpy as np

from ...activations import dsigmoid_from_output, dtanh_from_output
from ...diagnose import diagnose_loss, loss_probe
from . import exercise, from_diagnosis, from_loss_convention, from_sequence_diagnosis


def mystery_backward(dh, caches):
    """A time loop for ``lstm.lstm_forward_loop`` with one mistake of the gallery in it.

    dh: (N, T, H); caches: the T step caches. Returns dx (N, T, D), dh0 (N, H),
    dWx (D, 4H), dWh (H, 4H), db (4H,).
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
        c = f * step.prev_c + i * g  # c_t, as the forward computed it
        dnext_h = dh[:, t] + dprev_h
        dc = dprev_c + dnext_h * o * dtanh_from_output(tanh_c)
        da_i = dc * g * dsigmoid_from_output(i)
        da_f = dc * c * dsigmoid_from_output(f)
        da_o = dnext_h * tanh_c * dsigmoid_from_output(o)
        da_g = dc * i * dtanh_from_output(g)
        da = np.concatenate([da_i, da_f, da_o, da_g], axis=1)
        dx[t] = da @ step.Wx.T
        dprev_h = da @ step.Wh.T
        dprev_c = dc * f
        dWx += step.x.T @ da
        dWh += step.prev_h.T @ da
        db += da.sum(axis=0)
    return np.stack(dx, axis=1), dprev_h, dWx, dWh, db


@exercise("gallery-mystery-backward", chapter=7, section="clinic-gallery")
def check_mystery_backward(lstm_backward):
    """lstm_backward(dh, caches) -> dx, dh0, dWx, dWh, db, for lstm_forward_loop's caches."""
    return from_sequence_diagnosis(lstm_backward)


@exercise("softmax-loss-mean", chapter=7, section="clinic-own-code")
def check_softmax_loss(softmax_loss):
    """softmax_loss(x, y) -> loss, dx, for scores x (N, C), labels y (N,); mean over N."""
    x, y = loss_probe()
    softmax_loss(x.copy(), y.copy())  # an untouched stub stops here
    diagnosis = diagnose_loss(softmax_loss)
    if not diagnosis.ok:
        return from_diagnosis(diagnosis)
    return from_loss_convention(diagnosis, "the loss is the mean over N, dx is its "
                                "gradient, and the diagnoser sees no mistake.")
