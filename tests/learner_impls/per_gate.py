"""Per-gate weights as the textbooks write them: W_i, W_f, W_o, W_g acting on the column
[h; x], one bias per gate; and PyTorch's weight_ih / weight_hh with gates i, f, g, o."""
import numpy as np


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def cell_forward(x, h, c, W, bias):
    z = np.vstack([h.T, x.T])  # a column per example: [h; x]
    i = sigma(W["Wi"] @ z + bias["bi"][:, None])
    f = sigma(W["Wf"] @ z + bias["bf"][:, None])
    o = sigma(W["Wo"] @ z + bias["bo"][:, None])
    g = np.tanh(W["Wg"] @ z + bias["bg"][:, None])
    c_new = f * c.T + i * g
    h_new = o * np.tanh(c_new)
    return h_new.T, c_new.T, {"z": z, "c": c.T, "i": i, "f": f, "o": o, "g": g, "cn": c_new,
                              "W": W, "H": h.shape[1], "bias": bias}


def make_cell_backward(bug=None):
    def cell_backward(dh, dc, k):
        dh, dc = dh.T, dc.T
        tc = np.tanh(k["cn"])
        dcn = dc + dh * k["o"] * (1 - tc ** 2)
        e = {"Wi": dcn * k["g"] * k["i"] * (1 - k["i"]),
             "Wf": dcn * k["c"] * k["f"] * (1 - k["f"]),
             "Wo": dh * tc * k["o"] * (1 - k["o"]),
             "Wg": dcn * k["i"] * (1 - k["g"] ** 2)}
        dz = sum(k["W"][n].T @ e[n] for n in e)
        H = k["H"]
        dW = {n: e[n] @ k["z"].T for n in e}
        dbias = {"b" + n[1]: e[n].sum(axis=1) for n in e}
        if bug == "db_sigmoid_b":
            dbias = {n: v * sigma(k["bias"][n]) for n, v in dbias.items()}
        dprev_c = dcn if bug == "no_forget" else dcn * k["f"]
        return dz[H:].T, dz[:H].T, dprev_c.T, dW, dbias
    return cell_backward


def torch_forward(x, h, c, w_ih, w_hh, bias):
    gates = x @ w_ih.T + h @ w_hh.T + bias
    i, f, g, o = np.split(gates, 4, axis=1)  # PyTorch's chunk order
    i, f, g, o = sigma(i), sigma(f), np.tanh(g), sigma(o)
    c2 = f * c + i * g
    return o * np.tanh(c2), c2, (x, h, c, w_ih, w_hh, i, f, g, o, c2)


def make_torch_backward(bug=None):
    def torch_backward(dh, dc, saved):
        x, h, c, w_ih, w_hh, i, f, g, o, c2 = saved
        t = np.tanh(c2)
        slope = (1 - c2 ** 2) if bug == "tanh_at_c" else (1 - t ** 2)
        dc2 = dc + dh * o * slope
        dgates = np.hstack([dc2 * g * i * (1 - i), dc2 * c * f * (1 - f),
                            dc2 * i * (1 - g ** 2), dh * t * o * (1 - o)])
        return (dgates @ w_ih, dgates @ w_hh, dc2 * f, dgates.T @ x, dgates.T @ h,
                dgates.sum(axis=0))
    return torch_backward


CASES = [("correct", None, None), ("db_sigmoid_b", "db_sigmoid_b", "bias_grad_scaled_by_sigmoid"),
         ("no_forget", "no_forget", "missing_forget_in_dprev_c")]
TORCH_CASES = [("correct", None, None), ("tanh_at_c", "tanh_at_c", "tanh_grad_at_preactivation")]
