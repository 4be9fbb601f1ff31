"""Everything as explicit Python loops over examples and units: slow, but plain."""
import math

import numpy as np


def logistic(v):
    return 1.0 / (1.0 + math.exp(-v))


def cell_forward(x, prev_h, prev_c, Wx, Wh, b):
    N, D = x.shape
    H = prev_h.shape[1]
    next_h = np.zeros((N, H))
    next_c = np.zeros((N, H))
    gates = np.zeros((N, 4, H))
    for n in range(N):
        for j in range(H):
            pre = [b[k * H + j] + sum(x[n, d] * Wx[d, k * H + j] for d in range(D))
                   + sum(prev_h[n, m] * Wh[m, k * H + j] for m in range(H)) for k in range(4)]
            i, f, o = logistic(pre[0]), logistic(pre[1]), logistic(pre[2])
            g = math.tanh(pre[3])
            next_c[n, j] = f * prev_c[n, j] + i * g
            next_h[n, j] = o * math.tanh(next_c[n, j])
            gates[n, :, j] = (i, f, o, g)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, gates, next_c)


def cell_backward(dnext_h, dnext_c, cache, bug=None):
    x, prev_h, prev_c, Wx, Wh, gates, next_c = cache
    N, D = x.shape
    H = prev_h.shape[1]
    dx, dprev_h = np.zeros_like(x), np.zeros_like(prev_h)
    dprev_c = np.zeros_like(prev_c)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    for n in range(N):
        for j in range(H):
            i, f, o, g = gates[n, :, j]
            tc = math.tanh(next_c[n, j])
            dc = dnext_c[n, j]
            if bug != "no_h_path":
                dc += dnext_h[n, j] * o * (1 - tc * tc)
            dpre = [dc * g * i * (1 - i), dc * prev_c[n, j] * f * (1 - f),
                    dnext_h[n, j] * tc * o * (1 - o), dc * i * (1 - g * g)]
            dprev_c[n, j] = dc * f
            for k in range(4):
                col = k * H + j
                db[col] += dpre[k] / N if bug == "mean_bias" else dpre[k]
                for d in range(D):
                    dx[n, d] += dpre[k] * Wx[d, col]
                    dWx[d, col] += x[n, d] * dpre[k]
                for m in range(H):
                    dprev_h[n, m] += dpre[k] * Wh[m, col]
                    dWh[m, col] += prev_h[n, m] * dpre[k]
    return dx, dprev_h, dprev_c, dWx, dWh, db


IMPLEMENTATIONS = [
    dict(name="step", kind="step", functions=(cell_forward, cell_backward), expect=None),
    dict(name="step_no_h_path", kind="step",
         functions=(cell_forward, lambda a, b, c: cell_backward(a, b, c, "no_h_path")),
         expect="cell_grad_missing_h_path"),
    dict(name="step_mean_bias", kind="step",
         functions=(cell_forward, lambda a, b, c: cell_backward(a, b, c, "mean_bias")),
         expect="bias_grad_averaged"),
]
