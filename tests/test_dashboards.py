"""The chapters' live dashboards: wide controls, a readout, sharp images, a text before running."""
import importlib.util
import os
import pathlib
import re
import sys
import types

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstmlib.book import clinic_views, lstm_flow, peephole_flow, rnn_flow, viz

matplotlib.use("Agg")
ROOT = pathlib.Path(__file__).resolve().parents[1]

# (build, the scrubber's grid it must reach beyond, {control: an off-grid value})
LIVE = {
    "rnn": (rnn_flow.live_dashboard, rnn_flow.RNN_FLOW_CONTROLS,
            {"spectral_radius": 1.25, "T": 137, "input_scale": 0.45}),
    "memory": (lstm_flow.live_memory_dashboard, lstm_flow.MEMORY_CONTROLS,
               {"forget_bias": 2.5}),
    "flow": (lstm_flow.live_flow_dashboard, lstm_flow.FLOW_HEATMAP_CONTROLS,
             {"forget_bias": -1.5, "T": 33, "layers": 5}),
    "peephole": (peephole_flow.live_dashboard, peephole_flow.FLOW_CONTROLS,
                 {"peephole_weight": 1.75, "forget_bias": 4.5}),
}


@pytest.fixture(scope="module")
def built_dashboards():
    built = {name: build() for name, (build, _, _) in LIVE.items()}
    built["clinic"] = clinic_views.live_clinic(steps=20)
    return built


@pytest.fixture
def dashboards(built_dashboards):
    """The module's dashboards, each control set back afterwards: tests in any order."""
    before = {name: dash.values() for name, dash in built_dashboards.items()}
    yield built_dashboards
    for name, dash in built_dashboards.items():
        if dash.values() != before[name]:
            dash.set_values(**before[name])
        assert dash.values() == before[name], name


class FakeClock:
    """``time.perf_counter`` for viz: still until ``tick()`` moves it by ``delay`` s."""

    def __init__(self):
        self.now, self.delay = 1000.0, 0.0

    def perf_counter(self):
        return self.now

    def tick(self):
        self.now += self.delay


@pytest.fixture
def clock(monkeypatch):
    """The clock viz times frames with (``viz.time``), advanced only by a draw."""
    fake = FakeClock()
    fake_time = types.SimpleNamespace(perf_counter=fake.perf_counter)
    monkeypatch.setattr(viz, "time", fake_time)
    return fake


@pytest.mark.parametrize("name", list(LIVE) + ["clinic"])
def test_the_dom_contract_of_the_browser_test(dashboards, name):
    dash = dashboards[name]
    assert isinstance(dash, viz.Dashboard)
    assert "lstm-dashboard" in dash._dom_classes
    assert "lstm-dashboard-image" in dash.image._dom_classes
    assert "lstm-dashboard-readout" in dash.readout._dom_classes
    numeric = [c for c in dash.controls.values()
               if isinstance(c, (widgets.FloatSlider, widgets.IntSlider))]
    assert numeric, "the browser test moves a FloatSlider or IntSlider"
    assert dash.readout.value and "computing" not in dash.readout.value


@pytest.mark.parametrize("name", list(LIVE))
def test_numeric_controls_reach_beyond_the_scrubbers_grid(dashboards, name):
    _, grid, off_grid = LIVE[name]
    dash = dashboards[name]
    for control, values in grid.items():
        widget = dash.controls[control]
        if isinstance(widget, (widgets.FloatSlider, widgets.IntSlider)):
            assert widget.min <= min(values) and widget.max >= max(values), control
            assert (widget.max - widget.min) / widget.step > len(values), control
    for control, value in off_grid.items():
        assert value not in grid[control], f"{control} = {value} is on the grid"
        widget = dash.controls[control]
        assert widget.min <= value <= widget.max


