"""The first post's C++ char model, ported line by line: loops over t, a dict per step.

``make_backward(bugs)`` returns the learner's sequence backward with any of:
  "tanh_c"   tanh' taken at c:            dc += dh * o * (1 - c*c)
  "ones"     h(-1) = c(-1) = 1 in the backward
  "no_est"   the recurrent term est removed: each step sees only dh[t]
  "no_f"     dc_prev = dc (no forget gate)
  "db_mean"  the bias gradient averaged over the batch
"""
import numpy as np


def sg(v):
    return 1.0 / (1.0 + np.exp(-v))


def forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h, c = h0, np.zeros_like(h0)
    steps, hs = [], []
    for t in range(T):
        net = x[:, t] @ Wx + h @ Wh + b
        ig, fg = sg(net[:, :H]), sg(net[:, H:2 * H])
        og, cell = sg(net[:, 2 * H:3 * H]), np.tanh(net[:, 3 * H:])
        cnew = fg * c + ig * cell
        hnew = og * np.tanh(cnew)
        steps.append({"x": x[:, t], "hp": h, "cp": c, "i": ig, "f": fg, "o": og, "g": cell,
                      "c": cnew})
        h, c = hnew, cnew
        hs.append(h)
    return np.stack(hs, axis=1), {"steps": steps, "Wx": Wx, "Wh": Wh}


def make_backward(bugs=()):
    bugs = set(bugs)

    def backward(dh, store):
        Wx, Wh, steps = store["Wx"], store["Wh"], store["steps"]
        N, T, H = dh.shape
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
        dx = np.zeros((N, T, Wx.shape[0]))
        est = np.zeros((N, H))       # the post's name for dL/dh_{t-1}
        dc_next = np.zeros((N, H))
        for t in range(T - 1, -1, -1):
            s = steps[t]
            hp, cp = s["hp"], s["cp"]
            if "ones" in bugs and t == 0:
                hp, cp = np.ones_like(hp), np.ones_like(cp)
            e = dh[:, t] if "no_est" in bugs else dh[:, t] + est
            tc = np.tanh(s["c"])
            d_o = e * tc * s["o"] * (1 - s["o"])
            slope = 1 - s["c"] * s["c"] if "tanh_c" in bugs else 1 - tc * tc
            dc = dc_next + e * s["o"] * slope
            d_i = dc * s["g"] * s["i"] * (1 - s["i"])
            d_f = dc * cp * s["f"] * (1 - s["f"])
            d_g = dc * s["i"] * (1 - s["g"] ** 2)
            dnet = np.hstack([d_i, d_f, d_o, d_g])
            dx[:, t] = dnet @ Wx.T
            dWx += s["x"].T @ dnet
            dWh += hp.T @ dnet
            db += dnet.mean(0) if "db_mean" in bugs else dnet.sum(0)
            est = dnet @ Wh.T
            dc_next = dc if "no_f" in bugs else dc * s["f"]
        return dx, est, dWx, dWh, db
    return backward


ID = {"tanh_c": "tanh_grad_at_preactivation", "ones": "ones_initial_state",
      "no_est": "dropped_recurrent_h_grad", "no_f": "missing_forget_in_dprev_c",
      "db_mean": "bias_grad_averaged"}

CASES = [
    ((), None),
    (("tanh_c", "ones", "no_est"), None),            # the post's est-removed backward
    (("tanh_c", "ones", "no_est", "no_f"), None),
    (("tanh_c", "ones", "no_est", "db_mean"), None),
    (("tanh_c", "no_f", "db_mean"), None),
    (("tanh_c", "ones"), None),
]
IMPLEMENTATIONS = [
    dict(name="+".join(bugs) or "correct", kind="sequence",
         functions=(forward, make_backward(bugs)),
         expect=tuple(sorted(ID[b] for b in bugs)) or None)
    for bugs, _ in CASES
]
