"""Course-assignment style: positional tuple caches, a loop of step calls."""
import numpy as np


def sigmoid(x):
    pos = x >= 0
    z = np.exp(np.where(pos, -x, x))
    return np.where(pos, 1 / (1 + z), z / (1 + z))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tc = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    di, df, dg = dc * g, dc * prev_c, dc * i
    do = dnext_h * tc
    dprev_c = dc * f
    da = np.hstack((i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g ** 2) * dg))
    return da.dot(Wx.T), da.dot(Wh.T), dprev_c, x.T.dot(da), prev_h.T.dot(da), da.sum(0)


def step_backward_tanh_of_c(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    dc = dnext_c + dnext_h * o * (1 - next_c ** 2)   # forgot the tanh
    di, df, dg = dc * g, dc * prev_c, dc * i
    do = dnext_h * np.tanh(next_c)
    da = np.hstack((i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g ** 2) * dg))
    return da.dot(Wx.T), da.dot(Wh.T), dc * f, x.T.dot(da), prev_h.T.dot(da), da.sum(0)


def step_backward_no_forget(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tc = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    di, df, dg = dc * g, dc * prev_c, dc * i
    do = dnext_h * tc
    da = np.hstack((i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g ** 2) * dg))
    return da.dot(Wx.T), da.dot(Wh.T), dc, x.T.dot(da), prev_h.T.dot(da), da.sum(0)


def step_backward_inplace(dnext_h, dnext_c, cache):
    # the blog's trick: accumulate straight into dnext_c
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    do = dnext_h * np.tanh(next_c)
    dnext_c += o * (1 - np.tanh(next_c) ** 2) * dnext_h
    di, df, dg, dprev_c = dnext_c * (g, prev_c, i, f)
    da = np.hstack([i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g * g) * dg])
    return np.dot(da, Wx.T), np.dot(da, Wh.T), dprev_c, np.dot(x.T, da), np.dot(prev_h.T, da), \
        np.sum(da, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    prev_h, prev_c = h0, np.zeros((N, H))
    for t in range(T):
        prev_h, prev_c, c = lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(c)
    return h, cache


def _backward(dh, cache, mode=None):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        if mode == "est":
            dcur = dh[:, t, :]
        else:
            dcur = dh[:, t, :] + dprev_h
        dx[:, t, :], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(dcur, dprev_c,
                                                                               cache[t])
        if mode == "assign":
            dWx, dWh, db = dWx_t, dWh_t, db_t
        else:
            dWx += dWx_t
            dWh += dWh_t
            db += db_t
    dh0 = np.zeros((N, H)) if mode == "nodh0" else dprev_h
    return dx, dh0, dWx, dWh, db


def lstm_backward(dh, cache):
    return _backward(dh, cache)


def lstm_backward_no_est(dh, cache):
    return _backward(dh, cache, "est")


def lstm_backward_assign(dh, cache):
    return _backward(dh, cache, "assign")


def lstm_backward_no_dh0(dh, cache):
    return _backward(dh, cache, "nodh0")


def lstm_backward_overwrite(dh, cache):
    # "dh[:, t-1] = dprev_h": the upstream of every earlier step is overwritten
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dh = dh.copy()
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_c = np.zeros((N, H))
    dprev_h = None
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dprev_h, dprev_c, a, b_, c = lstm_step_backward(dh[:, t, :], dprev_c,
                                                                     cache[t])
        if t > 0:
            dh[:, t - 1, :] = dprev_h
        dWx += a
        dWh += b_
        db += c
    return dx, dprev_h, dWx, dWh, db


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


def softmax_loss_dsoftmax(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    N = x.shape[0]
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    e = probs.copy()
    e[np.arange(N), y] -= 1
    dx = e * probs * (1 - probs) / N   # chain through the softmax as well
    return loss, dx


IMPLEMENTATIONS = [
    dict(name="step", kind="step", functions=(lstm_step_forward, lstm_step_backward), expect=None),
    dict(name="step_tanh_of_c", kind="step", functions=(lstm_step_forward, step_backward_tanh_of_c),
         expect="tanh_grad_at_preactivation"),
    dict(name="step_no_forget", kind="step", functions=(lstm_step_forward, step_backward_no_forget),
         expect="missing_forget_in_dprev_c"),
    dict(name="step_inplace", kind="step", functions=(lstm_step_forward, step_backward_inplace),
         expect="modifies_upstream_in_place"),
    dict(name="seq", kind="sequence", functions=(lstm_forward, lstm_backward), expect=None),
    dict(name="seq_no_est", kind="sequence", functions=(lstm_forward, lstm_backward_no_est),
         expect="dropped_recurrent_h_grad"),
    dict(name="seq_assign", kind="sequence", functions=(lstm_forward, lstm_backward_assign),
         expect="weight_grads_assigned_not_accumulated"),
    dict(name="seq_no_dh0", kind="sequence", functions=(lstm_forward, lstm_backward_no_dh0),
         expect="dh0_left_zero"),
    dict(name="seq_overwrite", kind="sequence", functions=(lstm_forward, lstm_backward_overwrite),
         expect="recurrent_grad_assigned_not_added"),
    dict(name="loss", kind="loss", functions=(softmax_loss,), expect=None),
    dict(name="loss_dsoftmax", kind="loss", functions=(softmax_loss_dsoftmax,),
         expect="softmax_grad_on_cross_entropy"),
]
