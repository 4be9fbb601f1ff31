"""Convert LSTM weights between lstmlib's layout and PyTorch's or Keras's.

The three libraries compute the same cell but store its weights differently:

============  ==========  =====================  =====================  ====================
library       gate order  input weights          recurrent weights      biases
============  ==========  =====================  =====================  ====================
lstmlib       i, f, o, g  Wx (D, 4H)             Wh (H, 4H)             b (4H,)
PyTorch       i, f, g, o  weight_ih (4H, D)      weight_hh (4H, H)      bias_ih + bias_hh
Keras         i, f, c, o  kernel (D, 4H)         recurrent_kernel (H,   bias (4H,)
                                                 4H)
============  ==========  =====================  =====================  ====================

Keras calls the candidate ``c`` where we say ``g``; PyTorch and Keras both put
it third and the output gate last. PyTorch multiplies ``W @ x`` with weights
stored (out, in), so its matrices are the transposes of ours, and it keeps two
bias vectors whose *sum* plays the role of our ``b``. Converting to PyTorch we
put all of ``b`` in ``bias_ih`` and zeros in ``bias_hh``.

Only numpy is needed: pass ``tensor.detach().numpy()`` in, ``torch.from_numpy`` out.
"""
import numpy as np

from ._checks import check_arrays


def _reorder_ours_to_theirs(w):
    """Permute the 4H (last) axis from i, f, o, g to i, f, g, o."""
    i, f, o, g = np.split(w, 4, axis=-1)
    return np.concatenate([i, f, g, o], axis=-1)


def _reorder_theirs_to_ours(w):
    """Permute the 4H (last) axis from i, f, g, o to i, f, o, g."""
    i, f, g, o = np.split(w, 4, axis=-1)
    return np.concatenate([i, f, o, g], axis=-1)


def to_pytorch(Wx, Wh, b):
    """lstmlib (Wx (D, 4H), Wh (H, 4H), b (4H,)) -> the four arrays of one ``nn.LSTM`` layer.

    Returns a dict with keys weight_ih_l0 (4H, D), weight_hh_l0 (4H, H),
    bias_ih_l0 (4H,) and bias_hh_l0 (4H,), in PyTorch's gate order i, f, g, o.
    """
    check_arrays(Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    return {
        "weight_ih_l0": _reorder_ours_to_theirs(Wx).T.copy(),
        "weight_hh_l0": _reorder_ours_to_theirs(Wh).T.copy(),
        "bias_ih_l0": _reorder_ours_to_theirs(b),
        "bias_hh_l0": np.zeros_like(b),
    }


def from_pytorch(weight_ih, weight_hh, bias_ih, bias_hh):
    """PyTorch ``nn.LSTM`` layer arrays -> lstmlib's (Wx (D, 4H), Wh (H, 4H), b (4H,)).

    weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,), gate order i, f, g, o.
    """
    check_arrays(weight_ih=(weight_ih, "4H D"), weight_hh=(weight_hh, "4H H"),
                 bias_ih=(bias_ih, "4H"), bias_hh=(bias_hh, "4H"))
    return (_reorder_theirs_to_ours(weight_ih.T), _reorder_theirs_to_ours(weight_hh.T),
            _reorder_theirs_to_ours(bias_ih + bias_hh))


def to_keras(Wx, Wh, b):
    """lstmlib -> Keras ``LSTM`` weights ``[kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)]``.

    The list is in the order ``layer.set_weights`` expects; gate order i, f, c, o.
    """
    check_arrays(Wx=(Wx, "D 4H"), Wh=(Wh, "H 4H"), b=(b, "4H"))
    return [_reorder_ours_to_theirs(Wx), _reorder_ours_to_theirs(Wh), _reorder_ours_to_theirs(b)]


def from_keras(kernel, recurrent_kernel, bias):
    """Keras ``LSTM`` weights (gate order i, f, c, o) -> lstmlib's (Wx, Wh, b)."""
    check_arrays(kernel=(kernel, "D 4H"), recurrent_kernel=(recurrent_kernel, "H 4H"),
                 bias=(bias, "4H"))
    return (_reorder_theirs_to_ours(kernel), _reorder_theirs_to_ours(recurrent_kernel),
            _reorder_theirs_to_ours(bias))
