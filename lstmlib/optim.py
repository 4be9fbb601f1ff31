"""Update rules and gradient clipping.

Each rule has the classic signature ``rule(w, dw, config) -> next_w, config``:
``config`` is a dict holding the hyperparameters and any running state (the
momentum velocity, Adam's moments), so one config per parameter array.
``None`` starts a fresh config with the defaults.
"""
import numpy as np


def sgd(w, dw, config=None):
    """Plain gradient descent: w - learning_rate * dw."""
    config = {"learning_rate": 1e-2, **(config or {})}
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """Gradient descent with momentum: v = mu v - lr dw; w + v."""
    config = {"learning_rate": 1e-2, "momentum": 0.9, **(config or {})}
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def adam(w, dw, config=None):
    """Adam (Kingma & Ba 2015), with bias-corrected first and second moments."""
    config = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
              **(config or {})}
    t = config.get("t", 0) + 1
    beta1, beta2 = config["beta1"], config["beta2"]
    m = beta1 * config.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = beta2 * config.get("v", np.zeros_like(w)) + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config.update(t=t, m=m, v=v)
    return next_w.astype(w.dtype, copy=False), config


def global_norm(grads):
    """sqrt of the sum of squares of every entry of every array in ``grads`` (dict or list)."""
    values = grads.values() if isinstance(grads, dict) else grads
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in values)))


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so their global norm is at most ``max_norm``.

    Scaling every array by the same factor keeps the update's direction and
    only shortens it (Pascanu, Mikolov & Bengio 2013).
    grads: dict name -> array (or a list). Returns (clipped grads, norm before clipping).
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm should be positive, got {max_norm}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    if isinstance(grads, dict):
        return {name: g * scale for name, g in grads.items()}, norm
    return [g * scale for g in grads], norm


def update(params, grads, rule, configs):
    """Apply ``rule`` to every parameter in place of the dict ``params``.

    params, grads: dict name -> array; configs: dict name -> config (updated).
    """
    for name in params:
        params[name], configs[name] = rule(params[name], grads[name], configs.get(name))
