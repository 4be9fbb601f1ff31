"""Probes: small float64 inputs whose values make every catalogued mistake visible."""
import numpy as np

# --- probes -------------------------------------------------------------------------------------

def step_probe(seed=0, N=3, H=3):
    """Inputs (dict) and upstream gradients for one LSTM step, in float64.

    D = 4H + 2 so that dx determines dL/da; prev_c is large (``|c| > 1``) so that
    tanh'(c) and 1 - c**2 differ in sign; the biases are far from zero.
    """
    rng = np.random.default_rng(seed)
    D = 4 * H + 2
    inputs = {
        "x": rng.standard_normal((N, D)),
        "prev_h": rng.uniform(-0.9, 0.9, (N, H)),
        "prev_c": rng.choice([-1.0, 1.0], (N, H)) * rng.uniform(1.5, 2.5, (N, H)),
        "Wx": rng.standard_normal((D, 4 * H)) / np.sqrt(D),
        "Wh": rng.standard_normal((H, 4 * H)) / np.sqrt(H),
        "b": rng.uniform(-1.0, 1.0, 4 * H) + np.repeat([0.5, 1.0, 0.0, 0.0], H),
    }
    upstream = (rng.standard_normal((N, H)), rng.standard_normal((N, H)))
    return inputs, upstream


def sequence_probe(seed=0, N=2, T=5, H=3):
    """Inputs (dict) and upstream dh for a sequence, in float64.

    The forget and input biases are positive and the candidate's weights
    large, so ``|c|`` grows past 1 within a few steps; h0 is random, far from ones.
    """
    rng = np.random.default_rng(seed)
    D = 4 * H + 2
    Wx = rng.standard_normal((D, 4 * H)) / np.sqrt(D)
    Wx[:, 3 * H:] *= 2.0
    inputs = {
        "x": rng.standard_normal((N, T, D)),
        "h0": rng.uniform(-0.9, 0.9, (N, H)),
        "Wx": Wx,
        "Wh": rng.standard_normal((H, 4 * H)) / np.sqrt(H),
        "b": rng.uniform(-0.5, 0.5, 4 * H) + np.repeat([1.0, 2.0, 0.0, 0.0], H),
    }
    return inputs, (rng.standard_normal((N, T, H)),)


def peephole_step_probe(seed=0, N=3, H=3):
    """A step probe plus peephole weights p (3, H) large enough to matter."""
    inputs, upstream = step_probe(seed, N, H)
    rng = np.random.default_rng(seed + 1)
    inputs["p"] = rng.choice([-1.0, 1.0], (3, H)) * rng.uniform(0.3, 0.8, (3, H))
    return inputs, upstream


def loss_probe(seed=0, N=4, C=5):
    """scores (N, C) and labels y (N,) for a softmax loss."""
    rng = np.random.default_rng(seed)
    return 1.5 * rng.standard_normal((N, C)), rng.permutation(np.arange(N) % C)
