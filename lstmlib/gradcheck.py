"""Gradient checking: compare a backward pass with central differences.

    df/dx_k  ~  (f(x + h e_k) - f(x - h e_k)) / (2 h)

The truncation error is O(h**2) and the rounding error O(eps / h), so in
float64 a step h near 1e-5 leaves about 1e-10 of error; in float32 no step
gives a useful answer, which is why every check here runs in float64.

Relative error is measured against the scale of the whole array,

    rel_error(a, b) = max|a - b| / (max|a| + max|b|),

so a single wrong element shows up, but tiny entries (whose numerical
estimate is pure rounding noise) do not raise false alarms.
"""
from typing import NamedTuple

import numpy as np

TOLERANCE = 1e-8


def rel_error(a, b):
    """max|a - b| / (max|a| + max|b|); 0 when both are zero. Shapes must match."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    scale = np.abs(a).max(initial=0.0) + np.abs(b).max(initial=0.0)
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar ``f()`` with respect to array ``x``.

    ``f`` takes no arguments and reads ``x``, which is perturbed in place one
    entry at a time and restored exactly afterwards. Returns an array like x.
    """
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f()
        x[idx] = saved - h
        f_minus = f()
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


class GradCheckRow(NamedTuple):
    name: str
    shape: tuple
    error: float
    ok: bool


class GradReport:
    """The result of a gradient check: one row per gradient.

    ``report.ok`` is True when every row passes; ``report.errors`` maps
    gradient names to relative errors; printing shows a table.
    """

    def __init__(self, rows, tolerance):
        self.rows = list(rows)
        self.tolerance = tolerance

    @property
    def ok(self):
        return all(row.ok for row in self.rows)

    @property
    def errors(self):
        return {row.name: row.error for row in self.rows}

    @property
    def max_error(self):
        return max(row.error for row in self.rows)

    def __str__(self):
        width = max(len("gradient"), *(len(row.name) for row in self.rows))
        lines = [f"{'gradient':<{width}}  {'shape':<14} rel. error  (pass < {self.tolerance:.0e})"]
        for row in self.rows:
            mark = "ok" if row.ok else "FAIL"
            lines.append(f"{row.name:<{width}}  {str(row.shape):<14} {row.error:9.1e}   {mark}")
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def _report(names, analytic, numeric, tolerance):
    rows = []
    for name, a, n in zip(names, analytic, numeric):
        err = rel_error(a, n)
        rows.append(GradCheckRow(name, tuple(np.shape(a)), err, err < tolerance))
    return GradReport(rows, tolerance)


def check_backward(forward, backward, inputs, rng=None, h=1e-5, tolerance=TOLERANCE, douts=None):
    """Check ``backward`` against central differences of ``forward``.

    forward: called as ``forward(*inputs.values())``, returns ``(out_1, ..., out_k, cache)``
    in the classic ``*_forward`` style.
    backward: called as ``backward(dout_1, ..., dout_k, cache)``, returns one gradient
    per input, in the order of ``inputs`` (the classic ``*_backward`` convention).
    inputs: dict name -> float64 array.
    rng: a ``np.random.Generator`` drawing the upstream gradients dout_j; or pass
    ``douts``, a list of k arrays shaped like the outputs, to choose them yourself
    (e.g. all ones, to see which bugs such a check is blind to).

    The scalar being differentiated is L = sum_j sum(out_j * dout_j), so that
    every element of every output is exercised with a different weight.
    Returns a GradReport with rows named ``d<input name>``.
    """
    names = list(inputs)
    arrays = [inputs[name] for name in names]
    *outs, cache = forward(*arrays)
    if douts is None:
        if rng is None:
            raise ValueError("pass rng (to draw random upstream gradients) or douts")
        douts = [rng.standard_normal(np.shape(out)) for out in outs]
    elif len(douts) != len(outs) or any(np.shape(d) != np.shape(o) for d, o in zip(douts, outs)):
        raise ValueError(f"douts should be {len(outs)} arrays of shapes "
                         f"{[np.shape(o) for o in outs]}, got {[np.shape(d) for d in douts]}")
    analytic = backward(*douts, cache)
    if len(analytic) != len(arrays):
        raise ValueError(f"backward returned {len(analytic)} gradients for {len(arrays)} inputs "
                         f"({', '.join(names)}); it should return one per input, in order")

    def loss():
        *outs, _ = forward(*arrays)
        return sum(float(np.sum(out * dout)) for out, dout in zip(outs, douts))

    numeric = [numerical_gradient(loss, x, h) for x in arrays]
    return _report(["d" + name for name in names], analytic, numeric, tolerance)


def check_loss(loss, params, grads, h=1e-5, tolerance=TOLERANCE):
    """Check the gradients of a scalar loss with respect to named parameters.

    loss: ``loss()`` returns a float computed from ``params`` (read in place).
    params: dict name -> array; grads: dict name -> the analytic gradient.
    Returns a GradReport with rows named ``d<name>``.
    """
    names = list(params)
    numeric = [numerical_gradient(loss, params[name], h) for name in names]
    return _report(["d" + name for name in names], [grads[name] for name in names], numeric,
                   tolerance)


def step_size_sweep(loss, x, exact, steps):
    """Relative error of the central-difference gradient of ``loss`` for each step h.

    loss: ``loss()`` -> float, reading ``x`` in place; x: the array differentiated
    (its dtype is the precision the differences are taken in); exact: the true
    gradient, same shape as x; steps: the step sizes h.
    Returns an array of len(steps): ``rel_error(numerical, exact)`` for each h.
    On log-log axes it is a V: truncation error ~ h**2 on the right, rounding
    error ~ eps / h on the left.
    """
    if np.shape(exact) != np.shape(x):
        raise ValueError(f"exact should have the shape of x, {np.shape(x)}, got {np.shape(exact)}")
    if any(step <= 0 for step in steps):
        raise ValueError(f"every step h should be positive, got {list(steps)}")
    return np.array([rel_error(numerical_gradient(loss, x, step), exact) for step in steps])