def test_the_ranges_the_issue_asks_for(dashboards):
    rho = dashboards["rnn"].controls["spectral_radius"]
    assert (rho.min, rho.max, rho.step) == (0.1, 3.0, 0.05)
    T = dashboards["rnn"].controls["T"]
    assert (T.min, T.max) == (5, 200)
    bias = dashboards["flow"].controls["forget_bias"]
    assert (bias.min, bias.max) == (-2.0, 6.0)
    layers = dashboards["flow"].controls["layers"]
    assert (layers.min, layers.max) == (1, 6)
    p = dashboards["peephole"].controls["peephole_weight"]
    assert (p.min, p.max) == (-2.0, 2.0)
    assert isinstance(dashboards["rnn"].controls["seed"], widgets.IntSlider)
    assert isinstance(dashboards["flow"].controls["model"], widgets.ToggleButtons)
    assert isinstance(dashboards["memory"].controls["pattern"], widgets.Dropdown)


@pytest.mark.parametrize("name", list(LIVE))
def test_moving_a_control_off_the_grid_changes_image_and_readout(dashboards, name):
    dash = dashboards[name]
    for control, value in LIVE[name][2].items():
        image, readout = dash.image.value, dash.readout.value
        dash.controls[control].value = value
        assert dash.image.value != image, control
        assert dash.readout.value != readout, control


@pytest.mark.parametrize("name", list(LIVE) + ["clinic"])
def test_images_are_shown_at_their_drawn_size(dashboards, name):
    dash = dashboards[name]
    width, height = viz.png_size(dash.image.value)
    assert dash.image.width == str(width)
    assert dash.image.layout.width == f"{width}px"
    assert 500 <= width <= 900 and height > 200


@pytest.mark.parametrize("name", list(LIVE) + ["clinic"])
def test_before_running_the_text_says_what_to_do(dashboards, name):
    dash = dashboards[name]
    text = dash._repr_mimebundle_()["text/plain"]
    assert text == repr(dash)
    assert max(len(line) for line in text.splitlines()) <= 88  # the book's output width
    text = " ".join(text.split())
    assert text.startswith("Live dashboard: run this cell (with the kernel running) to explore ")
    assert text.endswith("; the pre-drawn version above works without a kernel (in "
                         "JupyterLab, once the notebook is trusted).")
    assert "Dashboard(" not in text


def test_labels_are_never_cut_off(dashboards):
    for dash in dashboards.values():
        for name, control in dash.controls.items():
            if isinstance(control, (widgets.FloatSlider, widgets.IntSlider, widgets.Dropdown)):
                assert control.style.description_width == "initial", name


def test_the_rnn_readout_gives_the_decay_rate(dashboards):
    dash = dashboards["rnn"]
    dash.set_values(spectral_radius=0.5, T=60, input_scale=0.1, weights="orthogonal", seed=0)
    found = re.search(r"decay per step</b>: ([^<]+)", dash.readout.value)
    assert found, f"no 'decay per step</b>: ' in the readout {dash.readout.value!r}"
    rate = float(found.group(1))
    assert rate == pytest.approx(0.5, abs=0.02)  # orthogonal Wh, small inputs: about ρ


def test_the_flow_dashboard_greys_out_the_forget_bias_for_the_rnn(dashboards):
    dash = dashboards["flow"]
    for _ in range(2):  # the second time both frames come from the cache
        dash.controls["model"].value = "rnn"
        assert dash.controls["forget_bias"].disabled
        assert "dL/dc" not in dash.readout.value
        dash.controls["model"].value = "lstm"
        assert not dash.controls["forget_bias"].disabled and "dL/dc" in dash.readout.value


def test_the_clinic_combines_any_set_of_mistakes(dashboards):
    dash = dashboards["clinic"]
    assert set(clinic_views.LIVE_MISTAKE_IDS) <= set(dash.controls)
    assert "0 mistakes" in dash.readout.value
    clean = dash.image.value
    dash.controls["tanh_grad_at_preactivation"].value = True
    one = dash.image.value
    dash.controls["dropped_recurrent_h_grad"].value = True
    assert "2 mistakes" in dash.readout.value and "with the mistakes" in dash.readout.value
    assert len({clean, one, dash.image.value}) == 3
    errors, gate_errors = clinic_views._probe_errors(
        ("tanh_grad_at_preactivation", "dropped_recurrent_h_grad"),
        clinic_views.sequence_probe(T=8))
    assert gate_errors.shape == (4, 8) and gate_errors.max() > 0.01
    assert f"{errors['dWh']:.1e}" in dash.readout.value
    dash.set_values(**{mid: False for mid in clinic_views.LIVE_MISTAKE_IDS})
    assert "0 mistakes" in dash.readout.value and dash.image.value == clean  # from the cache


