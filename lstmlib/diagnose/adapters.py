"""Adapters: diagnose code written with per-gate weights, without rewriting it first.

Many readers keep one matrix per gate acting on the concatenation ``[h, x]``
(or ``[x, h]``), and one bias per gate, instead of lstmlib's ``Wx (D, 4H)``,
``Wh (H, 4H)``, ``b (4H,)``. ``per_gate_step`` wraps such a pair into the
classic signatures that ``diagnose_step`` calls::

    # your code:
    #   forward(x, h, c, W, bias) -> h, c, cache
    #     W = {"i": Wi, "f": Wf, "o": Wo, "g": Wg}, each (H, H + D) acting on [h, x]
    #     (or (H + D, H) acting on a row [h, x], with transposed=True); bias likewise
    #   backward(dh, dc, cache) -> dx, dh_prev, dc_prev, dW (dict like W), dbias (dict)
    fwd, bwd = per_gate_step(forward, backward, order="hx", layout="rows")
    diagnose_step(fwd, bwd)

Options:

- ``names`` (and ``bias_names``): the four keys of your gate dicts, in lstmlib's
  gate order i, f, o, g
  (default ``("i", "f", "o", "g")``; e.g. ``("Wi", "Wf", "Wo", "Wg")``). Your
  ``W`` and ``bias`` may also be tuples or lists in the order ``gate_order``.
- ``gate_order``: the order of your tuples/lists, a string of i, f, o, g
  (PyTorch's is ``"ifgo"``); ignored for dicts, which are matched by name.
- ``order``: ``"hx"`` if your concatenation is ``[h, x]``, ``"xh"`` if ``[x, h]``.
- ``layout``: ``"rows"`` for matrices of shape (H, H + D) used as ``W @ z``
  (column vectors, the textbooks' way); ``"cols"`` for (H + D, H) used as ``z @ W``.
- ``stacked``: True if your W is one (4H, H + D) (or (H + D, 4H)) matrix in
  ``gate_order`` (PyTorch's ``weight_ih``/``weight_hh`` joined), bias one (4H,).

Everything else (batch rows as the first axis, your cache) is your own
business. The adapter only moves numbers between layouts; the diagnoser checks
what your functions compute.
"""
import numpy as np

CLASSIC = "ifog"


def _check(order, layout, gate_order):
    if order not in ("hx", "xh"):
        raise ValueError(f"order should be 'hx' ([h, x]) or 'xh' ([x, h]), got {order!r}")
    if layout not in ("rows", "cols"):
        raise ValueError(f"layout should be 'rows' (W @ z) or 'cols' (z @ W), got {layout!r}")
    if sorted(gate_order) != sorted(CLASSIC):
        raise ValueError(f"gate_order should be a permutation of 'ifog', got {gate_order!r}")


def _to_reader(Wx, Wh, b, names, bias_names, gate_order, order, layout, stacked):
    """lstmlib's (Wx (D, 4H), Wh (H, 4H), b (4H,)) -> the reader's W, bias."""
    H = Wh.shape[0]
    blocks = {}
    for k, gate in enumerate(CLASSIC):
        wx, wh = Wx[:, k * H:(k + 1) * H], Wh[:, k * H:(k + 1) * H]
        w = np.concatenate([wh, wx] if order == "hx" else [wx, wh], axis=0)  # (H + D, H)
        blocks[gate] = (w.T.copy() if layout == "rows" else w.copy(), b[k * H:(k + 1) * H].copy())
    if stacked:
        axis = 0 if layout == "rows" else 1
        W = np.concatenate([blocks[g][0] for g in gate_order], axis=axis)
        bias = np.concatenate([blocks[g][1] for g in gate_order])
        return W, bias
    if names is None:
        return ([blocks[g][0] for g in gate_order], [blocks[g][1] for g in gate_order])
    return ({n: blocks[g][0] for n, g in zip(names, CLASSIC)},
            {n: blocks[g][1] for n, g in zip(bias_names, CLASSIC)})


def _gate_blocks(value, names, gate_order, H, layout, stacked, what):
    """The reader's per-gate gradients (dict, tuple/list or stacked) -> {gate: array}."""
    if stacked:
        arr = np.asarray(value)
        axis = 0 if (layout == "rows" or arr.ndim == 1) else 1
        parts = np.split(arr, 4, axis=axis)
        return dict(zip(gate_order, parts))
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        if missing:
            raise ValueError(f"{what} has no entry {missing[0]!r} (keys: {list(value)})")
        return {g: np.asarray(value[n]) for n, g in zip(names, CLASSIC)}
    if isinstance(value, (tuple, list)) and len(value) == 4:
        return {g: np.asarray(v) for g, v in zip(gate_order, value)}
    raise ValueError(f"{what} should be a dict of four gates, a list of four, or stacked")


