"""Reference implementations shared by the tests: independent forwards in autograd.numpy.

Written once here and used by every test that checks lstmlib against reverse-mode
autodiff (``autograd.grad`` of these forwards). They use nothing of lstmlib.
(``tests/independent_impls/`` is different on purpose: those implementations are
kept independent of lstmlib *and of each other*, repetition included.)
"""
import autograd.numpy as anp

SHAPES = [(1, 1, 1, 1), (2, 3, 4, 5), (3, 5, 2, 3), (4, 2, 6, 2)]  # (N, T, D, H)


def ag_sigmoid(a):
    return 0.5 * (anp.tanh(0.5 * a) + 1.0)


def ag_lstm(x, h0, c0, Wx, Wh, b, p=None, eps_h=None, eps_c=None):
    """h (N, T, H) of an LSTM (gate order i, f, o, g), optionally with peepholes p (3, H).

    eps_h, eps_c: (N, T, H) perturbations added to every h_t and c_t, so that
    the gradient with respect to them is the total dL/dh_t, dL/dc_t.
    """
    H = h0.shape[1]
    h, c, hs = h0, c0, []
    for t in range(x.shape[1]):
        a = anp.dot(x[:, t], Wx) + anp.dot(h, Wh) + b
        a_i, a_f, a_o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H]
        if p is not None:
            a_i, a_f = a_i + p[0] * c, a_f + p[1] * c
        i, f = ag_sigmoid(a_i), ag_sigmoid(a_f)
        g = anp.tanh(a[:, 3 * H:])
        c = f * c + i * g
        if eps_c is not None:
            c = c + eps_c[:, t]
        o = ag_sigmoid(a_o + p[2] * c if p is not None else a_o)
        h = o * anp.tanh(c)
        if eps_h is not None:
            h = h + eps_h[:, t]
        hs.append(h)
    return anp.stack(hs, axis=1)


def ag_rnn(x, h0, Wx, Wh, b, eps_h=None):
    """h (N, T, H) of a tanh RNN; eps_h: (N, T, H) perturbations added to every h_t."""
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = anp.tanh(anp.dot(x[:, t], Wx) + anp.dot(h, Wh) + b)
        if eps_h is not None:
            h = h + eps_h[:, t]
        hs.append(h)
    return anp.stack(hs, axis=1)
