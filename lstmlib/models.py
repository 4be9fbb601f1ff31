"""Two small models built only from lstmlib's layers, for the capstone chapter.

Every model is a dict of named arrays ``params`` plus a function
``*_loss_and_grads(params, batch) -> loss, grads`` whose ``grads`` has the
same keys as ``params``: exactly what ``lstmlib.train.fit`` and the gradient
checker (``lstmlib.gradcheck.check_loss``) need.

- The character-level language model: one-hot characters -> stacked LSTM ->
  the same affine map at every step -> softmax cross-entropy against the next
  character. Keys ``Wx0, Wh0, b0, Wx1, ...`` (one triple per layer, bottom
  first; gate order i, f, o, g along 4H) and ``W_out (H, V), b_out (V,)``.
- The many-to-one regressor for the adding problem: one recurrent layer
  (LSTM or tanh RNN), only the last hidden state feeds an affine map to one
  number, trained with mean squared error. Keys ``Wx, Wh, b, W_out (H, 1),
  b_out (1,)``; for the LSTM Wx is (D, 4H), for the RNN (D, H).

The dtype of the parameters is the dtype of the whole computation: float64
to check gradients, float32 to train faster.
"""
import numpy as np

from . import layers
from .activations import softmax
from .data import one_hot
from .lstm import init_lstm_params, lstm_backward, lstm_forward, lstm_step_forward
from .rnn import init_rnn_params, rnn_backward, rnn_forward
from .stacked import init_stacked_params, stacked_lstm_backward, stacked_lstm_forward, zero_states


def count_params(params):
    """The number of scalars in a dict of parameter arrays."""
    return int(sum(w.size for w in params.values()))


def _stack(params):
    """The LSTM layers' (Wx, Wh, b), bottom first, as ``lstmlib.stacked`` takes them."""
    depth = sum(1 for name in params if name.startswith("Wx"))
    return [(params[f"Wx{k}"], params[f"Wh{k}"], params[f"b{k}"]) for k in range(depth)]


# --- the character-level language model --------------------------------------------------------

def init_char_lm(V, hidden_sizes, rng, forget_bias=1.0, dtype=np.float64):
    """Parameters of a char model over V characters with LSTM layers of ``hidden_sizes``.

    Returns a dict: ``Wx0`` (V, 4H_0), ``Wh0`` (H_0, 4H_0), ``b0`` (4H_0,), then
    ``Wx1`` (H_0, 4H_1)... for each layer, and ``W_out`` (H_top, V), ``b_out`` (V,).
    """
    params = {}
    for layer, (Wx, Wh, b) in enumerate(init_stacked_params(V, hidden_sizes, rng, forget_bias,
                                                            dtype)):
        params.update({f"Wx{layer}": Wx, f"Wh{layer}": Wh, f"b{layer}": b})
    H = hidden_sizes[-1]
    params["W_out"] = (rng.standard_normal((H, V)) / np.sqrt(H)).astype(dtype)
    params["b_out"] = np.zeros(V, dtype=dtype)
    return params


def char_lm_scores(params, inputs):
    """Unnormalised next-character log-probabilities.

    inputs: (N, T) integer character ids. Returns scores (N, T, V), where
    scores[n, t] scores the character that follows inputs[n, t], and the
    caches of the stack and the head (for ``char_lm_loss_and_grads``).
    """
    W_out = params["W_out"]
    x = one_hot(inputs, W_out.shape[1], dtype=W_out.dtype)  # (N, T, V)
    stack = _stack(params)
    h, stack_cache = stacked_lstm_forward(x, zero_states(x, stack), stack)
    scores, head_cache = layers.temporal_affine_forward(h, W_out, params["b_out"])
    return scores, (stack_cache, head_cache)


def char_lm_loss_and_grads(params, batch, *, loss=None, backward=None):
    """Mean cross-entropy (nats per character) and its gradients.

    batch: ``(inputs, targets)``, both (N, T) integer ids; targets[:, t]
    is the character after inputs[:, t] (``data.text_windows`` makes them).
    loss, backward: hooks for a loss or a backward under test (the clinic
    trains with its buggy variants): ``loss(scores (N, T, V), targets (N, T))
    -> (loss, dscores)``, default ``layers.temporal_softmax_loss``;
    ``backward(dh, stack_cache) -> (dx, dh0s, dparams)``, default
    ``stacked.stacked_lstm_backward``.
    Returns loss (float) and grads, a dict with the keys of ``params``.
    """
    inputs, targets = batch
    scores, (stack_cache, head_cache) = char_lm_scores(params, inputs)
    # dscores is already (softmax - onehot) / count: no extra softmax factor.
    value, dscores = (loss or layers.temporal_softmax_loss)(scores, targets)
    dh, dW_out, db_out = layers.temporal_affine_backward(dscores, head_cache)
    _, _, dlayers = (backward or stacked_lstm_backward)(dh, stack_cache)
    grads = {"W_out": dW_out, "b_out": db_out}
    for layer, (dWx, dWh, db) in enumerate(dlayers):
        grads.update({f"Wx{layer}": dWx, f"Wh{layer}": dWh, f"b{layer}": db})
    return value, {name: grads[name] for name in params}


