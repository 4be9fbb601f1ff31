"""Forwards that are wrong: the second post's tied peephole w.(x + c), unit by unit, and a
plain cell whose candidate uses a sigmoid on purpose; each with a backward that is the true
gradient of that forward, and one that is not."""
import numpy as np


def sig(z):
    return 1 / (1 + np.exp(-z))


# --- the tied peephole: every gate is sigmoid(sum_d w_dj * (x_d + c_j) + h-part + b) -----------

def tied_forward(x, prev_h, prev_c, Wx, Wh, b, p):
    N, D = x.shape
    H = prev_h.shape[1]
    col = lambda k: slice(k * H, (k + 1) * H)  # noqa: E731

    def gate(k, c):
        # x_t + c_t: the cell state added to every input, under the same weights
        z = np.zeros((N, H))
        for j in range(H):
            z[:, j] = ((x + c[:, j:j + 1]) * Wx[:, col(k)][:, j]).sum(axis=1)
        return z + prev_h @ Wh[:, col(k)] + b[col(k)]
    i = sig(gate(0, prev_c))
    f = sig(gate(1, prev_c))
    g = np.tanh(x @ Wx[:, col(3)] + prev_h @ Wh[:, col(3)] + b[col(3)])
    c = f * prev_c + i * g
    o = sig(gate(2, c))
    h = o * np.tanh(c)
    return h, c, dict(x=x, hp=prev_h, cp=prev_c, Wx=Wx, Wh=Wh, i=i, f=f, o=o, g=g, c=c, H=H)


def tied_backward(dh, dc_next, m, true_gradient=True):
    H, Wx, Wh = m["H"], m["Wx"], m["Wh"]
    i, f, o, g, c, cp = m["i"], m["f"], m["o"], m["g"], m["c"], m["cp"]
    s = Wx.sum(axis=0)  # the tied peephole weight of every unit: sum of its input weights
    s_i, s_f, s_o = s[:H], s[H:2 * H], s[2 * H:3 * H]
    t = np.tanh(c)
    da_o = dh * t * o * (1 - o)
    dc = dc_next + dh * o * (1 - t * t) + (da_o * s_o if true_gradient else 0)
    da_i = dc * g * i * (1 - i)
    da_f = dc * cp * f * (1 - f)
    da_g = dc * i * (1 - g * g)
    dcp = dc * f + da_i * s_i + da_f * s_f
    da = np.hstack([da_i, da_f, da_o, da_g])
    dWx = m["x"].T @ da
    # the tied path: Wx[:, gate j] also multiplies c_j
    dWx[:, :H] += (da_i * cp).sum(0)[None, :]
    dWx[:, H:2 * H] += (da_f * cp).sum(0)[None, :]
    dWx[:, 2 * H:3 * H] += (da_o * c).sum(0)[None, :]
    dp = np.zeros((3, H))  # p is not used
    return da @ Wx.T, da @ Wh.T, dcp, dWx, m["hp"].T @ da, da.sum(0), dp


def tied_backward_guessed(dh, dc_next, m):
    return tied_backward(dh, dc_next, m, true_gradient=False)


# --- a plain cell whose candidate is a sigmoid: wrong on purpose -------------------------------

def sigmoid_candidate_forward(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    i, f, o = sig(a[:, :H]), sig(a[:, H:2 * H]), sig(a[:, 2 * H:3 * H])
    g = sig(a[:, 3 * H:])  # should be tanh
    cn = f * c + i * g
    hn = o * np.tanh(cn)
    return hn, cn, (x, h, c, Wx, Wh, i, f, o, g, cn)


def _plain_backward(dh, dc, cache, dg_of):
    x, h, c, Wx, Wh, i, f, o, g, cn = cache
    t = np.tanh(cn)
    dcn = dc + dh * o * (1 - t ** 2)
    da = np.hstack([dcn * g * i * (1 - i), dcn * c * f * (1 - f), dh * t * o * (1 - o),
                    dcn * i * dg_of(g)])
    return da @ Wx.T, da @ Wh.T, dcn * f, x.T @ da, h.T @ da, da.sum(0)


def sigmoid_candidate_backward(dh, dc, cache):  # the true gradient of that forward
    return _plain_backward(dh, dc, cache, lambda g: g * (1 - g))


def tanh_candidate_backward(dh, dc, cache):  # the textbook backward: not that forward's gradient
    return _plain_backward(dh, dc, cache, lambda g: 1 - g ** 2)


IMPLEMENTATIONS = [
    dict(name="tied_true_backward", kind="peephole_step", functions=(tied_forward, tied_backward),
         expect="peephole_tied_to_input_weight", own=True),
    dict(name="tied_guessed_backward", kind="peephole_step",
         functions=(tied_forward, tied_backward_guessed), expect="peephole_tied_to_input_weight",
         own=False),
    dict(name="sigmoid_g_consistent", kind="step",
         functions=(sigmoid_candidate_forward, sigmoid_candidate_backward), expect="forward",
         own=True),
    dict(name="sigmoid_g_textbook_backward", kind="step",
         functions=(sigmoid_candidate_forward, tanh_candidate_backward), expect="forward",
         own=False),
]
