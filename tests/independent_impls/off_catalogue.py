"""Mistakes that are not in the catalogue, and wrong forward passes."""
import numpy as np


def sg(z):
    return 1 / (1 + np.exp(-z))


def fwd(x, prev_h, prev_c, Wx, Wh, b, h_without_tanh=False):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o, g = sg(a[:, :H]), sg(a[:, H:2 * H]), sg(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])
    c = f * prev_c + i * g
    h = o * c if h_without_tanh else o * np.tanh(c)
    return h, c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, c)


def bwd(dh, dc, cache, bug=None):
    x, ph, pc, Wx, Wh, i, f, o, g, c = cache
    tc = np.tanh(c)
    dct = dc + dh * o * (1 - tc * tc)
    dg_pre = dct * i * (g * (1 - g) if bug == "g_as_sigmoid" else (1 - g * g))
    da = np.hstack([dct * g * i * (1 - i), dct * pc * f * (1 - f), dh * tc * o * (1 - o), dg_pre])
    dWx = x.T @ da
    if bug == "double_dWx":
        dWx = 2 * dWx
    return da @ Wx.T, da @ Wh.T, dct * f, dWx, ph.T @ da, da.sum(0)


def seq_fwd(x, h0, Wx, Wh, b, c_starts_at_one=False):
    N, T, _ = x.shape
    h, c = h0, (np.ones_like(h0) if c_starts_at_one else np.zeros_like(h0))
    hs, cs = [], []
    for t in range(T):
        h, c, k = fwd(x[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(k)
    return np.stack(hs, 1), cs


def seq_bwd(dh, cs, bug=None):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cs[0][0].shape[1]))
    tot = [0, 0, 0]
    dhn, dcn = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        scale = 0.5 if (bug == "halve_carry" and t < T - 1) else 1.0
        out = bwd(dh[:, t] + scale * dhn, dcn, cs[t])
        dx[:, t], dhn, dcn = out[:3]
        tot = [a + b for a, b in zip(tot, out[3:])]
    return (dx, dhn, *tot)


IMPLEMENTATIONS = [
    dict(name="g_as_sigmoid", kind="step",
         functions=(fwd, lambda a, b, c: bwd(a, b, c, "g_as_sigmoid")), expect="unknown"),
    dict(name="double_dWx", kind="step",
         functions=(fwd, lambda a, b, c: bwd(a, b, c, "double_dWx")), expect="unknown"),
    dict(name="h_without_tanh", kind="step",
         functions=(lambda *a: fwd(*a, h_without_tanh=True), bwd), expect="forward"),
    dict(name="seq_halve_carry", kind="sequence",
         functions=(seq_fwd, lambda dh, cs: seq_bwd(dh, cs, "halve_carry")), expect="unknown"),
    dict(name="seq_c_starts_at_one", kind="sequence",
         functions=(lambda *a: seq_fwd(*a, c_starts_at_one=True), seq_bwd), expect="forward"),
]