def sample_chars(params, prime, length, rng, temperature=1.0):
    """Generate ``length`` character ids, one step at a time.

    prime: a non-empty sequence of ids, fed in first to set the state.
    Each next id is drawn from softmax(scores / temperature) with ``rng``,
    so the same seed gives the same text. ``temperature=0`` is greedy
    decoding: always the most likely character (``rng`` is then unused).
    Returns an int64 array (length,).
    """
    if len(prime) == 0:
        raise ValueError("prime should hold at least one character id to start from")
    if temperature < 0:
        raise ValueError(f"temperature should be 0 (greedy) or positive, got {temperature}")
    W_out, b_out = params["W_out"], params["b_out"]
    V = W_out.shape[1]
    stack = _stack(params)
    hs = [np.zeros((1, Wh.shape[0]), dtype=W_out.dtype) for _, Wh, _ in stack]
    cs = [np.zeros_like(h) for h in hs]
    out = np.empty(length, dtype=np.int64)

    def step(char_id):
        x = one_hot(np.array([char_id]), V, dtype=W_out.dtype)  # (1, V)
        for layer, (Wx, Wh, b) in enumerate(stack):
            hs[layer], cs[layer], _ = lstm_step_forward(x, hs[layer], cs[layer], Wx, Wh, b)
            x = hs[layer]
        return (x @ W_out + b_out)[0]  # (V,) scores of the next character

    for char_id in prime:
        scores = step(char_id)
    for k in range(length):
        if temperature == 0:
            out[k] = np.argmax(scores)
        else:
            out[k] = rng.choice(V, p=softmax(scores.astype(np.float64) / temperature))
        scores = step(out[k])
    return out


# --- the many-to-one regressor for the adding problem ---------------------------------------

def init_regressor(cell, D, H, rng, forget_bias=1.0, dtype=np.float64):
    """Parameters of a many-to-one regressor with one ``cell`` layer ("lstm" or "rnn").

    LSTM: Wx (D, 4H), Wh (H, 4H), b (4H,) with the forget-gate bias at ``forget_bias``.
    RNN: Wx (D, H), Wh (H, H), b (H,); Wh is Gaussian with variance 1/H, so its
    spectral radius starts near 1 (neither vanishing nor exploding fast).
    Both: W_out (H, 1), b_out (1,), with b_out = 1, the mean of the adding
    problem's targets, so training starts at the trivial baseline.
    """
    if cell == "lstm":
        Wx, Wh, b = init_lstm_params(D, H, rng, forget_bias)
    elif cell == "rnn":
        Wx, Wh, b = init_rnn_params(D, H, rng, spectral_radius=None)
    else:
        raise ValueError(f"cell should be 'lstm' or 'rnn', got {cell!r}")
    W_out = rng.standard_normal((H, 1)) / np.sqrt(H)
    params = {"Wx": Wx, "Wh": Wh, "b": b, "W_out": W_out, "b_out": np.ones(1)}
    return {name: w.astype(dtype) for name, w in params.items()}


def _cell(params):
    H, gates = params["Wh"].shape
    return "lstm" if gates == 4 * H else "rnn"  # LSTM: Wh (H, 4H); RNN: Wh (H, H)


def regressor_predict(params, x):
    """x: (N, T, D) -> predictions (N, 1) from the last hidden state, and caches."""
    forward = lstm_forward if _cell(params) == "lstm" else rnn_forward
    H = params["Wh"].shape[0]
    h0 = np.zeros((x.shape[0], H), dtype=params["Wh"].dtype)
    h, cell_cache = forward(x, h0, params["Wx"], params["Wh"], params["b"])
    last, last_cache = layers.last_step_forward(h)
    pred, head_cache = layers.affine_forward(last, params["W_out"], params["b_out"])
    return pred, (cell_cache, last_cache, head_cache)


def regressor_loss_and_grads(params, batch, *, head_backward=None):
    """Mean squared error of a many-to-one regressor and its gradients.

    Works for both cells (an LSTM's Wh is (H, 4H), an RNN's (H, H)).
    batch: ``(x, y)`` with x (N, T, D) and y (N, 1), as made by
    ``lstmlib.data.adding_problem``. head_backward: a hook for a many-to-one
    head's backward under test, ``head_backward(dlast, last_cache) -> dh``,
    default ``layers.last_step_backward``.
    Returns loss (float) and grads (dict).
    """
    x, y = batch
    pred, (cell_cache, last_cache, head_cache) = regressor_predict(params, x)
    loss, dpred = layers.mse_loss(pred, y)
    dlast, dW_out, db_out = layers.affine_backward(dpred, head_cache)
    dh = (head_backward or layers.last_step_backward)(dlast, last_cache)  # zero but at T-1
    backward = lstm_backward if _cell(params) == "lstm" else rnn_backward
    _, _, dWx, dWh, db = backward(dh, cell_cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}


def regressor_input_gradient(params, x):
    """How much the prediction moves with each input: d pred / d x, (N, T, D).

    x: (N, T, D). Row n holds the gradient of prediction n with respect to
    every input of sequence n (sequences do not interact). For a model that
    has learned the adding problem, the gradient with respect to the value
    feature is near 1 at the two marked steps and near 0 everywhere else.
    """
    pred, (cell_cache, last_cache, head_cache) = regressor_predict(params, x)
    dlast, _, _ = layers.affine_backward(np.ones_like(pred), head_cache)
    dh = layers.last_step_backward(dlast, last_cache)
    backward = lstm_backward if _cell(params) == "lstm" else rnn_backward
    dx, *_ = backward(dh, cell_cache)
    return dx