def test_clinic_error_map_is_zero_for_the_correct_backward():
    errors, gate_errors = clinic_views._probe_errors((), clinic_views.sequence_probe(T=4))
    assert max(errors.values()) == 0 and not gate_errors.any()


def test_live_figures_stay_out_of_pyplot():
    before = plt.get_fignums()
    dash = lstm_flow.live_memory_dashboard()  # takes over a pyplot figure
    peephole_flow.live_dashboard()
    assert plt.get_fignums() == before
    assert bytes(dash.image.value).startswith(b"\x89PNG")


def test_a_live_figure_redraws_only_what_changes_and_the_same_as_in_full():
    live = viz.LiveFigure((3.0, 2.0), dpi=50)
    ax = live.fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    line, = ax.plot([0, 1], [0, 1])
    live.animate(line)
    first = live.png(static_key=1)
    line.set_ydata([1, 0])
    blitted = live.png(static_key=1)
    redrawn = live.png(static_key=2)  # background drawn again
    assert first != blitted and blitted == redrawn
    assert viz.png_size(first) == (150, 100)


def _tiny_live_frame():
    """A draw function's figure as the chapters' dashboards make it: frame(text) -> PNG bytes."""
    live = viz.LiveFigure((1, 1), dpi=20)
    text, = live.animate(live.fig.text(0.5, 0.5, ""))

    def frame(value):
        text.set_text(f"{value}")
        return live.png()
    return frame


def test_slow_frames_redraw_on_release_fast_ones_while_dragging(clock):
    frame = _tiny_live_frame()

    def draw(x):
        clock.tick()  # the frame "takes" clock.delay seconds
        return frame(x), f"x = {x}"

    slider = viz.float_slider("x", 0.0, 0.0, 1.0, 0.01)
    slider.continuous_update = False
    dash = viz.dashboard(draw, {"x": slider}, while_dragging=(0.05, 0.1))
    assert dash.last_seconds == 0.0 and slider.continuous_update  # a fast first frame
    clock.delay = 0.12  # slow: redraw only when let go
    slider.value = 0.5
    assert dash.last_seconds == pytest.approx(0.12)
    assert not slider.continuous_update and dash.readout.value == "x = 0.5"
    clock.delay = 0.07  # between the thresholds: no change either way
    slider.value = 0.55
    assert not slider.continuous_update
    clock.delay = 0.0
    slider.value = 0.6
    assert slider.continuous_update
    clock.delay = 0.07
    slider.value = 0.65
    assert slider.continuous_update
    clock.delay = 0.12
    slider.value = 0.6  # from the cache: not drawn, so not timed
    assert slider.continuous_update and dash.last_seconds == pytest.approx(0.07)


def test_set_values_redraws_once():
    calls = []
    frame = _tiny_live_frame()

    def draw(a, b):
        calls.append((a, b))
        return frame((a, b))

    dash = viz.dashboard(draw, {"a": [1, 2], "b": [3, 4]})
    dash.set_values(a=2, b=4)
    assert calls == [(1, 3), (2, 4)]


def test_the_scrubber_style_dashboard_still_works():
    dash = viz.dashboard(peephole_flow.draw_cell_gradient_flow, peephole_flow.FLOW_CONTROLS,
                         title="Gradient along the cell")
    assert isinstance(dash.controls["peephole_weight"], widgets.SelectionSlider)
    assert dash.controls["peephole_weight"].style.description_width == "initial"
    before = dash.image.value
    dash.controls["peephole_weight"].value = 1.0
    assert dash.image.value != before
    assert " ".join(repr(dash).split()).startswith(
        "Live dashboard: run this cell (with the kernel running) to explore gradient along "
        "the cell;")


