"""The C++ (Armadillo) and Java examples, compiled and diagnosed for real through probe files.

These are real programs: the tests FAIL, not skip, when g++, Armadillo or javac are
missing (`bash scripts/test` installs g++, libarmadillo-dev and default-jdk-headless).
Everything is compiled once per module, the C++ programs in parallel, at -O0 (compiling
dominates; the programs themselves run in milliseconds).
"""
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lstmlib.diagnose import check_files, write_probe

ROOT = Path(__file__).resolve().parent.parent
CPP = ROOT / "examples" / "cpp"
JAVA = ROOT / "examples" / "java"
INSTALL = ("bash scripts/test installs it (apt-get install g++ libarmadillo-dev "
           "default-jdk-headless)")


def _tool(name):
    path = shutil.which(name)
    assert path, f"{name} is missing: {INSTALL}"
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Compile the C++ examples, the C++ step template, the Java example and the Java
    template; returns name -> command prefix, and the seconds each build took."""
    out = tmp_path_factory.mktemp("built")
    gxx, javac = _tool("g++"), _tool("javac")
    _tool("java")
    template_dir = write_probe("step", out / "template_probe")
    sources = {"lstm_sequence": CPP / "lstm_sequence.cpp",
               "lstm_sequence_post_mistakes": CPP / "lstm_sequence_post_mistakes.cpp",
               "template_cpp": template_dir / "template.cpp"}
    t0 = time.perf_counter()
    jobs = {name: subprocess.Popen([gxx, "-O0", "-std=c++14", str(src), "-o", str(out / name),
                                    "-larmadillo"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
            for name, src in sources.items()}
    java_classes = out / "classes"
    javac_run = subprocess.run([javac, "-d", str(java_classes), str(JAVA / "LstmNeuron.java"),
                                str(template_dir / "Template.java")],
                               capture_output=True, text=True, timeout=300)
    t_java = time.perf_counter() - t0
    for name, job in jobs.items():
        log = job.communicate(timeout=600)[0]
        assert job.returncode == 0, (f"g++ failed on {sources[name].name} (is libarmadillo-dev "
                                     f"installed? {INSTALL}):\n{log}")
    t_cpp = time.perf_counter() - t0
    assert javac_run.returncode == 0, f"javac failed:\n{javac_run.stdout}{javac_run.stderr}"
    java = [_tool("java"), "-cp", str(java_classes)]
    commands = {name: [str(out / name)] for name in sources}
    commands["LstmNeuron"] = java + ["LstmNeuron"]
    commands["Template"] = java + ["Template"]
    sys.stderr.write(f"\n[test_examples] built 3 C++ programs in parallel and 2 Java classes "
                     f"in {t_cpp:.1f} s (javac done at {t_java:.1f} s)\n")
    return commands


def run_on_probe(command, kind, directory, *extra):
    d = write_probe(kind, directory)
    run = subprocess.run([*command, str(d), *extra], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return check_files(kind, d)


def test_cpp_correct_sequence_is_ok(built, tmp_path):
    diagnosis = run_on_probe(built["lstm_sequence"], "sequence", tmp_path)
    assert diagnosis.ok, str(diagnosis)


def test_cpp_with_the_first_posts_mistakes_is_named_exactly(built, tmp_path):
    diagnosis = run_on_probe(built["lstm_sequence_post_mistakes"], "sequence", tmp_path)
    assert not diagnosis.ok
    assert set(diagnosis.mistakes) == {"tanh_grad_at_preactivation", "ones_initial_state"}, \
        str(diagnosis)


def test_java_gate_as_neuron_correct_is_ok(built, tmp_path):
    diagnosis = run_on_probe(built["LstmNeuron"], "step", tmp_path)
    assert diagnosis.ok, str(diagnosis)


def test_java_with_the_second_posts_bias_rule_is_named_exactly(built, tmp_path):
    diagnosis = run_on_probe(built["LstmNeuron"], "step", tmp_path, "--post-rule")
    assert diagnosis.mistakes == ("bias_grad_scaled_by_sigmoid",), str(diagnosis)


@pytest.mark.parametrize("template", ["template_cpp", "Template"])
def test_the_templates_compile_run_and_write_every_output(built, tmp_path, template):
    """Untouched, a template writes zeros of the right shapes: a diagnosis, not a file error."""
    diagnosis = run_on_probe(built[template], "step", tmp_path)
    assert not diagnosis.ok and diagnosis.problem and "forward disagrees" in diagnosis.problem


def test_the_cli_check_on_the_cpp_program(built, tmp_path):
    d = write_probe("sequence", tmp_path)
    subprocess.run([*built["lstm_sequence_post_mistakes"], str(d)], check=True, timeout=120)
    run = subprocess.run([sys.executable, "-m", "lstmlib.diagnose", "check", str(d)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "tanh_grad_at_preactivation" in run.stdout and "ones_initial_state" in run.stdout
