"""Chapter 2's coding exercises: the LSTM forward, one step and a whole sequence.

A forward pass has no gradient to check, so both checks compare the reader's
outputs with lstmlib's (``lstm_step_forward``, ``lstm_forward``) on a small random
problem. When they differ, the check looks for the known mistake behind it, as
chapter 1's does: the forward below is written once, with a switch for each
mistake a learner typically makes, and the smallest set of switched-on mistakes
whose outputs equal the reader's to rounding error is named.
"""

import numpy as np

from ...activations import sigmoid
from ...gradcheck import rel_error
from ...lstm import lstm_forward, lstm_step_forward
from . import (
    TOLERANCE,
    Verdict,
    exercise,
    from_comparison,
    from_named_mistakes,
    name_mistakes,
    shape_problem,
)

SECTIONS = {
    "lstm-gates": "The four gates",
    "lstm-one-product": "One matrix product for four gates",
    "lstm-sequence": "From one step to a sequence",
}

# id -> (what the wrong code does, the label of the section that explains the right one)
MISTAKES = {
    "gates_in_torch_order": (
        "the blocks of a are read in the order i, f, g, o (PyTorch's and Keras's) "
        "instead of lstmlib's i, f, o, g", "lstm-one-product"),
    "gates_interleaved": (
        "gate k is taken as every fourth column, a[:, k::4], instead of the block "
        "a[:, k*H:(k+1)*H]", "lstm-one-product"),
    "candidate_sigmoid": (
        "the candidate g goes through a sigmoid instead of tanh", "lstm-gates"),
    "bias_missing": ("the bias b is left out of a", "lstm-gates"),
    "cell_without_input_gate": (
        "c_t = f * c_{t-1} + g, without the input gate", "lstm-gates"),
    "cell_without_forget_gate": (
        "c_t = c_{t-1} + i * g, without the forget gate", "lstm-gates"),
    "hidden_without_tanh": ("h_t = o * c_t, without the tanh of the cell", "lstm-gates"),
    "hidden_from_old_cell": ("h_t = o * tanh(c_{t-1}) instead of o * tanh(c_t)",
                             "lstm-gates"),
    "cell_starts_from_h0": (
        "the cell starts from h0 instead of zeros", "lstm-sequence"),
    "hidden_not_carried": (
        "every step reads h0 instead of the previous step's h", "lstm-sequence"),
    "cell_not_carried": (
        "every step starts from a zero cell instead of the previous step's c",
        "lstm-sequence"),
    "cell_returned_as_h": ("h[:, t] holds c_t instead of h_t", "lstm-sequence"),
    "time_reversed": ("the loop runs over the steps from last to first", "lstm-sequence"),
}
# what the reports say: id -> (what the wrong code does, the title of its section)
_EXPLAINED = {m: (what, SECTIONS[label]) for m, (what, label) in MISTAKES.items()}
_ALTERNATIVES = [
    {"gates_in_torch_order", "gates_interleaved"},
    {"hidden_without_tanh", "hidden_from_old_cell"},
    {"cell_starts_from_h0", "cell_not_carried"},
]
STEP_MISTAKES = ["gates_in_torch_order", "gates_interleaved", "candidate_sigmoid",
                 "bias_missing", "cell_without_input_gate", "cell_without_forget_gate",
                 "hidden_without_tanh", "hidden_from_old_cell"]
SEQUENCE_MISTAKES = ["cell_starts_from_h0", "hidden_not_carried", "cell_not_carried",
                     "cell_returned_as_h", "time_reversed"] + STEP_MISTAKES


# --- the forward, with switchable mistakes ------------------------------------------------

def step_forward_with(x, prev_h, prev_c, Wx, Wh, b, mistakes=()):
    """``lstm_step_forward``'s next_h, next_c with the named mistakes switched on."""
    mistakes = set(mistakes)
    a = x @ Wx + prev_h @ Wh + (0 if "bias_missing" in mistakes else b)
    H = prev_h.shape[1]
    if "gates_interleaved" in mistakes:
        a_i, a_f, a_o, a_g = (a[:, k::4] for k in range(4))
    else:
        blocks = [a[:, k * H:(k + 1) * H] for k in range(4)]
        if "gates_in_torch_order" in mistakes:
            a_i, a_f, a_g, a_o = blocks
        else:
            a_i, a_f, a_o, a_g = blocks
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)
    g = sigmoid(a_g) if "candidate_sigmoid" in mistakes else np.tanh(a_g)
    kept = prev_c if "cell_without_forget_gate" in mistakes else f * prev_c
    written = g if "cell_without_input_gate" in mistakes else i * g
    next_c = kept + written
    if "hidden_without_tanh" in mistakes:
        next_h = o * next_c
    elif "hidden_from_old_cell" in mistakes:
        next_h = o * np.tanh(prev_c)
    else:
        next_h = o * np.tanh(next_c)
    return next_h, next_c


