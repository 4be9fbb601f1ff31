"""Chapter 4's coding exercises: a truncated-BPTT backward, the many-to-one dh, and a
sequence backward with mistakes to find.

The first two are compared with lstmlib's own functions; when an answer is wrong,
it is also compared with what the known mistakes compute, so the verdict can name
the mistake. The third goes through the clinic's ``diagnose_sequence``, which names
every catalogued mistake still in the code.
"""
import numpy as np

from ... import gradcheck, layers, lstm, tbptt
from ...diagnose import variants
from ...diagnose.catalogue import Section
from . import (
    TOLERANCE,
    Verdict,
    exercise,
    from_catalogue,
    from_comparison,
    from_gradcheck,
    from_sequence_diagnosis,
    number_word,
    shape_problem,
)

TBPTT_SECTION = Section(4, "Truncated BPTT").reference()
HEADS_SECTION = Section(4, "Many-to-many and many-to-one").reference()


def _max_rel_error(got, want):
    return max(gradcheck.rel_error(np.asarray(g, dtype=float), w) for g, w in zip(got, want))


def _same_shapes(got, want, names):
    """The first gradient whose shape is wrong, said as a sentence; "" if none."""
    problems = (shape_problem(n, g, np.shape(w)) for n, g, w in zip(names, got, want))
    return next((problem for problem in problems if problem), "")


# --- truncated BPTT ----------------------------------------------------------------------

TBPTT_GRADS = ("dx", "dh0", "dWx", "dWh", "db")


def _tbptt_mistakes(dh, cache, x, h0, Wx, Wh, b):
    """What the usual mistakes compute: [(description, gradients)]."""
    full = lstm.lstm_backward(dh, lstm.lstm_forward(x, h0, Wx, Wh, b)[1])
    per_window = [lstm.lstm_backward(dh[:, s:s + cache.k], w)
                  for s, w in zip(range(0, dh.shape[1], cache.k), cache.windows)]
    dx = np.concatenate([g[0] for g in per_window], axis=1)
    one_window = "only one window keeps its weight gradients: the windows share Wx, Wh " \
                 "and b, so every window's share must be added"
    dh0_of_last = (dx, per_window[-1][1], *(sum(g[i] for g in per_window) for i in (2, 3, 4)))
    return [
        ("your gradient crosses the window boundaries (dprev_h and dprev_c are carried from "
         "one window to the one before it): that is full BPTT, not truncated BPTT", full),
        (one_window, (dx, per_window[0][1], *per_window[-1][2:])),   # the last one written
        (one_window, (dx, per_window[0][1], *per_window[0][2:])),    # looping backward
        ("dh0 comes from the last window: the initial state h0 is read only by the first "
         "window, so dh0 is what the first window sends back", dh0_of_last),
    ]


@exercise("tbptt-backward", chapter=4, section="sec-04-tbptt")
def check_tbptt_backward(tbptt_backward):
    """tbptt_backward(dh, cache) -> dx, dh0, dWx, dWh, db, for a TBPTTCache."""
    rng = np.random.default_rng(11)
    N, T, D, H, k = 2, 7, 3, 4, 3           # windows [0, 3), [3, 6), [6, 7): one is short
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    dh = rng.standard_normal((N, T, H))
    _, cache = tbptt.tbptt_forward(x, h0, Wx, Wh, b, k=k)
    want = tbptt.tbptt_backward(dh, cache)
    got = tbptt_backward(dh.copy(), cache)
    if not isinstance(got, (tuple, list)) or len(got) != len(want):
        return Verdict("wrong", f"return the {len(want)} gradients {', '.join(TBPTT_GRADS)}.")
    problem = _same_shapes(got, want, TBPTT_GRADS)
    if problem:
        return Verdict("wrong", problem + ".")
    verdict = from_comparison(dict(zip(TBPTT_GRADS, got)), dict(zip(TBPTT_GRADS, want)))
    if verdict.ok:
        shorter = " (the last one shorter)" if T % k else ""
        count = number_word(len(TBPTT_GRADS))
        return Verdict("correct", f"all {count} gradients match lstmlib.tbptt's, on "
                       f"T = {T} steps in windows of k = {k}{shorter}.")
    for description, wrong in _tbptt_mistakes(dh, cache, x, h0, Wx, Wh, b):
        if _max_rel_error(got, wrong) < TOLERANCE:
            return Verdict("wrong", f"{description} (see {TBPTT_SECTION}).")
    return verdict


