"""Truncated real-time recurrent learning (RTRL) for the peephole LSTM.

RTRL (Williams & Zipser 1989) computes gradients *forwards* in time: it
carries the derivative of the state with respect to every weight along with
the state itself, so the gradient of each step's loss is ready at that step,
with no backward pass. Exact RTRL is far too expensive for an LSTM; the
original LSTM papers used a truncated version, and so does the Java code the
second learner's post was pointed to. Two things are cut:

1. h_{t-1} is treated as a constant input of step t (as are x_t and the bias):
   no gradient flows back through the recurrent weights into earlier steps.
2. The cell states the gates peek at are treated as constant inputs of the
   gates: no gradient flows from a gate back into the cell through a peephole.

What remains is one path back in time, the cell's own carousel
c_t = f_t * c_{t-1} + i_t * g_t. Along it, the derivative of c_t with respect
to a weight w of the input gate, forget gate or candidate obeys

    dc_t/dw = f_t * dc_{t-1}/dw + (dc_t/da_t) * (input that w multiplies at step t)

(the running partials ``dSdw`` of the Java code, decayed by the forget gate).
The gradient of the loss at step t is then ``dL_t/dc_t * dc_t/dw`` with the
one-step error ``dL_t/dc_t = dL/dh_t * o_t * tanh'(c_t)``. The output gate
gets only its one-step gradient.

``truncated_rtrl`` does exactly this, forwards in time. ``carousel_backward``
computes the same numbers backwards in time: it is the exact backward pass of
``lstmlib.peephole`` with the cut paths deleted, which shows what the
truncation throws away. Both return the gradients of the peephole LSTM's
weights, dWx (D, 4H), dWh (H, 4H), db (4H,), dp (3, H), gate order i, f, o, g.

Unlike the Java code, we sum the gradient over the sequence and the batch and
leave the update to an optimizer, so that it can be compared with BPTT's
gradient on the same weights::

    compare_by_block, gradient_agreement    relative error and cosine, per gate block
    delayed_recall                          a task with a loss at every step
    recall_loss_and_grads, adding_loss_and_grads
                                            a peephole LSTM with a head, trained with
                                            gradient="exact" or "truncated"
    train_side_by_side                      the same model trained with each gradient
                                            (``lstmlib.book.peephole_flow`` draws it)
"""
from functools import partial
from typing import NamedTuple

import numpy as np

from . import layers
from ._checks import check_upstream
from .activations import dsigmoid_from_output, dtanh_from_output
from .compare import GATES, cosine_similarity, gate_blocks, relative_error
from .lstm import split_gates
from .peephole import (
    init_peephole_params,
    peephole_backward,
    peephole_forward,
    time_major,
    weight_gradients,
)
from .train import fit


def _stack_gate_blocks(ifg, o):
    """(..., 3, H) blocks for i, f, g and (..., H) for o -> (..., 4H) in the order i, f, o, g."""
    return np.concatenate([ifg[..., 0, :], ifg[..., 1, :], o, ifg[..., 2, :]], axis=-1)


