"""lstmlib: backpropagation through RNNs and LSTMs, by hand, in numpy.

The companion library of the book *LSTM Backprop, by Hand*. Every layer is a
``*_forward`` / ``*_backward`` pair with a named cache; gate order along the
4H axis is i, f, o, g everywhere.

To check your own LSTM:  ``lstmlib.gradcheck.check_backward(...)`` says
whether a backward pass is right; ``lstmlib.diagnose.diagnose_step(...)``
(and ``diagnose_sequence``, ``diagnose_loss``) says which known mistake it makes.
"""
from . import (
               activations,
               data,
               diagnose,
               diagram,
               flow,
               gradcheck,
               interop,
               layers,
               lstm,
               mistakes,
               models,
               optim,
               peephole,
               rnn,
               rtrl,
               stacked,
               stepcheck,
               tbptt,
               train,
               viz,
)
from .lstm import (
               lstm_backward,
               lstm_backward_with_state,
               lstm_forward,
               lstm_step_backward,
               lstm_step_forward,
)
from .rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

__all__ = [
    "activations", "data", "diagnose", "diagram", "flow", "gradcheck", "interop", "layers",
    "lstm", "mistakes", "models", "optim", "peephole", "rnn", "rtrl", "stacked", "stepcheck",
    "tbptt", "train", "viz",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "lstm_backward_with_state", "rnn_step_forward", "rnn_step_backward", "rnn_forward",
    "rnn_backward",
]
