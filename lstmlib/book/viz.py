"""Figures and explorations shared by the chapters.

Every exploration in the book is a function ``draw(**values) -> Figure`` and
a dict of the values each control may take. It is shown two ways:

- ``scrubber(draw, controls)``: every combination is drawn in advance and
  embedded as PNG frames in one self-contained piece of HTML with a range
  slider per control. It needs no kernel and no network, so it works on the
  static website (and in a notebook).
- ``dashboard(draw, controls)``: an ipywidgets dashboard that redraws when a
  control moves, for live notebooks. On the website its cell's output is
  removed (the scrubber above it shows the same thing).

Importing this module changes no matplotlib setting: a chapter calls
``use_book_style()`` once, in its imports cell, to draw in the book's style.
"""
import base64
import hashlib
import html
import io
import itertools
import json

import ipywidgets as widgets
import matplotlib.pyplot as plt

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
}


def use_book_style():
    """Apply the book's matplotlib style (``STYLE``) to every figure drawn from now on.

    Changes ``matplotlib.rcParams`` for the whole process, which is what a
    chapter wants and a library user may not: nothing calls it on import.
    """
    plt.rcParams.update(STYLE)


def figure(ncols=1, nrows=1, **kwargs):
    """A new figure in the book's style: ``fig, axes = figure(ncols=2)``."""
    return plt.subplots(nrows, ncols, layout="constrained", **kwargs)


def fast_figure(ncols, figsize, **kwargs):
    """A figure with fixed margins instead of constrained layout.

    An exploration draws every frame in advance, and constrained layout
    (measuring every tick label) takes most of the time of a frame.
    """
    fig, axes = plt.subplots(1, ncols, figsize=figsize, **kwargs)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.88, wspace=0.3)
    return fig, axes


def to_png(fig, close=True):
    """PNG bytes of a figure (no timestamp, so the bytes are reproducible)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    if close:
        plt.close(fig)
    return buf.getvalue()


def _grid(controls):
    if not controls or any(len(values) == 0 for values in controls.values()):
        raise ValueError("controls should map each control's name to a non-empty list of values")
    return list(itertools.product(*(range(len(v)) for v in controls.values())))


class Scrubber:
    """Pre-rendered frames with one slider per control; displays as HTML.

    ``frames`` maps an index tuple (one index per control) to PNG bytes.
    """

    def __init__(self, controls, frames, title):
        self.controls = controls
        self.frames = frames
        self.title = title

    def __repr__(self):
        # Shown where HTML is not (e.g. plain-text outputs); stable, with no memory address.
        controls, frames = list(self.controls), len(self.frames)
        return f"Scrubber({self.title!r}, controls={controls}, frames={frames})"

    def _repr_html_(self):
        names = list(self.controls)
        key = json.dumps([self.title, {k: [str(v) for v in vs] for k, vs in self.controls.items()}])
        uid = "lstm-scrubber-" + hashlib.sha1(key.encode()).hexdigest()[:10]
        frames = {",".join(map(str, idx)): base64.b64encode(png).decode()
                  for idx, png in self.frames.items()}
        labels = {name: [str(v) for v in values] for name, values in self.controls.items()}
        first = ",".join("0" for _ in names)
        sliders = "".join(
            f'<label style="margin-right:1.5em">{html.escape(name)} '
            f'<input type="range" min="0" max="{len(values) - 1}" step="1" value="0" '
            f'data-control="{html.escape(name)}" aria-label="{html.escape(name)}"> '
            f'<output>{html.escape(labels[name][0])}</output></label>'
            for name, values in self.controls.items())
        return f"""<div class="lstm-scrubber" id="{uid}">
<div class="lstm-scrubber-title"><strong>{html.escape(self.title)}</strong></div>
<div class="lstm-scrubber-controls">{sliders}</div>
<img class="lstm-scrubber-frame" alt="{html.escape(self.title)}" style="max-width:100%"
 src="data:image/png;base64,{frames[first]}">
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var frames = {json.dumps(frames)};
  var labels = {json.dumps(labels)};
  var img = root.querySelector("img.lstm-scrubber-frame");
  var inputs = root.querySelectorAll("input[data-control]");
  function show() {{
    var key = [];
    inputs.forEach(function (input) {{
      key.push(input.value);
      input.nextElementSibling.textContent = labels[input.dataset.control][input.value];
    }});
    img.src = "data:image/png;base64," + frames[key.join(",")];
  }}
  inputs.forEach(function (input) {{ input.addEventListener("input", show); }});
}})();
</script>
</div>"""


def scrubber(draw, controls, title=""):
    """Draw every combination of ``controls`` now, for a kernel-free page.

    draw: ``draw(**values) -> matplotlib Figure``.
    controls: dict name -> list of values, e.g. ``{"rho": [0.5, 1.0, 1.5]}``.
    Keep the grid small: every combination becomes one PNG in the page.
    """
    frames = {}
    for idx in _grid(controls):
        values = {name: controls[name][i] for name, i in zip(controls, idx)}
        frames[idx] = to_png(draw(**values))
    return Scrubber(controls, frames, title)


class Dashboard(widgets.VBox):
    """A live dashboard: one slider per control above the current figure.

    ``dashboard.controls`` maps names to the slider widgets and
    ``dashboard.image.value`` holds the current figure as PNG bytes, so a
    test (or a curious reader) can move a slider and see the figure change.
    """

    def __init__(self, draw, controls, title=""):
        _grid(controls)
        self.draw = draw
        self.controls = {name: widgets.SelectionSlider(options=list(values), description=name,
                                                       continuous_update=False)
                         for name, values in controls.items()}
        self.image = widgets.Image(format="png")
        for slider in self.controls.values():
            slider.observe(self.redraw, names="value")
        self.redraw()
        header = [widgets.HTML(f"<strong>{html.escape(title)}</strong>")] if title else []
        super().__init__(header + list(self.controls.values()) + [self.image])
        self.title = title

    def redraw(self, change=None):
        values = {name: slider.value for name, slider in self.controls.items()}
        self.image.value = to_png(self.draw(**values))

    def __repr__(self):
        # Printed where no widget front end runs (e.g. when tests execute the notebook).
        return f"Dashboard({self.title!r}, controls={list(self.controls)})"


def dashboard(draw, controls, title=""):
    """A live ipywidgets dashboard over the same ``draw`` and ``controls`` as ``scrubber``."""
    return Dashboard(draw, controls, title)