def truncated_rtrl(dh, cache):
    """Truncated RTRL gradients of a peephole LSTM, computed forwards in time.

    dh: (N, T, H), the gradient of the loss with respect to each h_t coming
    directly from the loss (the same array ``peephole_backward`` takes).
    cache: from ``lstmlib.peephole.peephole_forward``.
    Returns dWx (D, 4H), dWh (H, 4H), db (4H,), dp (3, H).

    Step t uses only dh[:, t] and values from steps <= t, so it could run
    alongside the forward pass, updating the weights at every step as the
    Java code does.
    """
    check_upstream(dh, cache.h.shape)
    N, T, H = cache.h.shape
    D = cache.x.shape[2]
    gates, c, tanh_c, prev_c_all, prev_h_all = time_major(cache)
    i, f, o, g = split_gates(gates)  # each (T, N, H)
    x = cache.x.transpose(1, 0, 2)
    zeros = partial(np.zeros, dtype=dh.dtype)
    # Running partials of c_t for the weights of the i, f and g units (axis -2 is the
    # gate: 0 = i, 1 = f, 2 = g). Unit j's cell depends only on unit j's weights once
    # h_{t-1} is held fixed, so a partial per weight column is enough.
    dc_dWx, dc_dWh = zeros((N, D, 3, H)), zeros((N, H, 3, H))
    dc_db = zeros((N, 3, H))
    dc_dp = zeros((N, 2, H))  # p_i and p_f; their input is c_{t-1}
    dWx_ifg, dWh_ifg, db_ifg = zeros((D, 3, H)), zeros((H, 3, H)), zeros((3, H))
    dWx_o, dWh_o, db_o = zeros((D, H)), zeros((H, H)), zeros(H)
    dp = zeros((3, H))
    for t in range(T):
        prev_h, prev_c = prev_h_all[t], prev_c_all[t]
        # How c_t moves with each unit's pre-activation, this step only.
        dc_da = np.stack([g[t] * dsigmoid_from_output(i[t]),
                          prev_c * dsigmoid_from_output(f[t]),
                          i[t] * dtanh_from_output(g[t])], axis=1)  # (N, 3, H)
        # The old partials decay with the forget gate, like the cell state itself.
        keep = f[t][:, None, None, :]
        dc_dWx = keep * dc_dWx + x[t][:, :, None, None] * dc_da[:, None]
        dc_dWh = keep * dc_dWh + prev_h[:, :, None, None] * dc_da[:, None]
        dc_db = keep[:, 0] * dc_db + dc_da
        dc_dp = keep[:, 0] * dc_dp + prev_c[:, None] * dc_da[:, :2]
        # The one-step error at the cell: through tanh(c_t) in h_t only.
        dc = dh[:, t] * o[t] * dtanh_from_output(tanh_c[t])
        dWx_ifg += np.einsum("ndkh,nh->dkh", dc_dWx, dc)
        dWh_ifg += np.einsum("ndkh,nh->dkh", dc_dWh, dc)
        db_ifg += np.einsum("nkh,nh->kh", dc_db, dc)
        dp[:2] += np.einsum("nkh,nh->kh", dc_dp, dc)
        # The output gate: one step, its inputs taken as they are.
        da_o = dh[:, t] * tanh_c[t] * dsigmoid_from_output(o[t])
        dWx_o += x[t].T @ da_o
        dWh_o += prev_h.T @ da_o
        db_o += da_o.sum(axis=0)
        dp[2] += (da_o * c[t]).sum(axis=0)
    return (_stack_gate_blocks(dWx_ifg, dWx_o), _stack_gate_blocks(dWh_ifg, dWh_o),
            _stack_gate_blocks(db_ifg, db_o), dp)


def carousel_backward(dh, cache):
    """The truncated RTRL gradients again, computed backwards in time.

    dh: (N, T, H), cache: from ``peephole_forward``. Returns dWx (D, 4H),
    dWh (H, 4H), db (4H,), dp (3, H), equal to ``truncated_rtrl``'s.

    This is ``peephole_backward`` with three terms deleted: the recurrent
    ``dprev_h`` (so dnext_h is the loss's dh alone), the output gate's
    peephole term in dc, and the i/f peephole terms in dprev_c. Only the
    carousel ``dprev_c = dc * f`` carries gradient back in time.
    """
    check_upstream(dh, cache.h.shape)
    gates, _, tanh_c, prev_c_all, _ = time_major(cache)
    i, f, o, g = split_gates(gates)  # each (T, N, H)
    da = np.empty_like(gates)
    da_i, da_f, da_o, da_g = split_gates(da)
    dprev_c = np.zeros_like(cache.c0)
    for t in reversed(range(len(gates))):
        da_o[t] = dh[:, t] * tanh_c[t] * dsigmoid_from_output(o[t])
        dc = dprev_c + dh[:, t] * o[t] * dtanh_from_output(tanh_c[t])
        da_i[t] = dc * g[t] * dsigmoid_from_output(i[t])
        da_f[t] = dc * prev_c_all[t] * dsigmoid_from_output(f[t])
        da_g[t] = dc * i[t] * dtanh_from_output(g[t])
        dprev_c = dc * f[t]
    _, dWx, dWh, db, dp = weight_gradients(da, cache)
    return dWx, dWh, db, dp


class BlockAgreement(NamedTuple):
    block: str        # e.g. "Wh[f]" (the forget-gate columns of Wh), "p_o", or "all"
    rel_error: float  # ||approx - exact|| / ||exact||
    cosine: float     # <approx, exact> / (||approx|| ||exact||); nan if either is zero


def peephole_gate_blocks(dWx, dWh, db, dp):
    """Split peephole-LSTM gradients into named blocks, one per gate.

    dWx (D, 4H), dWh (H, 4H), db (4H,), dp (3, H) -> dict with keys
    "Wx[i]", ..., "b[g]" (columns of each gate, order i, f, o, g) and "p_i", "p_f", "p_o".
    """
    blocks = {}
    for name, grad in (("Wx", dWx), ("Wh", dWh), ("b", db)):
        for gate, part in zip(GATES, gate_blocks(grad)):
            blocks[f"{name}[{gate}]"] = part
    for gate, row in zip("ifo", dp):
        blocks[f"p_{gate}"] = row
    return blocks


