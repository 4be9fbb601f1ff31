"""The result of a diagnosis, and how it reads when printed."""
import textwrap

import numpy as np

from ..compare import GATES
from .catalogue import CATALOGUE, SECTIONS


class Diagnosis:
    """What a diagnose_* function found.

    ok: True when outputs and gradients agree with lstmlib's and no mistake was seen.
    mistake: the catalogue id of the mistake found, or None; mistakes: all of
    them (a pair, when two mistakes together explain the gradients).
    equivalent: other ids whose gradients are identical on the probe.
    errors: gradient name -> relative error of yours against the correct one.
    gate_errors: (4, T) array (T = 1 for a step): error of dL/da by gate
    (rows i, f, o, g) and time step, relative to the largest correct entry.
    problem: a sentence when your code could not be compared (it raised, the
    forward disagrees, a shape is wrong), else None.
    """

    def __init__(self, kind, tolerance, errors=None, mistakes_found=(), equivalent=(),
                 gate_errors=None, block_errors=None, problem=None, notes=()):
        self.kind = kind
        self.tolerance = tolerance
        self.errors = dict(errors or {})
        self.mistakes = tuple(mistakes_found)
        self.equivalent = tuple(equivalent)
        self.gate_errors = gate_errors
        self.block_errors = dict(block_errors or {})
        self.problem = problem
        self.notes = tuple(notes)

    @property
    def mistake(self):
        return self.mistakes[0] if self.mistakes else None

    @property
    def ok(self):
        return (self.problem is None and not self.mistakes
                and all(err < self.tolerance for err in self.errors.values()))

    def wrong(self):
        """The names of the gradients that disagree with the correct ones."""
        return [name for name, err in self.errors.items() if err >= self.tolerance]

    def where(self):
        """Sentences saying which gate blocks and time steps are wrong."""
        lines = []
        by_blocks = {}  # the wrong gate blocks -> the gradients wrong in exactly those
        for name, errs in self.block_errors.items():
            bad = tuple(gate for gate, err in zip(GATES, errs) if err >= self.tolerance)
            if bad:
                by_blocks.setdefault(bad, []).append(name)
        for bad, names in by_blocks.items():
            verb = "is" if len(names) == 1 else "are"
            where = ("all four gate blocks" if len(bad) == 4
                     else f"the gate block(s) {', '.join(bad)} only")
            lines.append(f"{', '.join(names)} {verb} wrong in {where}")
        if self.gate_errors is not None and self.gate_errors.max() >= self.tolerance:
            bad = self.gate_errors >= self.tolerance
            gates = [gate for gate, row in zip(GATES, bad) if row.any()]
            if self.gate_errors.shape[1] == 1:
                lines.append(f"dL/da (seen through dx) is wrong for the gate(s) {', '.join(gates)}")
            else:
                steps = [str(t) for t in np.flatnonzero(bad.any(axis=0))]
                lines.append(f"dL/da (seen through dx) is wrong for the gate(s) "
                             f"{', '.join(gates)} at time step(s) t = {', '.join(steps)} "
                             f"(of 0..{self.gate_errors.shape[1] - 1})")
        return lines

    def __str__(self):
        def wrap(text, indent, hang=2):
            return textwrap.fill(text, 78, initial_indent=indent,
                                 subsequent_indent=indent + " " * hang)

        head = f"diagnose_{self.kind}: "
        if self.ok:
            lines = [head + "no mistake found; outputs and gradients agree with lstmlib's."]
        elif self.problem is not None:
            lines = [wrap(head + self.problem, "")]
        elif self.mistakes:
            count = "a known mistake" if len(self.mistakes) == 1 else "two known mistakes"
            lines = [head + f"{count} found."]
            for mid in self.mistakes:
                m = CATALOGUE[mid]
                lines += [wrap(f"* {mid}: {m.title} [{m.source}]", "  "),
                          textwrap.fill(m.description, 78, initial_indent="    ",
                                        subsequent_indent="    "),
                          wrap(f"Explained in chapter 6, section "
                               f"\"{SECTIONS[m.section]}\".", "    ", hang=0)]
            if self.equivalent:
                lines.append(wrap("The same gradients also come from: "
                                  + ", ".join(self.equivalent), "  "))
        else:
            lines = [wrap(head + "the gradients are wrong, and no catalogued mistake (alone or "
                          "in a pair) explains them.", "")]
        lines += [wrap(note, "  ") for note in self.notes]
        if self.errors:
            lines.append(f"  {'gradient':<9} rel. error vs correct (ok below {self.tolerance:.0e})")
            lines += [f"  {name:<9} {err:9.1e}{'' if err < self.tolerance else '   wrong'}"
                      for name, err in self.errors.items()]
        lines += [wrap("where: " + line, "  ") for line in self.where()]
        return "\n".join(lines)

    def __repr__(self):
        return str(self)
