"""softmax + cross-entropy written several ways."""
import numpy as np


def onehot(y, C):
    out = np.zeros((len(y), C))
    out[np.arange(len(y)), y] = 1.0
    return out


def loss_logsumexp(scores, y):
    m = scores.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(scores - m).sum(axis=1))
    loss = np.mean(lse - scores[np.arange(len(y)), y])
    p = np.exp(scores - lse[:, None])
    return loss, (p - onehot(y, scores.shape[1])) / len(y)


def loss_summed(scores, y):
    z = scores - scores.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).sum(), p - onehot(y, scores.shape[1])


def loss_naive_exp(scores, y):
    p = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean(), (p - onehot(y, scores.shape[1])) / len(y)


def loss_grad_not_divided(scores, y):
    z = scores - scores.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean(), p - onehot(y, scores.shape[1])


def loss_target_minus_output(scores, y):
    z = scores - scores.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean(), (onehot(y, scores.shape[1]) - p) / len(y)


def loss_probs_only(scores, y):
    z = scores - scores.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean(), p / len(y)


def loss_half(scores, y):
    # not in the catalogue: a stray factor 1/2 in the gradient
    loss, d = loss_logsumexp(scores, y)
    return loss, 0.5 * d


IMPLEMENTATIONS = [
    dict(name="logsumexp", kind="loss", functions=(loss_logsumexp,), expect=None),
    dict(name="summed", kind="loss", functions=(loss_summed,), expect=None),
    dict(name="naive_exp", kind="loss", functions=(loss_naive_exp,), expect="softmax_not_shifted"),
    dict(name="not_divided", kind="loss", functions=(loss_grad_not_divided,),
         expect="loss_grad_not_divided_by_batch"),
    dict(name="target_minus_output", kind="loss", functions=(loss_target_minus_output,),
         expect="loss_grad_sign_flipped"),
    dict(name="probs_only", kind="loss", functions=(loss_probs_only,),
         expect="loss_grad_forgets_target"),
    dict(name="half", kind="loss", functions=(loss_half,), expect="unknown"),
]
