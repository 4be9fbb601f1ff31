"""Cross-entropy the way the C++ post writes it: summed, sometimes with a dsoftmax on top."""
import numpy as np


def _probs(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _onehot(y, C):
    return np.eye(C)[y]


def loss_sum_dsoftmax(scores, y):
    """Summed CE; the gradient gets the element-wise softmax derivative y(1-y) too."""
    p = _probs(scores)
    t = _onehot(y, scores.shape[-1])
    L = -np.sum(t * np.log(p))
    return L, (p - t) * p * (1 - p)


def loss_sum(scores, y):
    p = _probs(scores)
    t = _onehot(y, scores.shape[-1])
    return -np.sum(t * np.log(p)), p - t


def loss_mean_NT_dsoftmax(scores, targets):
    """A temporal loss: scores (N, T, V), averaged over every position."""
    if scores.ndim != 3:
        raise ValueError("scores must be (N, T, V)")
    N, T, V = scores.shape
    p = _probs(scores)
    t = _onehot(targets, V)
    return -np.sum(t * np.log(p)) / (N * T), (p - t) * p * (1 - p) / (N * T)


def loss_mean_NT(scores, targets):
    if scores.ndim != 3:
        raise ValueError("scores must be (N, T, V)")
    N, T, V = scores.shape
    p = _probs(scores)
    t = _onehot(targets, V)
    return -np.sum(t * np.log(p)) / (N * T), (p - t) / (N * T)


def loss_sum_flipped_dsoftmax(scores, y):
    p = _probs(scores)
    t = _onehot(y, scores.shape[-1])
    return -np.sum(t * np.log(p)), -(p - t) * p * (1 - p)


IMPLEMENTATIONS = [
    dict(name="sum_dsoftmax", kind="loss", functions=(loss_sum_dsoftmax,),
         expect="softmax_grad_on_cross_entropy", convention="sum"),
    dict(name="sum_correct", kind="loss", functions=(loss_sum,), expect=None, convention="sum"),
    dict(name="mean_NT_dsoftmax", kind="loss", functions=(loss_mean_NT_dsoftmax,),
         expect="softmax_grad_on_cross_entropy", convention="mean over N*T"),
    dict(name="mean_NT_correct", kind="loss", functions=(loss_mean_NT,), expect=None,
         convention="mean over N*T"),
    dict(name="sum_flipped_dsoftmax", kind="loss", functions=(loss_sum_flipped_dsoftmax,),
         expect=("loss_grad_sign_flipped", "softmax_grad_on_cross_entropy"), convention="sum"),
]
