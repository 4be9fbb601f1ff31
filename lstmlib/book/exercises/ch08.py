"""Chapter 8's (the capstone's) coding exercises: the pieces of the head and the optimizer.

- ``affine-backward``: ``affine_backward(dout, cache) -> dx, dw, db`` for
  ``out = x @ w + b``, with ``x, w = cache`` (lstmlib's ``layers.affine_forward``
  cache). Checked by central differences, with the usual slips named (dW
  transposed, db averaged or not summed, the batch mean taken in the layer).
- ``softmax-loss``: ``softmax_loss(x, y) -> loss, dx``, the mean cross-entropy
  over the batch and its gradient. Checked by the clinic's ``diagnose_loss``,
  which names the catalogued loss mistakes (the softmax derivative applied once
  too often, the sign, the target forgotten, no shift before exp) and compares
  with central differences; the exercise asks for the mean over N.
- ``adam``: ``adam(w, dw, config=None) -> next_w, config``, the classic update
  rule. Checked over several updates against ``lstmlib.optim.adam``, with the
  usual slips named (no bias correction, the step counter off by one, epsilon
  under the square root, the state not kept in config, the moments mixed up).
"""
import numpy as np

from ... import gradcheck, layers, optim
from ...diagnose import diagnose_loss
from . import (
    TOLERANCE,
    Verdict,
    exercise,
    from_diagnosis,
    from_gradcheck,
    from_loss_convention,
    number_word,
    shape_problem,
)

CHAPTER = 8
SECTION_HEAD = "capstone-head"
SECTION_ADAM = "capstone-adam"


# --- the fully-connected layer ---------------------------------------------------------------

def _affine_candidates(dout, x, W):
    """Known wrong answers: name -> (what it does, (dx, dW, db))."""
    N = x.shape[0]
    dx, dW, db = dout @ W.T, x.T @ dout, dout.sum(axis=0)
    return {
        "dW averaged": ("dW is divided by the batch size; the loss already averages, so the "
                        "layer only sums over its N rows", (dx, dW / N, db)),
        "db averaged": ("db is the mean over the batch; like dW it is a sum over the N "
                        "rows", (dx, dW, db / N)),
        "everything averaged": ("dW and db are divided by the batch size; the layer only "
                                "sums", (dx, dW / N, db / N)),
        "db from x": ("db sums the inputs x; the bias is added to every row of the output, "
                      "so its gradient sums dout", (dx, dW, x.sum(axis=0))),
    }


@exercise("affine-backward", chapter=CHAPTER, section=SECTION_HEAD)
def check_affine_backward(affine_backward):
    rng = np.random.default_rng(0)
    inputs = dict(x=rng.standard_normal((4, 5)), W=rng.standard_normal((5, 3)),
                  b=rng.standard_normal(3))
    out, cache = layers.affine_forward(*inputs.values())
    dout = rng.standard_normal(out.shape)
    got = affine_backward(dout.copy(), cache)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return Verdict("wrong", "affine_backward should return three arrays: dx, dw, db.")
    names = ("dx", "dw", "db")
    for name, value, param in zip(names, got, inputs.values()):
        # A gradient has the shape of what it is the gradient of.
        problem = shape_problem(name, value, param.shape)
        if problem:
            hint = {"dw": " (x.T @ dout has the shape of w; dout.T @ x is its transpose)",
                    "db": " (sum dout over the batch axis, axis=0)"}.get(name, "")
            return Verdict("wrong", f"{problem}{hint}.")
    report = gradcheck.check_backward(layers.affine_forward, affine_backward, inputs,
                                      douts=[dout])
    if report.ok:
        return from_gradcheck(report)
    for name, (what, candidate) in _affine_candidates(dout, inputs["x"],
                                                      inputs["W"]).items():
        if all(gradcheck.rel_error(np.asarray(g, float), c) < TOLERANCE
               for g, c in zip(got, candidate)):
            return Verdict("wrong", f"{what} (see \"The head, backwards\").", (name,))
    return from_gradcheck(report)


# --- softmax and cross-entropy ---------------------------------------------------------------

@exercise("softmax-loss", chapter=CHAPTER, section=SECTION_HEAD)
def check_softmax_loss(softmax_loss):
    scores = np.random.default_rng(0).standard_normal((4, 5))
    # A first call outside the diagnoser, so that an untouched stub reads "not attempted".
    softmax_loss(scores, np.array([0, 1, 2, 3]))
    diagnosis = diagnose_loss(softmax_loss)
    if diagnosis.ok:
        correct = ("the loss and dx agree with lstmlib's, the diagnoser sees no "
                   "mistake, and large scores do not overflow.")
        return from_loss_convention(diagnosis, correct)
    verdict = from_diagnosis(diagnosis)
    return Verdict("wrong", verdict.message + " The derivation is in \"The head, backwards\".",
                   verdict.mistakes)


