"""Chapter 4's exploration (gradient flow over time x layer): the dashboard redraws, frames differ.

The chapter shows ``lstm_flow.draw_flow_heatmap`` over the controls below (the same
names and kinds of values as in chapters/04_bptt_stacking.ipynb, fewer of them
to keep the test fast).
"""

import pytest

from lstmlib.book import lstm_flow, viz

CONTROLS = {"model": ["rnn", "lstm"], "forget_bias": [0.0, 3.0], "T": [25, 75],
            "layers": [2, 4]}


@pytest.fixture
def dashboard():
    # A fresh dashboard for every test: one that moved its sliders in an earlier test would
    # make the result depend on the order the tests run in.
    return viz.dashboard(lstm_flow.draw_flow_heatmap, CONTROLS, title="gradient flow")


@pytest.mark.parametrize("name,value", [("model", "lstm"), ("T", 75), ("layers", 4)])
def test_moving_a_control_redraws(dashboard, name, value):
    before = dashboard.image.value
    dashboard.controls[name].value = value
    assert dashboard.image.value != before


def test_forget_bias_changes_the_lstm_frames(dashboard):
    dashboard.controls["model"].value = "lstm"
    dashboard.controls["forget_bias"].value = 0.0
    before = dashboard.image.value
    dashboard.controls["forget_bias"].value = 3.0
    assert dashboard.image.value != before


def test_scrubber_frames_differ():
    controls = {"model": ["rnn", "lstm"], "forget_bias": [1.0], "T": [25, 75], "layers": [2]}
    scrubber = viz.scrubber(lstm_flow.draw_flow_heatmap, controls, title="gradient flow")
    assert len(set(scrubber.frames.values())) == len(scrubber.frames) == 4
    assert "lstm-scrubber" in scrubber._repr_html_()
