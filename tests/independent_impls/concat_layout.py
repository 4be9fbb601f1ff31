"""The first post's layout: one weight matrix per gate acting on v = [h_{t-1}, x_t].

The classic (Wx, Wh, b) arguments are regrouped into W_i, W_f, W_o, W_g, each
(H + D, H), on the way in, and the gradients regrouped on the way out.
"""
import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsig(y):      # takes the sigmoid's output
    return y * (1.0 - y)


def dtanh(y):     # takes the tanh's output
    return 1.0 - y * y


def split_params(Wx, Wh, b):
    H = Wh.shape[0]
    W = {}
    B = {}
    for k, name in enumerate("ifog"):
        cols = slice(k * H, (k + 1) * H)
        W[name] = np.vstack([Wh[:, cols], Wx[:, cols]])
        B[name] = b[cols]
    return W, B


def forward(x, h0, Wx, Wh, b):
    W, B = split_params(Wx, Wh, b)
    N, T, D = x.shape
    H = h0.shape[1]
    st, ct = h0, np.zeros((N, H))
    out = []
    hs = np.zeros((N, T, H))
    for t in range(T):
        v = np.hstack([st, x[:, t]])
        i = sig(v @ W["i"] + B["i"])
        f = sig(v @ W["f"] + B["f"])
        o = sig(v @ W["o"] + B["o"])
        g = np.tanh(v @ W["g"] + B["g"])
        ct = ct * f + g * i
        st = np.tanh(ct) * o
        out.append({"i": i, "f": f, "o": o, "g": g, "c": ct, "h": st, "v": v})
        hs[:, t] = st
    return hs, {"steps": out, "W": W, "h0": h0}


def backward_with(dh, cache, tanh_at_c=False, ones_at_start=False, o_without_tanh=False,
                  bias_times_sigmoid=False):
    steps, W = cache["steps"], cache["W"]
    N, T, H = dh.shape
    Dg = {k: np.zeros_like(W[k]) for k in W}
    DB = {k: np.zeros(H) for k in W}
    est = np.zeros((N, H))
    ect = np.zeros((N, H))
    dxs = np.zeros((N, T, W["i"].shape[0] - H))
    for n in range(T - 1, -1, -1):
        s = steps[n]
        if n > 0:
            ct1 = steps[n - 1]["c"]
            v = s["v"]
        elif ones_at_start:
            ct1 = np.ones((N, H))
            v = np.hstack([np.ones((N, H)), s["v"][:, H:]])
        else:
            ct1 = np.zeros((N, H))
            v = s["v"]
        e = dh[:, n] + est
        if o_without_tanh:
            beta_o = e * dsig(s["o"])
        else:
            beta_o = e * np.tanh(s["c"]) * dsig(s["o"])
        if tanh_at_c:
            e = e * s["o"] * dtanh(s["c"]) + ect
        else:
            e = e * s["o"] * dtanh(np.tanh(s["c"])) + ect
        betas = {"o": beta_o, "g": e * s["i"] * dtanh(s["g"]), "i": e * s["g"] * dsig(s["i"]),
                 "f": e * ct1 * dsig(s["f"])}
        est = np.zeros((N, H))
        dv = np.zeros_like(v)
        for k, beta in betas.items():
            Dg[k] += v.T @ beta
            DB[k] += beta.sum(0)
            dv += beta @ W[k].T
        est = dv[:, :H]
        dxs[:, n] = dv[:, H:]
        ect = e * s["f"]
    if bias_times_sigmoid:
        bias = cache["bias"]
        for k in DB:
            DB[k] = DB[k] * sig(bias[k])
    dWh = np.hstack([Dg[k][:H] for k in "ifog"])
    dWx = np.hstack([Dg[k][H:] for k in "ifog"])
    db = np.concatenate([DB[k] for k in "ifog"])
    return dxs, est, dWx, dWh, db


def forward_keep_bias(x, h0, Wx, Wh, b):
    h, cache = forward(x, h0, Wx, Wh, b)
    cache["bias"] = split_params(Wx, Wh, b)[1]
    return h, cache


def backward(dh, cache):
    return backward_with(dh, cache)


IMPLEMENTATIONS = [
    dict(name="correct", kind="sequence", functions=(forward, backward), expect=None),
    dict(name="tanh_at_c", kind="sequence",
         functions=(forward, lambda dh, c: backward_with(dh, c, tanh_at_c=True)),
         expect="tanh_grad_at_preactivation"),
    dict(name="ones_at_start", kind="sequence",
         functions=(forward, lambda dh, c: backward_with(dh, c, ones_at_start=True)),
         expect="ones_initial_state"),
    dict(name="o_without_tanh", kind="sequence",
         functions=(forward, lambda dh, c: backward_with(dh, c, o_without_tanh=True)),
         expect="output_gate_missing_tanh_c"),
    dict(name="bias_times_sigmoid", kind="sequence",
         functions=(forward_keep_bias, lambda dh, c: backward_with(dh, c, bias_times_sigmoid=True)),
         expect="bias_grad_scaled_by_sigmoid"),
]