# --- Adam ------------------------------------------------------------------------------------

def _adam_variant(bug):
    """lstmlib's Adam with one known slip; the classic signature."""
    def rule(w, dw, config=None):
        config = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
                  **(config or {})}
        b1, b2, eps = config["beta1"], config["beta2"], config["epsilon"]
        no_state = bug == "no state"  # then every update starts afresh, as the first
        t = 1 if no_state else config.get("t", 0) + 1
        m = 0 if no_state else config.get("m", np.zeros_like(w))
        v = 0 if no_state else config.get("v", np.zeros_like(w))
        if bug == "betas swapped":
            m, v = b1 * dw + (1 - b1) * m, b2 * dw * dw + (1 - b2) * v
        else:
            m, v = b1 * m + (1 - b1) * dw, b2 * v + (1 - b2) * dw * dw
        k = t if bug != "counter late" else t - 1
        with np.errstate(all="ignore"):
            if bug == "no bias correction":
                m_hat, v_hat = m, v
            else:
                m_hat, v_hat = m / (1 - b1 ** k), v / (1 - b2 ** k)
            if bug == "epsilon inside":
                step = m_hat / np.sqrt(v_hat + eps)
            else:
                step = m_hat / (np.sqrt(v_hat) + eps)
        if not no_state:
            config.update(t=t, m=m, v=v)
        return w - config["learning_rate"] * step, config
    return rule


ADAM_SLIPS = {
    "no bias correction": "the moments are used without the bias correction: m / (1 - "
                          "beta1**t) and v / (1 - beta2**t), which matter most in the first "
                          "updates, when m and v still start from zero",
    "counter late": "the bias correction uses the step count before it is incremented (t = "
                    "0 at the first update, a division by zero): count the update first",
    "epsilon inside": "epsilon is added under the square root; Adam adds it to sqrt(v_hat)",
    "no state": "m, v and t are not kept in config between calls, so every update acts as "
                "if it were the first",
    "betas swapped": "the moving averages keep (1 - beta) of the old value and beta of the "
                     "new gradient; it is beta * old + (1 - beta) * new",
}


def _run_rule(rule, w0, grads, config):
    """The weights after each update, an array (updates, *w0.shape); or, if the rule
    returns something else, what is wrong with it, a sentence."""
    w, trajectory = w0.copy(), []
    for update, dw in enumerate(grads, start=1):
        out = rule(w, dw.copy(), config)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return "adam should return (next_w, config)"
        w, config = out
        problem = shape_problem("next_w", w, w0.shape)
        if problem:  # checked each time: a rule may change the shape at any update
            return f"{problem} after update {update}"
        trajectory.append(np.array(w, dtype=float))
    return np.array(trajectory)


@exercise("adam", chapter=CHAPTER, section=SECTION_ADAM)
def check_adam(adam):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    # Gradient entries from 1e-4 to 10, so that epsilon and the bias correction both show.
    scale = 10.0 ** rng.uniform(-4, 1, size=w0.shape)
    grads = [scale * rng.standard_normal(w0.shape) for _ in range(6)]
    config = {"learning_rate": 1e-2}
    want = _run_rule(optim.adam, w0, grads, dict(config))
    got = _run_rule(adam, w0, grads, dict(config))
    if isinstance(got, str):
        return Verdict("wrong", got + ".")
    if np.isfinite(got).all():
        err = gradcheck.rel_error(got, want)
        if err < TOLERANCE:
            return Verdict("correct", f"{number_word(len(grads))} updates agree with "
                           f"lstmlib.optim.adam (relative error {err:.1e}).")
    for name, what in ADAM_SLIPS.items():
        candidate = _run_rule(_adam_variant(name), w0, grads, dict(config))
        same_nan = np.array_equal(np.isfinite(got), np.isfinite(candidate))
        finite = np.isfinite(got) & np.isfinite(candidate)
        matches = (not finite.any()
                   or gradcheck.rel_error(got[finite], candidate[finite]) < TOLERANCE)
        if same_nan and matches:
            return Verdict("wrong", f"{what} (see \"Adam, written out\").", (name,))
    first = int(np.argmax([not (gradcheck.rel_error(g, w) < TOLERANCE)
                           for g, w in zip(got, want)]))
    return Verdict("wrong", f"your updates differ from lstmlib.optim.adam from update "
                   f"{first + 1} on; compare each line with the equations in "
                   "\"Adam, written out\".")