# --- the many-to-one head ----------------------------------------------------------------

@exercise("last-step-backward", chapter=4, section="sec-04-heads")
def check_last_step_backward(last_step_backward):
    """last_step_backward(dlast, cache) -> dh (N, T, H), for layers.last_step_forward."""
    rng = np.random.default_rng(12)
    N, T, D, H, V = 3, 5, 4, 3, 4
    Wx, Wh, b = lstm.init_lstm_params(D, H, rng)
    x, h0 = rng.standard_normal((N, T, D)), np.zeros((N, H))
    W_out, b_out = rng.standard_normal((H, V)), np.zeros(V)
    y = rng.integers(0, V, size=N)
    params = {"Wx": Wx, "Wh": Wh, "b": b}

    def model(backward):
        # Loss of the many-to-one model, and the gradients of Wx, Wh, b through `backward`.
        h, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
        last, last_cache = layers.last_step_forward(h)
        scores, affine_cache = layers.affine_forward(last, W_out, b_out)
        loss, dscores = layers.softmax_loss(scores, y)
        dlast = layers.affine_backward(dscores, affine_cache)[0]
        dh = backward(dlast.copy(), last_cache) if backward else None
        return loss, dh, cache

    _, dh, cache = model(last_step_backward)
    want = model(layers.last_step_backward)[1]
    problem = shape_problem("dh", dh, want.shape)
    if problem:
        return Verdict("wrong", problem + " (N, T, H): one gradient for every h_t.")
    dh = np.asarray(dh, dtype=float)
    everywhere = model(variants.last_step_backward("many_to_one_grad_at_every_step"))[1]
    if np.allclose(dh, everywhere, rtol=1e-12, atol=0):
        return from_catalogue(["many_to_one_grad_at_every_step"])
    wrong_steps = [t for t in range(T) if not np.array_equal(dh[:, t], want[:, t])]
    if wrong_steps:
        return Verdict("wrong", "dh differs from the head's gradient at step(s) t = "
                       + ", ".join(map(str, wrong_steps)) + f" (of 0..{T - 1}): only "
                       f"h_{T - 1} feeds the loss (see {HEADS_SECTION}).")
    grads = dict(zip(params, lstm.lstm_backward(dh, cache)[2:]))
    report = gradcheck.check_loss(lambda: model(None)[0], params, grads)
    return from_gradcheck(report, "each weight gradient of the model through your dh")


# --- a sequence backward with mistakes to find -----------------------------------------------

def buggy_lstm_backward(dh, caches):
    """A loop of ``lstm_step_backward`` that runs, has the right shapes, and is wrong.

    dh: (N, T, H); caches: the list returned by ``lstm.lstm_forward_loop``.
    Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    N, H = caches[0].prev_h.shape
    dprev_h = np.zeros((N, H))
    dWx, dWh = np.zeros_like(caches[0].Wx), np.zeros_like(caches[0].Wh)
    db = np.zeros(4 * H)
    dxs = []
    for t in reversed(range(len(caches))):
        dprev_c = np.zeros((N, H))                # start each step from a clean slate
        dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm.lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, caches[t])
        dWx, dWh, db = dWx_t, dWh_t, db_t         # this step's weight gradients
        dxs.append(dx_t)
    return np.stack(dxs[::-1], axis=1), dprev_h, dWx, dWh, db


@exercise("fix-lstm-backward", chapter=4, section="sec-04-sequence-backward")
def check_fixed_backward(lstm_backward):
    """lstm_backward(dh, caches) -> dx, dh0, dWx, dWh, db, for lstm.lstm_forward_loop."""
    return from_sequence_diagnosis(lstm_backward)
