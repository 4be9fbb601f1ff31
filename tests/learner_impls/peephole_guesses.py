"""A peephole cell written per gate, column-vector style (the second post's notation),
with the plain-cell mistakes switched in one at a time; a tuple cache."""
import numpy as np


def sigm(z):
    return 1 / (1 + np.exp(-z))


def forward(x, prev_h, prev_c, Wx, Wh, b, p):
    H = prev_h.shape[1]
    W = {k: (Wx[:, n * H:(n + 1) * H], Wh[:, n * H:(n + 1) * H], b[n * H:(n + 1) * H])
         for n, k in enumerate("ifog")}

    def pre(k):
        wx, wh, bk = W[k]
        return x @ wx + prev_h @ wh + bk
    i_t = sigm(pre("i") + p[0] * prev_c)
    f_t = sigm(pre("f") + p[1] * prev_c)
    cell_gate = np.tanh(pre("g"))
    c_t = f_t * prev_c + i_t * cell_gate
    o_t = sigm(pre("o") + p[2] * c_t)
    h_t = o_t * np.tanh(c_t)
    return h_t, c_t, (x, prev_h, prev_c, Wx, Wh, b, p, i_t, f_t, o_t, cell_gate, c_t)


def make_backward(bug=None):
    def backward(dh, dc_in, cache):
        x, hp, cp, Wx, Wh, b, p, i_t, f_t, o_t, gg, c_t = cache
        H = hp.shape[1]
        th = np.tanh(c_t)
        if bug == "in_place":
            dc_in += 0.0 * dc_in + dh * o_t * (1 - th ** 2)  # writes into the caller's array
            dc = dc_in
        elif bug == "no_h_path":
            dc = dc_in.copy()
        elif bug == "no_dc_in":
            dc = dh * o_t * ((1 - c_t ** 2) if bug == "tanh_at_c" else (1 - th ** 2))
        else:
            dc = dc_in + dh * o_t * ((1 - c_t ** 2) if bug == "tanh_at_c" else (1 - th ** 2))

        def dsg(s):
            if bug == "double_sigmoid":
                s = sigm(s)
            return s * (1 - s)
        e_o = (dh if bug == "o_no_tanh" else dh * th) * dsg(o_t)
        dc = dc + e_o * p[2]
        e_i = dc * gg * dsg(i_t)
        e_f = dc * (c_t if bug == "f_new_c" else cp) * dsg(f_t)
        e_g = dc * i_t * (1 - gg ** 2)
        dcp = (dc if bug == "no_forget" else dc * f_t) + e_i * p[0] + e_f * p[1]
        errs = [e_f, e_i, e_o, e_g] if bug == "swap_if" else [e_i, e_f, e_o, e_g]
        E = np.concatenate(errs, axis=1)
        if bug == "cell_error_is_o":  # "the whole cell's error is the output gate's error"
            back = np.concatenate([np.zeros_like(e_i), np.zeros_like(e_f), errs[2],
                                   np.zeros_like(e_g)], axis=1)
        else:
            back = E
        dWh = hp.T @ E
        if bug == "dWh_T":
            dWh = np.hstack([dWh[:, k * H:(k + 1) * H].T for k in range(4)])
        db = E.sum(0)
        if bug == "db_sigmoid_b":  # o_b += o_l * sigmoid(o_b) * o_e
            db = db * sigm(b)
        if bug == "db_mean":
            db = E.mean(0)
        dp = np.array([(e_i * cp).sum(0), (e_f * cp).sum(0), (e_o * c_t).sum(0)])
        return back @ Wx.T, back @ Wh.T, dcp, x.T @ E, dWh, db, dp
    return backward


BUGS = {
    "tanh_at_c": "tanh_grad_at_preactivation",
    "o_no_tanh": "output_gate_missing_tanh_c",
    "db_sigmoid_b": "bias_grad_scaled_by_sigmoid",
    "cell_error_is_o": "cell_error_is_output_gate_error",
    "no_forget": "missing_forget_in_dprev_c",
    "swap_if": "gate_blocks_swapped",
    "no_h_path": "cell_grad_missing_h_path",
    "no_dc_in": "cell_grad_missing_next_c",
    "f_new_c": "forget_grad_uses_new_cell",
    "double_sigmoid": "sigmoid_grad_applied_twice",
    "dWh_T": "recurrent_weight_blocks_transposed",
    "db_mean": "bias_grad_averaged",
    "in_place": "modifies_upstream_in_place",
}

IMPLEMENTATIONS = [dict(name="correct", kind="peephole_step",
                        functions=(forward, make_backward()), expect=None)] + [
    dict(name=bug, kind="peephole_step", functions=(forward, make_backward(bug)), expect=mid)
    for bug, mid in BUGS.items()]
