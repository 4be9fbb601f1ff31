"""Training with a mistake in the gradients: what each mistake does to learning.

The models and the training loop are the core's (``lstmlib.models``,
``lstmlib.train.fit``); the clinic only swaps in the buggy part through the
models' hooks::

    char_model_loss_and_grads(*ids)   ``models.char_lm_loss_and_grads`` with the loss and the
                                      LSTM backward of ``variants`` carrying the mistakes ids
    train_char_model(text_ids, V, ids)   the first post's char model, trained with them
    train_many_to_one(ids)            the adding problem, with a buggy many-to-one head

A sample of a trained char model is ``models.sample_chars(params, prime_ids,
length, rng=None, temperature=0)`` (greedy decoding).
"""
import numpy as np

from .. import models, optim
from ..data import adding_problem, text_windows
from ..lstm import split_gates
from ..train import fit
from .catalogue import LOSS_IDS
from .variants import SequenceCache, StepCache, last_step_backward, sequence_backward, softmax_loss

CELL_KEYS = ("Wx0", "Wh0", "b0")  # the LSTM's weights in ``models.init_char_lm``'s dict


def _clinic_loss(loss_ids):
    """A ``temporal_softmax_loss``-shaped hook around ``variants.softmax_loss(*loss_ids)``."""
    loss_fn = softmax_loss(*loss_ids)

    def loss(scores, targets):
        N, T, V = scores.shape
        value, dscores = loss_fn(scores.reshape(N * T, V), targets.reshape(N * T))
        return value, dscores.reshape(N, T, V)
    return loss


def _clinic_backward(lstm_ids, b):
    """A ``stacked_lstm_backward``-shaped hook (one layer) around ``variants.sequence_backward``."""
    backward = sequence_backward(*lstm_ids)

    def stack_backward(dh, stack_cache):
        (cache,) = stack_cache.layers
        x, T = cache.x, cache.x.shape[1]
        i, f, o, g = split_gates(cache.gates)
        steps = [StepCache(x[:, t], cache.prev_h[t], cache.prev_c[t], cache.Wx, cache.Wh,
                           i[:, t], f[:, t], o[:, t], g[:, t], cache.tanh_c[:, t], b, cache.c[:, t])
                 for t in range(T)]
        dx, dh0, dWx, dWh, db = backward(dh, SequenceCache(steps, cache.h))
        return dx, [dh0], [(dWx, dWh, db)]
    return stack_backward


def char_model_loss_and_grads(*ids):
    """``loss_and_grads(params, batch)`` of ``models.char_lm_loss_and_grads`` with mistakes ``ids``.

    params: from ``models.init_char_lm(V, [H], rng)`` (one layer); batch:
    (inputs, targets), (N, T) integer ids. ids: any mix of step, sequence and
    loss mistakes; the loss and the LSTM backward always come from
    ``variants`` (none: their correct versions), so every run, right or
    wrong, goes through the same arithmetic. The loss returned is the true
    one unless a loss mistake changes the loss itself (``softmax_not_shifted``).
    """
    loss_ids = tuple(i for i in ids if i in LOSS_IDS)
    lstm_ids = tuple(i for i in ids if i not in LOSS_IDS)
    loss = _clinic_loss(loss_ids)

    def loss_and_grads(params, batch):
        return models.char_lm_loss_and_grads(params, batch, loss=loss,
                                             backward=_clinic_backward(lstm_ids, params["b0"]))
    loss_and_grads.mistakes = tuple(ids)
    return loss_and_grads


def train_char_model(text_ids, V, ids=(), H=24, N=16, T=16, steps=300, learning_rate=1e-2,
                     rule=optim.adam, seed=0, track_every=0):
    """Train the one-layer char model of ``models.init_char_lm`` with the mistakes ``ids``.

    text_ids: (L,) integer ids of the training text (``lstmlib.data.encode``).
    Every step draws N windows of length T (``lstmlib.data.text_windows``) and
    ``train.fit`` applies ``rule`` (an ``lstmlib.optim`` rule) to every parameter.
    track_every: if > 0, every that many steps also compute the correct
    gradient of the LSTM's weights and record how the one used compares:
    ``sign_agreement``, the share of entries whose sign is right (Adam's step
    follows each entry's sign), and ``norm_ratio``, ``|used| / |correct|``.
    Returns params (the keys of ``models.init_char_lm``: Wx0, Wh0, b0, W_out,
    b_out) and a history dict of arrays: ``loss`` (steps,), the loss of each
    batch, ``grad_norm`` (``fit``'s), and with tracking ``tracked_step``,
    ``sign_agreement``, ``norm_ratio``.
    """
    rng = np.random.default_rng(seed)
    params = models.init_char_lm(V, [H], rng)
    used, correct = char_model_loss_and_grads(*ids), char_model_loss_and_grads()
    tracked = {"tracked_step": [], "sign_agreement": [], "norm_ratio": []}
    calls = 0

    def loss_and_grads(params, batch):
        nonlocal calls
        step, calls = calls, calls + 1
        loss, grads = used(params, batch)
        if track_every and step % track_every == 0:
            _, true = correct(params, batch)
            got = np.concatenate([grads[k].ravel() for k in CELL_KEYS])
            right = np.concatenate([true[k].ravel() for k in CELL_KEYS])
            tracked["tracked_step"].append(step)
            tracked["sign_agreement"].append(np.mean(np.sign(got) == np.sign(right)))
            tracked["norm_ratio"].append(np.linalg.norm(got) / np.linalg.norm(right))
        return loss, grads

    batches = (text_windows(text_ids, N, T, rng) for _ in range(steps))
    history = fit(params, loss_and_grads, batches, steps, rule=rule,
                  config={"learning_rate": learning_rate})
    history.update({name: np.array(values) for name, values in tracked.items()})
    return params, history


def train_many_to_one(ids=(), T=10, H=16, N=32, steps=400, learning_rate=1e-2, seed=0):
    """Train an LSTM on the adding problem, reading only h_{T-1}, with head mistakes ``ids``.

    The model is ``models.init_regressor("lstm", 2, H, rng)`` with the head's
    bias starting at 0: ``lstmlib.data.adding_problem`` batches (N, T, 2) ->
    LSTM (H units) -> the last hidden state -> an affine map to one number,
    trained by ``train.fit`` with Adam on the mean squared error, the head's
    backward replaced by ``variants.last_step_backward(*ids)``.
    Returns the loss of every batch, (steps,).
    """
    rng = np.random.default_rng(seed)
    params = models.init_regressor("lstm", 2, H, rng)
    params["b_out"] = np.zeros(1)
    head_backward = last_step_backward(*ids)

    def loss_and_grads(params, batch):
        # The head decides which h_t the loss reaches: only the last, if it is right.
        return models.regressor_loss_and_grads(params, batch, head_backward=head_backward)

    batches = (adding_problem(N, T, rng) for _ in range(steps))
    return fit(params, loss_and_grads, batches, steps,
               config={"learning_rate": learning_rate})["loss"]
