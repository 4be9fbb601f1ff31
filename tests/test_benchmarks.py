"""The speed benchmark runs and reports every case (at a tiny size: it asserts no speed)."""
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_benchmark(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lstm_speed_reports_both_dtypes(monkeypatch, capsys):
    speed = load_benchmark("lstm_speed")
    monkeypatch.setattr(speed, "SIZES", [(2, 3, 4, 5)])
    monkeypatch.setattr(sys, "argv", ["lstm_speed.py", "--repeats", "2"])
    speed.main()
    rows = [line.split() for line in capsys.readouterr().out.splitlines()
            if line.startswith("(2, 3, 4, 5)")]
    assert [row[4] for row in rows] == ["float64", "float32"]
    for row in rows:
        vectorised_ms, loop_ms = (float(cell.removesuffix("ms")) for cell in row[5:7])
        assert vectorised_ms > 0 and loop_ms > 0
        assert row[7].endswith("x")  # the speed-up


def test_matmul_flops_counts_six_products_per_step():
    speed = load_benchmark("lstm_speed")
    N, T, D, H = 2, 3, 4, 5
    # forward x Wx and h Wh; backward dx, dWx, dprev_h, dWh: each 2 N (D or H) 4H per step
    assert speed.matmul_flops(N, T, D, H) == T * 3 * (2 * N * D * 4 * H + 2 * N * H * 4 * H)