def agreement(name, exact, approx):
    """Relative error and cosine similarity of two gradient arrays, as a BlockAgreement."""
    exact, approx = np.asarray(exact), np.asarray(approx)
    if approx.shape != exact.shape:
        raise ValueError(f"{name}: cannot compare gradients of shapes {approx.shape} "
                         f"and {exact.shape}")
    return BlockAgreement(name, relative_error(exact, approx), cosine_similarity(exact, approx))


def compare_by_block(exact, approx):
    """Relative error and cosine similarity, block by block, then for all blocks together.

    exact, approx: tuples (dWx, dWh, db, dp) of the same shapes.
    Returns a list of BlockAgreement rows in the order of ``peephole_gate_blocks``,
    followed by a row "all" for every weight of the layer as one vector.
    (For the overall numbers alone see ``compare.relative_error_and_cosine``.)
    """
    exact_blocks, approx_blocks = peephole_gate_blocks(*exact), peephole_gate_blocks(*approx)
    rows = [agreement(name, e, approx_blocks[name]) for name, e in exact_blocks.items()]
    flat = [np.concatenate([g.ravel() for g in grads]) for grads in (exact, approx)]
    rows.append(agreement("all", *flat))
    return rows


def format_comparison(comparisons):
    """A fixed-format text table: one row per block, two columns per comparison.

    comparisons: dict label -> list of BlockAgreement rows (same blocks, same order).
    """
    labels = list(comparisons)
    header = f"{'':7}" + "".join(f" | {label:^17}" for label in labels)
    sub = f"{'block':7}" + " | rel. err.  cosine" * len(labels)
    lines = [header, sub]
    for rows in zip(*comparisons.values()):
        lines.append(f"{rows[0].block:7}" + "".join(f" | {r.rel_error:9.2f} {r.cosine:7.2f}"
                                                    for r in rows))
    return "\n".join(lines)


# --- two tasks to train on, with either gradient --------------------------------------------

def delayed_recall(N, T, V, delay, rng, dtype=np.float64):
    """Recall the symbol seen ``delay`` steps ago, at every step.

    Each sequence is T random symbols out of V, fed one-hot; the target at
    step t is the symbol of step t - delay. The first ``delay`` steps have no
    target. Guessing gives a cross-entropy of log V.
    Returns x (N, T, V), y (N, T) integer targets and mask (N, T), False
    where there is no target.
    """
    if not 1 <= delay < T:
        raise ValueError(f"delay should lie in [1, T) = [1, {T}), got {delay}")
    symbols = rng.integers(0, V, size=(N, T))
    y = np.zeros((N, T), dtype=np.int64)
    y[:, delay:] = symbols[:, :-delay]
    mask = np.zeros((N, T), dtype=bool)
    mask[:, delay:] = True
    return np.eye(V, dtype=dtype)[symbols], y, mask


def init_model(D, H, K, rng, forget_bias=1.0, dtype=np.float64):
    """A peephole LSTM layer with an affine head: a dict of named arrays.

    Wx (D, 4H), Wh (H, 4H), b (4H,), p (3, H) as ``init_peephole_params``;
    W_out (H, K) and b_out (K,) map a hidden state to K outputs.
    """
    Wx, Wh, b, p = init_peephole_params(D, H, rng, forget_bias, dtype=dtype)
    W_out = rng.standard_normal((H, K)) / np.sqrt(H)
    return {"Wx": Wx, "Wh": Wh, "b": b, "p": p,
            "W_out": W_out.astype(dtype), "b_out": np.zeros(K, dtype=dtype)}


GRADIENTS = ("exact", "truncated")
CELL_WEIGHTS = ("Wx", "Wh", "b", "p")  # the LSTM's own; the head's gradient is always exact


def _cell_gradients(dh, cache, gradient):
    """(dWx, dWh, db, dp) by exact BPTT or by truncated RTRL."""
    if gradient == "exact":
        return peephole_backward(dh, cache)[2:]
    if gradient == "truncated":
        # The same numbers as truncated_rtrl (tested), without carrying a
        # running partial for every weight: cheaper when the sequence is at hand.
        return carousel_backward(dh, cache)
    raise ValueError(f"gradient should be one of {GRADIENTS}, got {gradient!r}")


def _run(params, x):
    N, H = x.shape[0], params["Wh"].shape[0]
    h0 = np.zeros((N, H), dtype=x.dtype)
    return peephole_forward(x, h0, params["Wx"], params["Wh"], params["b"], params["p"])


def _gradient_dict(cell_grads, dW_out, db_out):
    return dict(zip((*CELL_WEIGHTS, "W_out", "b_out"), (*cell_grads, dW_out, db_out)))


