"""A peephole LSTM step as a reader writes it after reading Gers & Schmidhuber."""
import numpy as np


def s(z):
    return 1 / (1 + np.exp(-z))


def pforward(x, prev_h, prev_c, Wx, Wh, b, p, o_on_old_c=False):
    H = prev_h.shape[1]
    z = x @ Wx + prev_h @ Wh + b
    zi, zf, zo, zg = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
    i = s(zi + p[0] * prev_c)
    f = s(zf + p[1] * prev_c)
    g = np.tanh(zg)
    c = f * prev_c + i * g
    o = s(zo + p[2] * (prev_c if o_on_old_c else c))
    h = o * np.tanh(c)
    return h, c, {"x": x, "h0": prev_h, "c0": prev_c, "c": c, "Wx": Wx, "Wh": Wh, "p": p,
                  "i": i, "f": f, "o": o, "g": g, "old": o_on_old_c}


def pbackward(dh, dc_in, m, bug=None):
    i, f, o, g, c, c0, p = m["i"], m["f"], m["o"], m["g"], m["c"], m["c0"], m["p"]
    t = np.tanh(c)
    dzo = dh * t * o * (1 - o)
    if bug == "tanh_at_c":
        dc = dc_in + dh * o * (1 - c ** 2)
    else:
        dc = dc_in + dh * o * (1 - t ** 2)
    if not m["old"] and bug != "no_o_peep":
        dc = dc + dzo * p[2]
    dzi = dc * g * i * (1 - i)
    dzf = dc * c0 * f * (1 - f)
    dzg = dc * i * (1 - g ** 2)
    dc0 = dc * f
    if bug != "no_if_peeps":
        dc0 = dc0 + dzi * p[0] + dzf * p[1]
    if m["old"]:
        dc0 = dc0 + dzo * p[2]
    dz = np.concatenate([dzi, dzf, dzo, dzg], 1)
    dp = np.array([(dzi * c0).sum(0), (dzf * c0).sum(0), (dzo * (c0 if m["old"] else c)).sum(0)])
    return dz @ m["Wx"].T, dz @ m["Wh"].T, dc0, m["x"].T @ dz, m["h0"].T @ dz, dz.sum(0), dp


def _bw(bug):
    return lambda dh, dc, m: pbackward(dh, dc, m, bug)


def pforward_old_c(*args):
    return pforward(*args, o_on_old_c=True)


IMPLEMENTATIONS = [
    dict(name="correct", kind="peephole_step", functions=(pforward, _bw(None)), expect=None),
    dict(name="no_o_peep", kind="peephole_step", functions=(pforward, _bw("no_o_peep")),
         expect="peephole_o_path_missing_in_dc"),
    dict(name="no_if_peeps", kind="peephole_step", functions=(pforward, _bw("no_if_peeps")),
         expect="peephole_paths_missing_in_dprev_c"),
    dict(name="tanh_at_c", kind="peephole_step", functions=(pforward, _bw("tanh_at_c")),
         expect="tanh_grad_at_preactivation"),
    dict(name="o_on_old_c", kind="peephole_step", functions=(pforward_old_c, _bw(None)),
         expect="peephole_output_gate_sees_prev_cell"),
]
