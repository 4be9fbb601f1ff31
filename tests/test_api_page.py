"""The API page (api.md) documents every module of lstmlib."""
import pkgutil
import re
from pathlib import Path

import lstmlib

API = Path(__file__).resolve().parent.parent / "api.md"
# namespaces that only gather names documented in their own modules
GATHERING = {"lstmlib.book", "lstmlib.diagnose.mistakes", "lstmlib.diagnose.diagnosers",
             "lstmlib.diagnose.__main__"}


def test_every_module_is_on_the_api_page():
    # lstmlib.book.exercises.chNN hold each chapter's exercise checks: the chapter
    # that asks the question is their documentation
    modules = {m.name for m in pkgutil.walk_packages(lstmlib.__path__, "lstmlib.")
               if not m.name.rsplit(".", 1)[-1].startswith("_")
               and not re.fullmatch(r"lstmlib\.book\.exercises\.ch\d\d", m.name)}
    documented = set(re.findall(r"automodule:: ([\w.]+)", API.read_text()))
    assert modules - GATHERING - documented == set()
    assert documented - modules - {"lstmlib"} == set()