def forward_with(x, h0, Wx, Wh, b, mistakes=()):
    """``lstm_forward``'s h (N, T, H) with the named mistakes switched on."""
    mistakes = set(mistakes)
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h = h0
    prev_c = h0 if "cell_starts_from_h0" in mistakes else np.zeros_like(h0)
    for t in (reversed(range(T)) if "time_reversed" in mistakes else range(T)):
        if "cell_not_carried" in mistakes:
            prev_c = np.zeros_like(h0)
        if "hidden_not_carried" in mistakes:
            prev_h = h0
        next_h, next_c = step_forward_with(x[:, t], prev_h, prev_c, Wx, Wh, b, mistakes)
        h[:, t] = next_c if "cell_returned_as_h" in mistakes else next_h
        prev_h, prev_c = next_h, next_c
    return h


# --- naming the mistake -------------------------------------------------------------------

def _verdict(got, want, wrong_forward, ids):
    """Compare named outputs ``got`` with lstmlib's ``want``; name the mistake if wrong."""
    for name, value in got.items():
        problem = shape_problem(name, value, np.shape(want[name]))
        if problem:
            return Verdict("wrong", problem + ".")
    if from_comparison(got, want).ok:
        names = " and ".join(want)
        return Verdict("correct", f"{names} match{'es' if len(want) == 1 else ''} "
                       f"lstmlib's to {TOLERANCE:.0e}.")
    bad = [name for name in want if not rel_error(got[name], want[name]) < TOLERANCE]
    message = (f"{' and '.join(bad)} differ{'s' if len(bad) == 1 else ''} from lstmlib's "
               f"(relative error {max(rel_error(got[n], want[n]) for n in bad):.1e}).")
    mistakes = name_mistakes(tuple(got.values()), wrong_forward, ids, _ALTERNATIVES)
    return from_named_mistakes(message, mistakes, _EXPLAINED, what="outputs")


def _unpack(out, names):
    """The reader's first len(names) outputs as a dict, or a message saying what is off."""
    if not isinstance(out, (tuple, list)) or len(out) < len(names) + 1:
        return (f"return {', '.join(names)} and a cache (anything you like), in that "
                f"order; got {type(out).__name__}"
                + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return dict(zip(names, out))


def step_problem(seed=0, N=3, D=4, H=5):
    """A small random problem for one LSTM step: x, prev_h, prev_c, Wx, Wh, b (float64)."""
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((N, D)), "prev_h": np.tanh(rng.standard_normal((N, H))),
            "prev_c": rng.standard_normal((N, H)),
            "Wx": rng.standard_normal((D, 4 * H)) / np.sqrt(D),
            "Wh": rng.standard_normal((H, 4 * H)) / np.sqrt(H),
            "b": 0.5 * rng.standard_normal(4 * H)}


def sequence_problem(seed=0, N=2, T=5, D=3, H=4):
    """A small random problem for a sequence: x (N, T, D), h0, Wx, Wh, b (float64)."""
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((N, T, D)), "h0": np.tanh(rng.standard_normal((N, H))),
            "Wx": rng.standard_normal((D, 4 * H)) / np.sqrt(D),
            "Wh": rng.standard_normal((H, 4 * H)) / np.sqrt(H),
            "b": 0.5 * rng.standard_normal(4 * H)}


def _copies(inputs):
    return {name: value.copy() for name, value in inputs.items()}


@exercise("lstm-step-forward", chapter=2, section="lstm-one-product")
def check_lstm_step_forward(lstm_step_forward_reader):
    """The reader's ``lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b) -> next_h, next_c,
    cache``, compared with lstmlib's."""
    inputs = step_problem()
    got = _unpack(lstm_step_forward_reader(*_copies(inputs).values()), ["next_h", "next_c"])
    if isinstance(got, str):
        return Verdict("wrong", got + ".")
    next_h, next_c, _ = lstm_step_forward(*inputs.values())
    return _verdict(got, {"next_h": next_h, "next_c": next_c},
                    lambda combo: step_forward_with(*inputs.values(), combo), STEP_MISTAKES)


@exercise("lstm-forward", chapter=2, section="lstm-sequence")
def check_lstm_forward(lstm_forward_reader):
    """The reader's ``lstm_forward(x, h0, Wx, Wh, b) -> h, cache`` (h: (N, T, H), the
    cell starting from zeros), compared with lstmlib's."""
    inputs = sequence_problem()
    got = _unpack(lstm_forward_reader(*_copies(inputs).values()), ["h"])
    if isinstance(got, str):
        return Verdict("wrong", got + ".")
    h, _ = lstm_forward(*inputs.values())
    return _verdict(got, {"h": h}, lambda combo: (forward_with(*inputs.values(), combo),),
                    SEQUENCE_MISTAKES)
