"""Derivatives from cached pre-activations, keepdims biases, lists; and two mistakes at once."""
import numpy as np


def logistic(a):
    return np.exp(-np.logaddexp(0.0, -a))


def step_fwd(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    pre = x @ Wx + h @ Wh + b[None, :]
    ai, af, ao, ag = np.split(pre, 4, axis=1)
    c_new = logistic(af) * c + logistic(ai) * np.tanh(ag)
    h_new = logistic(ao) * np.tanh(c_new)
    return h_new, c_new, {"pre": pre, "x": x, "h": h, "c": c, "c_new": c_new, "W": (Wx, Wh),
                          "H": H}


def step_bwd(dh, dc, k):
    ai, af, ao, ag = np.split(k["pre"], 4, axis=1)
    i, f, o, g = logistic(ai), logistic(af), logistic(ao), np.tanh(ag)
    # derivatives recomputed from the pre-activations, sigmoid'(a) = s(a) s(-a)
    dsig = [logistic(a) * logistic(-a) for a in (ai, af, ao)]
    dtanh_g = 1 / np.cosh(ag) ** 2
    dc_total = dc + dh * o / np.cosh(k["c_new"]) ** 2
    dpre = np.concatenate([dc_total * g * dsig[0], dc_total * k["c"] * dsig[1],
                           dh * np.tanh(k["c_new"]) * dsig[2], dc_total * i * dtanh_g], axis=1)
    Wx, Wh = k["W"]
    return [dpre @ Wx.T, dpre @ Wh.T, dc_total * f, k["x"].T @ dpre, k["h"].T @ dpre,
            dpre.sum(axis=0, keepdims=True)]


def seq_fwd(x, h0, Wx, Wh, b):
    h, c = h0, np.zeros_like(h0)
    out, ks = [], []
    for t in range(x.shape[1]):
        h, c, k = step_fwd(x[:, t], h, c, Wx, Wh, b)
        out.append(h)
        ks.append(k)
    return np.stack(out, axis=1), ks


def seq_bwd_post_style(dh, ks):
    # two of the first post's mistakes together: 1 - c**2, and ones at t = 0
    N, T, H = dh.shape
    Wx, Wh = ks[0]["W"]
    dx = np.zeros((N, T, Wx.shape[0]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    est, ect = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        k = ks[t]
        h_prev = k["h"] if t > 0 else np.ones((N, H))
        c_prev = k["c"] if t > 0 else np.ones((N, H))
        ai, af, ao, ag = np.split(k["pre"], 4, axis=1)
        i, f, o, g = logistic(ai), logistic(af), logistic(ao), np.tanh(ag)
        e = dh[:, t] + est
        beta_o = e * np.tanh(k["c_new"]) * o * (1 - o)
        e = e * o * (1 - k["c_new"] ** 2) + ect
        dpre = np.concatenate([e * g * i * (1 - i), e * c_prev * f * (1 - f), beta_o,
                               e * i * (1 - g ** 2)], axis=1)
        dx[:, t] = dpre @ Wx.T
        est = dpre @ Wh.T
        ect = e * f
        dWx += k["x"].T @ dpre
        dWh += h_prev.T @ dpre
        db += dpre.sum(0)
    return dx, est, dWx, dWh, db


def seq_bwd(dh, ks):
    N, T, H = dh.shape
    grads = None
    dx = []
    dh_carry, dc_carry = 0 * dh[:, 0], 0 * dh[:, 0]
    for t in reversed(range(T)):
        g = step_bwd(dh[:, t] + dh_carry, dc_carry, ks[t])
        dx.insert(0, g[0])
        dh_carry, dc_carry = g[1], g[2]
        grads = g[3:] if grads is None else [a + b for a, b in zip(grads, g[3:])]
    return [np.stack(dx, axis=1), dh_carry] + grads


def loss_sum_grad_mean(scores, y):
    z = scores - scores.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    d = np.exp(logp)
    d[np.arange(len(y)), y] -= 1
    return -logp[np.arange(len(y)), y].sum(), d / len(y)


IMPLEMENTATIONS = [
    dict(name="step", kind="step", functions=(step_fwd, step_bwd), expect=None),
    dict(name="seq", kind="sequence", functions=(seq_fwd, seq_bwd), expect=None),
    dict(name="seq_post_style", kind="sequence", functions=(seq_fwd, seq_bwd_post_style),
         expect=("ones_initial_state", "tanh_grad_at_preactivation")),
    dict(name="loss_sum_grad_mean", kind="loss", functions=(loss_sum_grad_mean,),
         expect="unknown"),
]