def recall_loss_and_grads(params, batch, gradient="exact"):
    """Softmax cross-entropy at every step with a target (the ``delayed_recall`` task).

    params: from ``init_model(V, H, V, rng)``; batch: (x, y, mask) from ``delayed_recall``.
    gradient: "exact" (BPTT) or "truncated" (truncated RTRL) for the LSTM's
    weights; the head's gradient is exact either way.
    Returns loss (float) and grads (dict with the keys of params).
    """
    x, y, mask = batch
    h, cache = _run(params, x)
    scores, head_cache = layers.temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dscores = layers.temporal_softmax_loss(scores, y, mask)
    dh, dW_out, db_out = layers.temporal_affine_backward(dscores, head_cache)
    return loss, _gradient_dict(_cell_gradients(dh, cache, gradient), dW_out, db_out)


def adding_loss_and_grads(params, batch, gradient="exact"):
    """Mean squared error of a prediction from the last hidden state (the adding problem).

    params: from ``init_model(2, H, 1, rng)``; batch: (x, y) from
    ``lstmlib.data.adding_problem``. gradient: "exact" or "truncated".
    Returns loss (float) and grads (dict with the keys of params).
    """
    x, y = batch
    h, cache = _run(params, x)
    last, last_cache = layers.last_step_forward(h)
    pred, head_cache = layers.affine_forward(last, params["W_out"], params["b_out"])
    loss, dpred = layers.mse_loss(pred, y)
    dlast, dW_out, db_out = layers.affine_backward(dpred, head_cache)
    dh = layers.last_step_backward(dlast, last_cache)  # zero except at the last step
    return loss, _gradient_dict(_cell_gradients(dh, cache, gradient), dW_out, db_out)


def gradient_agreement(loss_and_grads, params, batch):
    """Compare the two gradients of a model's cell weights on one batch.

    loss_and_grads: ``recall_loss_and_grads`` or ``adding_loss_and_grads``;
    params: the model's weights; batch: one batch for it.
    Returns ``compare_by_block(exact, truncated)`` for Wx, Wh, b, p: a
    BlockAgreement row per gate block, then the row "all".
    """
    grads = {gradient: loss_and_grads(params, batch, gradient)[1] for gradient in GRADIENTS}
    exact, truncated = ([grads[gradient][name] for name in CELL_WEIGHTS] for gradient in GRADIENTS)
    return compare_by_block(exact, truncated)


# --- training side by side --------------------------------------------------------------------

class TrainingRun(NamedTuple):
    loss: np.ndarray       # (steps,) the training loss at every update
    checked: np.ndarray    # (K,) update counts at which the held-out batch was looked at
    eval_loss: np.ndarray  # (K,) loss on the held-out batch
    cosine: np.ndarray     # (K,) cosine(truncated, exact) over all cell weights, held-out batch
    rel_error: np.ndarray  # (K,) ||truncated - exact|| / ||exact||, same


def train_side_by_side(loss_and_grads, params, make_batch, steps, seed, eval_batch, every=50,
                       learning_rate=1e-2, clip=1.0):
    """Train the same model twice, once with each gradient, and watch how far apart they are.

    loss_and_grads: ``recall_loss_and_grads`` or ``adding_loss_and_grads``.
    params: the initial weights (copied for each run, so both start the same).
    make_batch: ``make_batch(rng) -> batch``; both runs see the same batches
    (each run draws them from ``np.random.default_rng(seed)``).
    eval_batch: a held-out batch. Every ``every`` updates (and before the
    first) both gradients are computed on it at the run's current weights.
    Both runs use Adam with the same learning rate and the same global-norm clip.
    Returns dict gradient name ("exact", "truncated") -> TrainingRun.
    """
    runs = {}
    for gradient in GRADIENTS:
        run_params = {name: w.copy() for name, w in params.items()}
        checks = []

        def look(step, current, history=None):
            if step % every == 0:
                loss = loss_and_grads(current, eval_batch)[0]
                overall = gradient_agreement(loss_and_grads, current, eval_batch)[-1]
                checks.append((step, loss, overall.cosine, overall.rel_error))

        look(0, run_params)
        rng = np.random.default_rng(seed)
        history = fit(run_params, partial(loss_and_grads, gradient=gradient),
                      (make_batch(rng) for _ in range(steps)), steps,
                      config={"learning_rate": learning_rate}, clip=clip, callbacks=[look])
        checked, eval_loss, cosine, rel_error = (np.array(column) for column in zip(*checks))
        runs[gradient] = TrainingRun(history["loss"], checked, eval_loss, cosine, rel_error)
    return runs
