"""LSTM code in the learners' styles, written for issue 14 without lstmlib.diagnose.variants.

Each module reproduces one class of issue 14 (several mistakes at once, a summed
loss, plain-cell mistakes inside a peephole cell, a tied-peephole forward, a
forward wrong on purpose, per-gate layouts). Only numpy is used.
"""
