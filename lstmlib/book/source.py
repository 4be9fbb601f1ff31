"""Library code on the page: one mechanism for every chapter.

``show_source(obj)`` shows the real source of a function, class or module
(``inspect.getsource``), so a page never holds a hand-made copy that can
drift from the code it describes. ``show_mistake(mistake_id)`` shows, for a
catalogued mistake, the right line(s) beside the wrong one(s), both taken
from the code: in ``lstmlib/diagnose/variants.py`` every wrong line carries
the comment ``# mistake: <id>`` and the right line it replaces ``# right: <id>``
(a line may name several ids, separated by commas; a right line that only
exists in the core, like the peephole output gate's, is marked there).

Both return a ``SourceBlock``. In a notebook and on the book's website it
renders as Markdown with fenced ``python`` code, which JupyterLab and
myst-nb both highlight; its plain-text form (what nbval compares, and what a
terminal prints) is the code itself, so it is as deterministic as the file.
"""
import inspect
import re
import textwrap

from .. import peephole
from ..diagnose import catalogue, variants

_MARK = re.compile(r"\s*#\s*(mistake|right):\s*([\w, ]+?)\s*$")


class SourceBlock:
    """Code to show: ``title`` plus one or more (caption, code) parts."""

    def __init__(self, title, parts):
        self.title = title
        self.parts = list(parts)

    def _repr_markdown_(self):
        out = [f"**{self.title}**"] if self.title else []
        for caption, code in self.parts:
            fence = "````" if "```" in code else "```"
            if caption:
                out.append(caption)
            out.append(f"{fence}python\n{code.rstrip()}\n{fence}")
        return "\n\n".join(out)

    def __repr__(self):
        out = [f"# {self.title}"] if self.title else []
        for caption, code in self.parts:
            if caption:
                out.append(f"# {caption}")
            out.append(code.rstrip())
        return "\n".join(out)


def _qualified(obj):
    module = getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
    name = getattr(obj, "__qualname__", None)
    return f"{module}.{name}" if name and module != getattr(obj, "__name__", None) else module


def show_source(obj, title=None):
    """The source of ``obj`` (a function, class or module), as a ``SourceBlock``.

    title: a heading above the code; default: the object's full name, e.g.
    ``lstmlib.lstm.lstm_step_backward``.
    """
    code = textwrap.dedent(inspect.getsource(obj))
    return SourceBlock(_qualified(obj) if title is None else title, [("", code)])


MARKED_MODULES = (variants, peephole)  # where the marker comments are looked for


def marked_lines(mistake_id, source=None):
    """The lines marked for ``mistake_id``: (right lines, wrong lines).

    source: the text to search; default: ``MARKED_MODULES``' sources, in order.
    Each is a list of source lines with the marker comment removed. Marked lines
    may come from different blocks (a step backward and its time loop), so each
    run of adjacent marked lines is dedented on its own: a run keeps its inner
    indentation (a ``def`` and its body, a call continued on the next line). A
    mistake that leaves a line out has no wrong line. Raises ValueError for an id
    that is not in the catalogue or has no marked line at all.
    """
    if mistake_id not in catalogue.CATALOGUE:
        raise ValueError(f"{mistake_id!r} is not in the mistake catalogue")
    searched = "the given source"
    if source is None:
        searched = " or ".join(module.__name__ for module in MARKED_MODULES)
        source = "\n".join(inspect.getsource(module) for module in MARKED_MODULES)
    lines = source.splitlines()
    found = {"right": [], "mistake": []}  # kind -> [(line number, text)]
    for number, line in enumerate(lines):
        match = _MARK.search(line)
        if match and mistake_id in {i.strip() for i in match.group(2).split(",")}:
            found[match.group(1)].append((number, line[:match.start()].rstrip()))
    if not found["mistake"] and not found["right"]:
        raise ValueError(f"no line of {searched} is marked "
                         f"'# mistake: {mistake_id}' or '# right: {mistake_id}'")
    return [_dedent_runs(found[kind]) for kind in ("right", "mistake")]


def _dedent_runs(numbered_lines):
    """Dedent each run of adjacent (line number, text) pairs on its own."""
    out, run, previous = [], [], None
    for number, text in numbered_lines + [(None, None)]:
        if run and (number is None or number != previous + 1):
            out.extend(textwrap.dedent("\n".join(run)).splitlines())
            run = []
        if number is not None:
            run.append(text)
        previous = number
    return out


def show_mistake(mistake_id):
    """The right line(s) and the wrong line(s) of a catalogued mistake, from the code.

    Returns a ``SourceBlock`` titled with the mistake's id and title, with two
    parts: "right" and "wrong", each the marked lines of ``MARKED_MODULES``
    (``lstmlib/diagnose/variants.py``, then ``lstmlib/peephole.py``).
    """
    right, wrong = marked_lines(mistake_id)
    mistake = catalogue.CATALOGUE[mistake_id]
    return SourceBlock(f"{mistake_id}: {mistake.title}",
                       [("right:", "\n".join(right) or "# (no line of its own)"),
                        ("wrong:", "\n".join(wrong) or "# (the line above is left out)")])
