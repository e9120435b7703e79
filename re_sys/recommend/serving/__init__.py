"""Serving: the run format, the numpy engine over a run, the per-process store, reasons, channels.

Everything the web process imports from the core is here, and none of it
imports TensorFlow. `publish` and `channels.fitting` are the training side:
they fit channels and write runs, and only `train` imports them.
"""
from .engine import Engine
from .reasons import Reason, Term
from .results import Recommendation, UnknownId
from .runs import Run, RunError, current_run_path, switch_current, write_run
from .store import ModelStore

__all__ = ["Engine", "ModelStore", "Reason", "Recommendation", "Run", "RunError", "Term", "UnknownId",
           "current_run_path", "switch_current", "write_run"]
