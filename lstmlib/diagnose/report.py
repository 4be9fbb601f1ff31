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
    shares: mistake id -> the share of the error in your gradients that fixing it
    removes (they add up to 1 - unexplained). ``mistakes`` is ordered by this
    share, largest first: the mistake behind most of the error in your gradients
    comes first. It is a share of the gradient's error on the probe, not a measure
    of the harm done to training (a mistake found from the forward's outputs, or
    ``modifies_upstream_in_place``, which leaves the numbers right, has no share).
    unexplained: the share of the error the catalogue does not explain: 0 when the
    named mistakes reproduce your gradients exactly (mistakes are only named then).
    partial: when no combination reproduces your gradients, the catalogued mistakes
    that explain part of the error (id -> share); they are not named in ``mistakes``.
    convention: for a loss, how you scale it: "sum", "mean over N" or "mean over N*T".
    own_forward_error: when your forward was checked too, the relative error of your
    backward against central differences of your *own* forward (None if not checked).
    """

    def __init__(self, kind, tolerance, errors=None, mistakes_found=(), equivalent=(),
                 gate_errors=None, block_errors=None, problem=None, notes=(), shares=None,
                 unexplained=0.0, convention=None, own_forward_error=None, partial=None):
        self.kind = kind
        self.tolerance = tolerance
        self.errors = dict(errors or {})
        self.mistakes = tuple(mistakes_found)
        self.equivalent = tuple(equivalent)
        self.gate_errors = gate_errors
        self.block_errors = dict(block_errors or {})
        self.problem = problem
        self.notes = tuple(notes)
        self.shares = dict(shares or {})
        self.unexplained = float(unexplained)
        self.convention = convention
        self.own_forward_error = own_forward_error
        self.partial = dict(partial or {})

    @property
    def backward_matches_own_forward(self):
        """True/False: your backward is / is not the true gradient of your own forward
        (central differences); None when that was not checked."""
        if self.own_forward_error is None:
            return None
        return self.own_forward_error < 1e-6  # diagnosers.OWN_TOLERANCE

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
        """Sentences saying which gradients, gate blocks and time steps are wrong.

        dx and dprev_h are da sent back through Wx and Wh; dWx, dWh and db are da
        itself multiplied by the inputs. So when dWx and db agree but dx does not,
        dL/da is right and only what is sent back to x and h_{t-1} is wrong: the
        report says so instead of blaming dL/da.
        """
        lines = []
        wrong = self.wrong()
        if wrong:
            right = [name for name in self.errors if name not in wrong]
            line = f"wrong: {', '.join(wrong)}"
            if right:
                line += f"; right: {', '.join(right)}"
            lines.append(line)
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
            da_right = [n for n in ("dWx", "db") if n in self.errors and n not in wrong]
            sent = [n for n in ("dx", "dprev_h") if n in wrong]
            if len(da_right) == 2 and self.gate_errors.shape[1] == 1:
                lines.append(f"dL/da itself is right ({', '.join(da_right)} pass); what is "
                             f"sent back to x and h_(t-1) ({', '.join(sent) or 'dx'}) is "
                             f"wrong in the gate block(s) {', '.join(gates)}: check which "
                             "blocks of da you multiply by Wx.T and Wh.T")
            elif self.gate_errors.shape[1] == 1:
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
            words = {1: "a known mistake", 2: "two known mistakes", 3: "three known mistakes",
                     4: "four known mistakes", 5: "five known mistakes"}
            count = words.get(len(self.mistakes), f"{len(self.mistakes)} known mistakes")
            lines = [head + f"{count} found."]
            if len(self.shares) > 1:
                lines.append(wrap("Listed by the share of the error in your gradients that "
                                  "fixing each one removes, largest first (a share of the "
                                  "gradient's error, not of the harm to training).", "  "))
            for mid in self.mistakes:
                m = CATALOGUE[mid]
                section = SECTIONS[m.section]
                share = (f" ({100 * self.shares[mid]:.0f}% of the error)"
                         if mid in self.shares and len(self.shares) > 1 else "")
                lines += [wrap(f"* {mid}: {m.title} [{m.source}]{share}", "  "),
                          textwrap.fill(m.description, 78, initial_indent="    ",
                                        subsequent_indent="    "),
                          wrap(f"Explained in {section.reference(say_section=True)}.",
                               "    ", hang=0)]
            if self.equivalent:
                lines.append(wrap("The same gradients also come from: "
                                  + ", ".join(self.equivalent), "  "))
            if self.unexplained > 0:
                lines.append(wrap(f"{100 * self.unexplained:.0f}% of the error is not "
                                  "explained by these: something else is wrong too.", "  "))
        else:
            lines = [wrap(head + "the gradients are wrong, and no catalogued mistake (alone or "
                          "in any combination) explains them.", "")]
            if self.partial:
                parts = ", ".join(f"{mid} ({100 * share:.0f}%)"
                                  for mid, share in self.partial.items())
                lines.append(wrap(f"Closest: {parts} explain part of the error; "
                                  f"{100 * self.unexplained:.0f}% remains unexplained, so "
                                  "something outside the catalogue is wrong too.", "  "))
        if self.problem is not None and self.mistakes:
            lines.append(wrap("Also: " + ", ".join(self.mistakes), "  "))
        lines += [wrap(note, "  ") for note in self.notes]
        if self.errors:
            lines.append(f"  {'gradient':<9} rel. error vs correct (ok below {self.tolerance:.0e})")
            lines += [f"  {name:<9} {err:9.1e}{'' if err < self.tolerance else '   wrong'}"
                      for name, err in self.errors.items()]
        lines += [wrap("where: " + line, "  ") for line in self.where()]
        return "\n".join(lines)

    def __repr__(self):
        return str(self)
