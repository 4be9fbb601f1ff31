"""Figures and explorations shared by the chapters.

Every exploration in the book is a function ``draw(**values) -> Figure`` and
a dict of the values each control may take. It is shown two ways:

- ``scrubber(draw, controls)``: every combination is drawn in advance and
  embedded as PNG frames in one self-contained piece of HTML with a range
  slider per control. It needs no kernel and no network, so it works on the
  static website (and in a notebook).
- ``dashboard(draw, controls)``: an ipywidgets dashboard that redraws when a
  control moves, for live notebooks. Each chapter's live dashboard
  (``rnn_flow.live_dashboard()`` and the like) goes beyond the scrubber's
  grid: fine sliders over wide ranges, named choices, and a readout of the
  key numbers. Before the cell runs, its text says how to get it. Their
  figures are ``LiveFigure`` objects: drawn in full once, then only the artists a
  frame changes (blitting); ``benchmarks/dashboard_latency.py`` times the redraws.

Importing this module changes no matplotlib setting: a chapter calls
``use_book_style()`` once, in its imports cell, to draw in the book's style.
"""
import base64
import hashlib
import html
import io
import itertools
import json
import textwrap
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

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


LIVE_DPI = 100  # live frames: drawn at this dpi and shown at exactly their pixel size


def png_size(png):
    """(width, height) in pixels of PNG bytes, read from the IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not PNG bytes")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def live_figure(figsize, dpi=LIVE_DPI):
    """A figure outside pyplot, for a dashboard that redraws it in place.

    pyplot never sees it, so the inline backend does not also show it as a
    static picture when the cell ends, and no ``plt.close`` is needed.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


class LiveFigure:
    """A figure drawn in full once, then only its changing artists: fast live frames.

    figsize: a new figure of that size (``live_figure``); or fig: an existing
    figure to take over (closed in pyplot, drawn by Agg at ``dpi``).

    ``animate(*artists)`` marks the artists a frame changes (lines, images,
    titles, legends). ``png(static_key)`` draws the rest (axes, ticks,
    labels, colour bars: most of a frame's time) only when ``static_key``
    changes (pass e.g. the axis limits), keeps it as a background, and puts
    the changing artists on a copy of it (blitting). Returns PNG bytes.
    """

    def __init__(self, figsize=None, dpi=LIVE_DPI, fig=None):
        if fig is None:
            fig = live_figure(figsize, dpi)
        else:  # a figure made elsewhere (e.g. by pyplot): drawn by Agg from now on
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            plt.close(fig)  # so the inline backend does not show it when the cell ends
            FigureCanvasAgg(fig)
            fig.set_dpi(dpi)
        self.fig = fig
        self.animated = []
        self._background, self._key = None, None

    def animate(self, *artists):
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)
        return artists

    def png(self, static_key=None):
        canvas = self.fig.canvas
        if self._background is None or static_key != self._key:
            canvas.draw()  # everything but the animated artists (and images: drawn again below)
            self._background, self._key = canvas.copy_from_bbox(self.fig.bbox), static_key
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in self.animated:
            if artist.get_visible():
                artist.draw(renderer)
        from PIL import Image as PILImage

        buf = io.BytesIO()
        PILImage.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png",
                                                                 compress_level=1)
        return buf.getvalue()


def label_style():
    """Widget style with the description as wide as its text, so no label is cut off."""
    return {"description_width": "initial"}


def float_slider(description, value, min, max, step, fmt=".2f", width="430px"):
    """A FloatSlider whose label and value are never cut off."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               readout_format=fmt, style=label_style(),
                               layout=widgets.Layout(width=width))


def int_slider(description, value, min, max, step=1, width="430px"):
    """An IntSlider whose label and value are never cut off."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             style=label_style(), layout=widgets.Layout(width=width))


