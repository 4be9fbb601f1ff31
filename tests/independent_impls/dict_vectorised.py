"""Dict caches, input projections for all steps in one product, a da array over time."""
import numpy as np


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = Wh.shape[0]
    xw = np.einsum("ntd,dk->ntk", x, Wx) + b
    hs = np.zeros((N, T + 1, H))
    cs = np.zeros((N, T + 1, H))
    hs[:, 0] = h0
    acts = np.zeros((N, T, 4 * H))
    for t in range(T):
        z = xw[:, t] + hs[:, t] @ Wh
        acts[:, t, :3 * H] = _sigmoid(z[:, :3 * H])
        acts[:, t, 3 * H:] = np.tanh(z[:, 3 * H:])
        i, f, o, g = (acts[:, t, k * H:(k + 1) * H] for k in range(4))
        cs[:, t + 1] = f * cs[:, t] + i * g
        hs[:, t + 1] = o * np.tanh(cs[:, t + 1])
    return hs[:, 1:], {"x": x, "hs": hs, "cs": cs, "acts": acts, "Wx": Wx, "Wh": Wh}


def lstm_backward(dh, cache, bug=None):
    x, hs, cs, acts = cache["x"], cache["hs"], cache["cs"], cache["acts"]
    Wx, Wh = cache["Wx"], cache["Wh"]
    N, T, H = dh.shape
    dz = np.zeros_like(acts)
    carry_h = np.zeros((N, H))
    carry_c = np.zeros((N, H))
    times = range(T) if bug == "forward_loop" else range(T - 1, -1, -1)
    for t in times:
        i, f, o, g = (acts[:, t, k * H:(k + 1) * H] for k in range(4))
        c_now, c_before = cs[:, t + 1], cs[:, t]
        tc = np.tanh(c_now)
        gh = dh[:, t] + carry_h
        if bug == "no_c_carry":
            carry_c = np.zeros((N, H))
        gc = carry_c + gh * o * (1 - tc * tc)
        grad_i = gc * g * i * (1 - i)
        grad_f = gc * (c_now if bug == "f_sees_new_c" else c_before) * f * (1 - f)
        grad_o = gh * tc * o * (1 - o)
        grad_g = gc * i * (1 - g * g)
        if bug == "swap":
            dz[:, t] = np.concatenate([grad_f, grad_i, grad_o, grad_g], axis=1)
        else:
            dz[:, t] = np.concatenate([grad_i, grad_f, grad_o, grad_g], axis=1)
        carry_h = dz[:, t] @ Wh.T
        carry_c = gc * f
    dx = np.einsum("ntk,dk->ntd", dz, Wx)
    dWx = np.einsum("ntd,ntk->dk", x, dz)
    h_in = hs[:, 1:] if bug == "h_t_in_dWh" else hs[:, :-1]
    dWh = np.einsum("nth,ntk->hk", h_in, dz)
    return dx, carry_h, dWx, dWh, dz.sum(axis=(0, 1))


def _with(bug):
    return lambda dh, cache: lstm_backward(dh, cache, bug)


IMPLEMENTATIONS = [
    dict(name="correct", kind="sequence", functions=(lstm_forward, lstm_backward), expect=None),
    dict(name="swap", kind="sequence", functions=(lstm_forward, _with("swap")),
         expect="gate_blocks_swapped"),
    dict(name="h_t_in_dWh", kind="sequence", functions=(lstm_forward, _with("h_t_in_dWh")),
         expect="recurrent_weight_grad_uses_h_t"),
    dict(name="forward_loop", kind="sequence", functions=(lstm_forward, _with("forward_loop")),
         expect="backward_loop_runs_forward_in_time"),
    dict(name="no_c_carry", kind="sequence", functions=(lstm_forward, _with("no_c_carry")),
         expect="dropped_recurrent_c_grad"),
    dict(name="f_sees_new_c", kind="sequence", functions=(lstm_forward, _with("f_sees_new_c")),
         expect="forget_grad_uses_new_cell"),
]