def test_the_latency_benchmark_runs(monkeypatch, capsys):
    # The benchmark sets MPLBACKEND and thread counts in os.environ when imported: give
    # it a copy, or every notebook kernel nbval starts later in this process inherits them.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    spec = importlib.util.spec_from_file_location(
        "dashboard_latency", ROOT / "benchmarks" / "dashboard_latency.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert set(bench.CASES) == set(bench.DASHBOARDS)
    monkeypatch.setattr(sys, "argv", ["dashboard_latency.py", "--repeats", "1",
                                      "--only", "peephole,rnn"])
    bench.main()
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.rstrip().endswith("ms")]
    assert len(rows) == 2 + len(bench.CASES["peephole"]) + len(bench.CASES["rnn"]), out
    timed = [line for line in rows if "built" not in line]
    # median, min, max and CPU time, each in whole milliseconds
    row = re.compile(r"(\S+)ms +\S+ms +\S+ms +\S+ms$")
    found = [row.search(line.rstrip()) for line in timed]
    assert all(found), f"rows without median, min, max and CPU ms:\n{out}"
    medians = [float(match.group(1)) for match in found]
    assert all(np.isfinite(medians)) and min(medians) > 0, out


def test_a_switched_on_mistake_is_shown_red():
    dash = clinic_views.live_clinic(steps=5)
    toggle = dash.controls["missing_forget_in_dprev_c"]
    toggle.value = True
    assert toggle.button_style == "danger"
    dash.set_values(missing_forget_in_dprev_c=False)
    assert toggle.button_style == ""


def test_computing_is_shown_only_for_slow_frames(clock):
    seen = []
    frame = _tiny_live_frame()

    def draw(x):
        clock.tick()  # the frame "takes" clock.delay seconds
        return frame(x), f"x = {x}"

    slider = viz.int_slider("x", 0, 0, 10)
    dash = viz.dashboard(draw, {"x": slider}, while_dragging=(0.05, 0.1))
    dash.readout.observe(lambda change: seen.append(change["new"]), names="value")
    slider.value = 1  # the first frame was fast: no "computing…"
    assert seen == ["x = 1"]
    clock.delay = 0.08
    slider.value = 2  # this one is slow, but the last was fast
    slider.value = 3  # the last was slow: "computing…" first
    assert seen[-2].startswith("<em>computing…</em>") and seen[-1] == "x = 3"
    slider.value = 2  # from the cache: instant
    assert seen[-1] == "x = 2" and not seen[-2].startswith("<em>computing")


def test_a_dropdown_without_a_value_selects_its_first_option():
    for value in ([], [None]):  # value left out, or passed as None
        chosen = viz.dropdown("pattern", ["a", "b"], *value)
        assert chosen.value == "a" and chosen.index == 0
        named = viz.dropdown("model", {"tanh RNN": "rnn", "LSTM": "lstm"}, *value)
        assert named.value == "rnn" and named.label == "tanh RNN"
    assert viz.dropdown("pattern", ["a", "b"], "b").value == "b"


def test_the_readout_decay_rate_is_nan_when_too_few_norms_are_left():
    assert rnn_flow.readout_decay_rate(0.5 ** np.arange(30.0)) == pytest.approx(0.5)
    underflowed = np.r_[0.5 ** np.arange(6.0), np.zeros(40)]  # 6 positive norms left of 46
    assert np.isnan(rnn_flow.readout_decay_rate(underflowed))
    assert np.isnan(rnn_flow.readout_decay_rate(np.ones(6)))  # a short T


def test_the_flow_dashboard_survives_norms_that_underflow(monkeypatch):
    real = lstm_flow.stacked_gradient_norms

    def underflowing(*args, **kwargs):  # all but the last 3 steps underflow to 0
        norms = real(*args, **kwargs)
        dh = norms.dh.copy()
        dh[:, :-3] = 0.0
        return norms._replace(dh=dh)

    monkeypatch.setattr(lstm_flow, "stacked_gradient_norms", underflowing)
    dash = lstm_flow.live_flow_dashboard()  # T = 50: before, decay_rate raised a ValueError
    assert "decay per step</b> along the top layer: nan" in dash.readout.value
