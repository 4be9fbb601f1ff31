"""Activations and their derivatives, named by what they take.

A backward pass has the activation's *output* at hand (it was cached in the
forward pass), so the derivative helpers take that output:

    sigmoid'(a) = y (1 - y)      with y = sigmoid(a)
    tanh'(a)    = 1 - y**2       with y = tanh(a)

Their names say so: ``dtanh_from_output(y)``. Passing a pre-activation to a
``*_from_output`` helper is the classic bug of the first learner's post
(``1 - c**2`` where ``1 - tanh(c)**2`` belongs); the name makes it visible.
"""
import numpy as np


def sigmoid(a, out=None):
    """Logistic function 1 / (1 + exp(-a)), stable for any finite ``a``.

    Computed as (1 + tanh(a / 2)) / 2, the same function written with tanh,
    which saturates at ±1 instead of overflowing: no warning at a = ±1e4,
    and an absolute error below 3e-16 everywhere. (The price: for a < -37 the
    result is exactly 0 rather than a number below 1e-16.) With ``out`` it
    works in place and allocates nothing, which matters inside a time loop.
    """
    if out is None:
        return 0.5 * np.tanh(0.5 * a) + 0.5
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def tanh(a, out=None):
    """Hyperbolic tangent (numpy's is already stable: tanh(±1e4) = ±1)."""
    return np.tanh(a, out=out)


def dsigmoid_from_output(y):
    """sigmoid'(a) written in terms of the output y = sigmoid(a): y (1 - y)."""
    return y * (1.0 - y)


def dtanh_from_output(y):
    """tanh'(a) written in terms of the output y = tanh(a): 1 - y**2."""
    return 1.0 - y * y


def dsigmoid_from_input(a):
    """sigmoid'(a) from the pre-activation a (recomputes the sigmoid)."""
    return dsigmoid_from_output(sigmoid(a))


def dtanh_from_input(a):
    """tanh'(a) from the pre-activation a (recomputes the tanh)."""
    return dtanh_from_output(np.tanh(a))


def log_softmax(scores, axis=-1):
    """log softmax along ``axis``, stable: shift by the max before exp."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(scores, axis=-1):
    """softmax along ``axis``, stable: shift by the max before exp."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
