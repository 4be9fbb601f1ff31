"""Explicit per-gate matrices (Wxi, Whi, ...) and float32 arithmetic throughout."""
import numpy as np

F = np.float32
GATES = "ifog"


def _unstack(Wx, Wh, b):
    H = Wh.shape[0]
    p = {}
    for k, gname in enumerate(GATES):
        s = slice(k * H, (k + 1) * H)
        p["Wx" + gname] = Wx[:, s].astype(F)
        p["Wh" + gname] = Wh[:, s].astype(F)
        p["b" + gname] = b[s].astype(F)
    return p


def _sigm(z):
    return F(1) / (F(1) + np.exp(-z))


def step_forward(x, prev_h, prev_c, Wx, Wh, b):
    p = _unstack(Wx, Wh, b)
    x, prev_h, prev_c = x.astype(F), prev_h.astype(F), prev_c.astype(F)
    pre = {gname: x @ p["Wx" + gname] + prev_h @ p["Wh" + gname] + p["b" + gname]
           for gname in GATES}
    gate = {gname: _sigm(pre[gname]) for gname in "ifo"}
    gate["g"] = np.tanh(pre["g"])
    c = gate["f"] * prev_c + gate["i"] * gate["g"]
    h = gate["o"] * np.tanh(c)
    return h, c, dict(p=p, x=x, prev_h=prev_h, prev_c=prev_c, c=c, **gate)


def _step_backward(dh, dc_next, k, bug=None):
    dh, dc_next = dh.astype(F), dc_next.astype(F)
    p, i, f, o, g = k["p"], k["i"], k["f"], k["o"], k["g"]
    tc = np.tanh(k["c"])
    dc = dc_next + dh * o * (F(1) - tc * tc)
    if bug == "sigmoid_twice":
        def sd(y):
            s = _sigm(y)
            return s * (1 - s)
    else:
        def sd(y):
            return y * (1 - y)
    dpre = {"i": dc * g * sd(i), "f": dc * k["prev_c"] * sd(f), "o": dh * tc * sd(o),
            "g": dc * i * (F(1) - g * g)}
    dx = np.zeros_like(k["x"])
    dprev_h = np.zeros_like(k["prev_h"])
    grads = {}
    for gname in GATES:
        if bug != "only_o_sent_back" or gname == "o":
            dx += dpre[gname] @ p["Wx" + gname].T
            dprev_h += dpre[gname] @ p["Wh" + gname].T
        grads["Wx" + gname] = k["x"].T @ dpre[gname]
        if bug == "dWh_transposed":
            grads["Wh" + gname] = dpre[gname].T @ k["prev_h"]
        else:
            grads["Wh" + gname] = k["prev_h"].T @ dpre[gname]
        grads["b" + gname] = dpre[gname].sum(axis=0)
    dWx = np.concatenate([grads["Wx" + gname] for gname in GATES], axis=1)
    dWh = np.concatenate([grads["Wh" + gname] for gname in GATES], axis=1)
    db = np.concatenate([grads["b" + gname] for gname in GATES])
    return dx, dprev_h, dc * f, dWx, dWh, db


def step_backward(dh, dc_next, k):
    return _step_backward(dh, dc_next, k)


def _with(bug):
    return lambda dh, dc_next, k: _step_backward(dh, dc_next, k, bug)


def seq_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h, c = h0, np.zeros_like(h0)
    hs, ks = [], []
    for t in range(T):
        h, c, k = step_forward(x[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        ks.append(k)
    return np.stack(hs, 1), ks


def seq_backward(dh, ks):
    N, T, H = dh.shape
    dx = np.zeros((N, T, ks[0]["x"].shape[1]), F)
    dWx = dWh = db = 0
    dh_next = np.zeros((N, H), F)
    dc_next = np.zeros((N, H), F)
    for t in reversed(range(T)):
        dx[:, t], dh_next, dc_next, a, b_, c = step_backward(dh[:, t] + dh_next, dc_next, ks[t])
        dWx, dWh, db = dWx + a, dWh + b_, db + c
    return dx, dh_next, dWx, dWh, db


def seq_backward_with_f_twice(dh, ks):
    # sequence version of a step mistake: the f gate's derivative uses sigmoid(f)
    N, T, H = dh.shape
    dx = np.zeros((N, T, ks[0]["x"].shape[1]), F)
    dWx = dWh = db = 0
    dh_next = np.zeros((N, H), F)
    dc_next = np.zeros((N, H), F)
    for t in reversed(range(T)):
        dx[:, t], dh_next, dc_next, a, b_, c = _step_backward(dh[:, t] + dh_next, dc_next, ks[t],
                                                              "sigmoid_twice")
        dWx, dWh, db = dWx + a, dWh + b_, db + c
    return dx, dh_next, dWx, dWh, db


IMPLEMENTATIONS = [
    dict(name="step", kind="step", functions=(step_forward, step_backward), expect=None),
    dict(name="step_dWh_transposed", kind="step", functions=(step_forward, _with("dWh_transposed")),
         expect="recurrent_weight_blocks_transposed"),
    dict(name="step_only_o_sent_back", kind="step",
         functions=(step_forward, _with("only_o_sent_back")),
         expect="cell_error_is_output_gate_error"),
    dict(name="step_sigmoid_twice", kind="step", functions=(step_forward, _with("sigmoid_twice")),
         expect="sigmoid_grad_applied_twice"),
    dict(name="seq", kind="sequence", functions=(seq_forward, seq_backward), expect=None),
    dict(name="seq_sigmoid_twice", kind="sequence",
         functions=(seq_forward, seq_backward_with_f_twice), expect="sigmoid_grad_applied_twice"),
]