def _to_classic(dW, dbias, names, bias_names, gate_order, order, layout, stacked, D, H):
    """The reader's dW, dbias -> lstmlib's dWx (D, 4H), dWh (H, 4H), db (4H,)."""
    W = _gate_blocks(dW, names, gate_order, H, layout, stacked, "dW")
    B = _gate_blocks(dbias, bias_names, gate_order, H, layout, stacked, "dbias")
    dWx, dWh, db = [], [], []
    for gate in CLASSIC:
        w = W[gate].T if layout == "rows" else W[gate]  # (H + D, H)
        wh, wx = (w[:H], w[H:]) if order == "hx" else (w[D:], w[:D])
        dWx.append(wx)
        dWh.append(wh)
        db.append(np.reshape(B[gate], -1))
    return (np.concatenate(dWx, axis=1), np.concatenate(dWh, axis=1), np.concatenate(db))


def per_gate_step(forward, backward, names=("i", "f", "o", "g"), gate_order="ifog",
                  order="hx", layout="rows", stacked=False, bias_names=None):
    """Wrap a per-gate step pair into ``lstm_step_forward`` / ``lstm_step_backward``.

    forward(x, prev_h, prev_c, W, bias) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dW, dbias
    x (N, D), h and c (N, H); W and bias as described in the module docstring
    (dicts keyed by ``names``, or lists in ``gate_order`` when ``names`` is None,
    or stacked); ``bias_names``: the keys of your bias dict if they differ from
    ``names`` (e.g. ``("bi", "bf", "bo", "bg")``). Returns (step_forward,
    step_backward) in the classic signatures,
    for ``diagnose_step``.
    """
    _check(order, layout, gate_order)
    if names is not None and len(names) != 4:
        raise ValueError(f"names should be four keys in the order i, f, o, g, got {names!r}")
    bias_names = names if bias_names is None else tuple(bias_names)
    shapes = {}

    def step_forward(x, prev_h, prev_c, Wx, Wh, b):
        shapes["D"], shapes["H"] = Wx.shape[0], Wh.shape[0]
        W, bias = _to_reader(Wx, Wh, b, names, bias_names, gate_order, order, layout, stacked)
        next_h, next_c, cache = forward(x, prev_h, prev_c, W, bias)
        return next_h, next_c, cache

    def step_backward(dnext_h, dnext_c, cache):
        dx, dprev_h, dprev_c, dW, dbias = backward(dnext_h, dnext_c, cache)
        dWx, dWh, db = _to_classic(dW, dbias, names, bias_names, gate_order, order, layout, stacked,
                                   shapes["D"], shapes["H"])
        return dx, dprev_h, dprev_c, dWx, dWh, db

    step_forward.__name__ = "per_gate_step_forward"
    step_backward.__name__ = "per_gate_step_backward"
    return step_forward, step_backward


def pytorch_step(forward, backward):
    """``per_gate_step`` for PyTorch's layout: ``W = (weight_ih (4H, D), weight_hh (4H, H))``
    and ``bias (4H,)`` (b_ih + b_hh), gates stacked in the order i, f, g, o, used as
    ``x @ weight_ih.T + h @ weight_hh.T + bias``.

    forward(x, prev_h, prev_c, weight_ih, weight_hh, bias) -> next_h, next_c, cache
    backward(dnext_h, dnext_c, cache) -> dx, dprev_h, dprev_c, dweight_ih, dweight_hh, dbias
    """
    perm = [CLASSIC.index(g) for g in "ifgo"]  # PyTorch block k is lstmlib block perm[k]

    def to_torch(M):  # (rows, 4H) lstmlib columns -> (4H, rows) torch rows
        H = M.shape[1] // 4
        return np.concatenate([M[:, k * H:(k + 1) * H] for k in perm], axis=1).T.copy()

    def from_torch(M):  # (4H, rows) torch -> (rows, 4H) lstmlib
        M = np.asarray(M)
        H = M.shape[0] // 4
        blocks = {perm[k]: M[k * H:(k + 1) * H] for k in range(4)}
        return np.concatenate([blocks[k] for k in range(4)], axis=0).T

    def step_forward(x, prev_h, prev_c, Wx, Wh, b):
        return forward(x, prev_h, prev_c, to_torch(Wx), to_torch(Wh), to_torch(b[None])[:, 0])

    def step_backward(dnext_h, dnext_c, cache):
        dx, dprev_h, dprev_c, dWih, dWhh, dbias = backward(dnext_h, dnext_c, cache)
        db = from_torch(np.reshape(dbias, (-1, 1)))[0]
        return dx, dprev_h, dprev_c, from_torch(dWih), from_torch(dWhh), db

    return step_forward, step_backward
