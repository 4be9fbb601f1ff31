"""The mistake catalogue and its runnable variants, in one namespace.

``lstmlib.diagnose.mistakes`` gathers what the clinic knows about mistakes:

- ``catalogue``: ``CATALOGUE`` (id -> ``Mistake``), ``SECTIONS`` and the id lists
  ``STEP_IDS``, ``SEQUENCE_IDS``, ``LOSS_IDS``, ``HEAD_IDS``, ``PEEPHOLE_IDS``;
- ``variants``: each mistake as code (``step_backward(*ids)``,
  ``sequence_backward(*ids)``, ``softmax_loss(*ids)``, ``last_step_backward(*ids)``,
  ``peephole_step_forward(*ids)``, ``peephole_step_backward(*ids)``, and the
  forwards ``step_forward``, ``sequence_forward`` they pair with);
- ``training``: what a mistake does to learning (``train_char_model``,
  ``char_model_loss_and_grads``, ``train_many_to_one``), through the core's
  models and ``train.fit``.
"""
from .catalogue import (
    CATALOGUE,
    HEAD_IDS,
    LOSS_IDS,
    PEEPHOLE_IDS,
    SECTIONS,
    SEQUENCE_IDS,
    STEP_IDS,
    Mistake,
)
from .training import char_model_loss_and_grads, train_char_model, train_many_to_one
from .variants import (
    SequenceCache,
    StepCache,
    last_step_backward,
    peephole_step_backward,
    peephole_step_forward,
    sequence_backward,
    sequence_forward,
    softmax_loss,
    step_backward,
    step_forward,
)

__all__ = [
    "CATALOGUE", "SECTIONS", "Mistake", "STEP_IDS", "SEQUENCE_IDS", "LOSS_IDS", "HEAD_IDS",
    "PEEPHOLE_IDS", "StepCache", "SequenceCache", "step_forward", "step_backward",
    "sequence_forward", "sequence_backward", "softmax_loss", "last_step_backward",
    "peephole_step_forward", "peephole_step_backward", "char_model_loss_and_grads",
    "train_char_model", "train_many_to_one",
]
