"""The explorations of chapters 1 and 2 (and chapter 4's heatmap from lstmlib.flow).

Each is a ``draw`` function plus its slider values. The live dashboard must
redraw when a control moves, and the scrubber's pre-rendered frames must differ.
"""
import matplotlib
import pytest

from lstmlib.book import lstm_flow, rnn_flow, viz

matplotlib.use("Agg")

EXPLORATIONS = [
    (rnn_flow.draw_rnn_flow, rnn_flow.RNN_FLOW_CONTROLS),
    (lstm_flow.draw_memory_lstm, lstm_flow.MEMORY_CONTROLS),
    (lstm_flow.draw_flow_heatmap, lstm_flow.FLOW_HEATMAP_CONTROLS),
]


@pytest.mark.parametrize("draw, controls", EXPLORATIONS)
def test_dashboard_redraws_when_each_control_moves(draw, controls):
    dash = viz.dashboard(draw, controls)
    for name, values in controls.items():
        before = dash.image.value
        dash.controls[name].value = values[-1]
        assert dash.image.value != before, name


@pytest.mark.parametrize("draw, controls", EXPLORATIONS)
def test_scrubber_frames_differ(draw, controls):
    first = next(iter(controls))
    small = {name: values if name == first else values[:1] for name, values in controls.items()}
    scrub = viz.scrubber(draw, small)
    assert len(scrub.frames) == len(controls[first])
    assert len(set(scrub.frames.values())) == len(scrub.frames)
    assert "data:image/png;base64," in scrub._repr_html_()


@pytest.mark.parametrize("draw, controls", EXPLORATIONS)
def test_grids_stay_small(draw, controls):
    frames = 1
    for values in controls.values():
        frames *= len(values)
    assert frames <= 24
