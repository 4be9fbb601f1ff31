"""Small data sets the book makes itself: characters of a text, and the adding problem."""
from typing import NamedTuple

import numpy as np


class Vocab(NamedTuple):
    chars: str   # the characters, in sorted order; index = id
    index: dict  # char -> id


def char_vocab(text):
    """The sorted set of characters in ``text`` as a Vocab."""
    if not text:
        raise ValueError("text is empty: a vocabulary needs at least one character")
    chars = "".join(sorted(set(text)))
    return Vocab(chars, {ch: i for i, ch in enumerate(chars)})


def encode(text, vocab):
    """Integer ids (len(text),) of the characters of ``text``."""
    missing = sorted(set(text) - set(vocab.index))
    if missing:
        raise ValueError(f"characters not in the vocabulary: {missing!r}")
    return np.array([vocab.index[ch] for ch in text], dtype=np.int64)


def decode(ids, vocab):
    """The text spelled by integer ids."""
    return "".join(vocab.chars[i] for i in ids)


def one_hot(ids, V, dtype=np.float64):
    """ids: integer array of any shape (...) -> one-hot floats (..., V)."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu" or (ids.size and (ids.min() < 0 or ids.max() >= V)):
        raise ValueError(f"ids should be integers in [0, {V}), got {ids.dtype} values")
    return np.eye(V, dtype=dtype)[ids]


def text_windows(ids, N, T, rng):
    """A batch of N random windows of a text for next-character prediction.

    ids: (L,) integer ids of the whole text, L > T.
    Returns inputs (N, T) and targets (N, T), the same windows shifted by one
    character: targets[:, t] is the character that follows inputs[:, t].
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) <= T:
        raise ValueError(f"ids should be a 1-D array longer than T={T}, got shape {ids.shape}")
    starts = rng.integers(0, len(ids) - T, size=N)
    offsets = starts[:, None] + np.arange(T)
    return ids[offsets], ids[offsets + 1]


def adding_problem(N, T, rng, dtype=np.float64):
    """The adding problem (Hochreiter & Schmidhuber 1997, experiment 4).

    Each sequence has T steps with two features: a value drawn uniformly
    from [0, 1] and a marker. Exactly two steps are marked, one in the first
    half and one in the second half; the target is the sum of their two
    values, in [0, 2]. Predicting the mean (1.0) gives a mean squared error
    of 1/6 ~ 0.167, the baseline a model must beat.

    Returns x (N, T, 2) and y (N, 1).
    """
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2 to place two markers, got T={T}")
    values = rng.uniform(0.0, 1.0, size=(N, T))
    first = rng.integers(0, T // 2, size=N)
    second = rng.integers(T // 2, T, size=N)
    markers = np.zeros((N, T))
    markers[np.arange(N), first] = 1.0
    markers[np.arange(N), second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values[np.arange(N), first] + values[np.arange(N), second])[:, None].astype(dtype)
    return x, y