def toggle_buttons(description, options, value=None, width="430px"):
    """ToggleButtons for a few named choices, each button as wide as its label.

    options: a list of values, or a dict label -> value.
    """
    values = list(options.values()) if isinstance(options, dict) else list(options)
    return widgets.ToggleButtons(options=options, value=values[0] if value is None else value,
                                 description=description,
                                 style={"description_width": "initial", "button_width": "auto"},
                                 layout=widgets.Layout(width=width))


def dropdown(description, options, value=None, width="430px"):
    """A Dropdown for named choices, wide enough for its longest label.

    options: a list of values, or a dict label -> value; value: the first option if None.
    """
    values = list(options.values()) if isinstance(options, dict) else list(options)
    return widgets.Dropdown(options=options, value=values[0] if value is None else value,
                            description=description,
                            style=label_style(), layout=widgets.Layout(width=width))


# ipywidgets sets the line height of HTML content to a widget's height (28 px): reset it.
_BUSY_CSS = ("<style>.lstm-dashboard-busy{opacity:.45;transition:opacity .1s}"
             ".lstm-dashboard-readout .widget-html-content{font-size:13px;line-height:1.4;"
             "white-space:normal}</style>")


class Dashboard(widgets.VBox):
    """A live dashboard: controls above the current figure, a readout beside it.

    draw: ``draw(**values)`` returning a matplotlib Figure, or ``(Figure,
    readout)`` with readout a short HTML string (the key numbers of the frame);
    PNG bytes may stand for the Figure (``LiveFigure.png()``).
    controls: dict name -> a list of values (a ``SelectionSlider`` over them,
    as for ``scrubber``) or a ready ipywidgets control (``FloatSlider``,
    ``IntSlider``, ``ToggleButtons``, ...) whose ``.value`` is passed as ``name``.
    cache: how many frames (PNG and readout) to keep, by control values, so that
    going back to a setting is instant.
    panel: a widget holding the controls, laid out by the caller (default: the
    controls in a wrapping row).
    while_dragging: (fast, slow) seconds. After a frame drawn in under ``fast``
    the numeric sliders redraw while dragged; after one over ``slow``, only
    when let go (``continuous_update``), with the "computing…" state showing.

    ``dashboard.controls`` maps names to the widgets, ``dashboard.image.value``
    holds the current figure as PNG bytes and ``dashboard.readout.value`` the
    readout, so a test (or a curious reader) can move a control and see both
    change. While a frame is computed the readout says "computing…" and the
    image is dimmed (CSS class ``lstm-dashboard-busy``).

    DOM contract (for the browser test): the VBox has the CSS class
    ``lstm-dashboard``, the image ``lstm-dashboard-image``, the readout
    ``lstm-dashboard-readout``.
    """

    def __init__(self, draw, controls, title="", cache=64,
                 while_dragging=(0.10, 0.20), panel=None):
        self.draw = draw
        self.held = False
        self.while_dragging = while_dragging
        self.last_seconds = None
        self.cache_size = cache
        self.frames = {}  # key of control values -> (png, readout)
        self.caches = [self.frames]  # every cache a frame may come from (see clear_caches)
        self.controls = {}
        for name, control in controls.items():
            if not isinstance(control, widgets.Widget):
                _grid({name: control})
                control = widgets.SelectionSlider(options=list(control), description=name,
                                                  continuous_update=False, style=label_style(),
                                                  layout=widgets.Layout(width="430px"))
            self.controls[name] = control
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            max_width="100%", height="auto", flex="0 0 auto"))
        self.image.add_class("lstm-dashboard-image")
        self.readout = widgets.HTML(layout=widgets.Layout(width="15em", margin="0 0 0 1em"))
        self.readout.add_class("lstm-dashboard-readout")
        self.title = title
        self.redraw()
        for control in self.controls.values():
            control.observe(self.redraw, names="value")
        header = [widgets.HTML(f"<strong>{html.escape(title)}</strong>")] if title else []
        if panel is None:
            panel = widgets.Box(list(self.controls.values()),
                                layout=widgets.Layout(display="flex", flex_flow="row wrap",
                                                      grid_gap="2px 1.5em"))
        view = widgets.HBox([self.image, self.readout],
                            layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"))
        super().__init__(header + [widgets.HTML(_BUSY_CSS), panel, view])
        self.add_class("lstm-dashboard")

    def values(self):
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def frame(self, values):
        """(png, readout) for ``values``: from the cache, or drawn now."""
        key = self._key(values)
        if key in self.frames:
            self.frames[key] = self.frames.pop(key)  # most recently used last
            return self.frames[key]
        start = time.perf_counter()
        result = self.draw(**values)
        fig, readout = result if isinstance(result, tuple) else (result, "")
        if isinstance(fig, bytes):  # already PNG (e.g. from ``LiveFigure.png``)
            png = fig
        else:
            png = to_png(fig)
        self.frames[key] = (png, readout)
        self.last_seconds = time.perf_counter() - start
        self._adapt(self.last_seconds)
        while len(self.frames) > self.cache_size:
            self.frames.pop(next(iter(self.frames)))
        return png, readout

    def _adapt(self, seconds):
        """Redraw while a slider is dragged if frames are fast, else when it is let go.

        Two thresholds (fast below the first, slow above the second), so a
        setting near the limit does not make the sliders flip at every frame.
        """
        fast, slow = self.while_dragging
        for control in self.controls.values():
            if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
                if seconds < fast:
                    control.continuous_update = True
                elif seconds > slow:
                    control.continuous_update = False

    def clear_caches(self):
        """Forget every cached frame and simulation (``caches``), e.g. to time a redraw."""
        for cache in self.caches:
            cache.clear()

    def set_values(self, **values):
        """Set several controls at once and redraw once (not once per control)."""
        self.held = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self.held = False
        self.redraw()

    def _key(self, values):
        return tuple((name, repr(value)) for name, value in values.items())

    def redraw(self, change=None):
        if self.held:
            return
        values = self.values()
        # Say "computing…" (and dim the image) only for a frame that will take a while:
        # flashing it for a 30 ms frame while a slider is dragged would only flicker.
        slow = self._key(values) not in self.frames and (
            self.last_seconds is None or self.last_seconds > self.while_dragging[0])
        shown = self.readout.value
        if slow:
            self.readout.value = "<em>computing…</em>" + (f"<br>{shown}" if shown else "")
            self.image.add_class("lstm-dashboard-busy")
        try:
            png, readout = self.frame(values)
        except Exception:
            self.readout.value = shown
            raise
        finally:
            if slow:
                self.image.remove_class("lstm-dashboard-busy")
        width, _ = png_size(png)
        if self.image.width != str(width):
            # Shown at exactly its drawn size (never stretched, so never blurred); a
            # narrow window may still shrink it, keeping its aspect ratio.
            self.image.width = str(width)
            self.image.layout.width = f"{width}px"
        self.image.value = png
        self.readout.value = readout

    def text(self):
        """What the dashboard says where no widget can be shown (an unrun notebook, a page)."""
        about = self.title or "this exploration"
        if about[:1].isupper() and not about[1:2].isupper():  # mid-sentence: "gradient flow"
            about = about[0].lower() + about[1:]
        text = (f"Live dashboard: run this cell (with the kernel running) to explore {about}; "
                "the pre-drawn version above works without a kernel (in JupyterLab, once "
                "the notebook is trusted).")
        return textwrap.fill(text, 88)  # the book's width for an output line

    def __repr__(self):
        # Printed where no widget front end runs (e.g. when tests execute the notebook)
        return self.text()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.text()  # ipywidgets would cut it at 110 characters
        return bundle


def dashboard(draw, controls, title="", **kwargs):
    """A live ipywidgets dashboard over the same ``draw`` and ``controls`` as ``scrubber``.

    Controls may also be ready widgets (see ``Dashboard``), for ranges no scrubber has.
    """
    return Dashboard(draw, controls, title, **kwargs)
