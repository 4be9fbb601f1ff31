"""Print a hash of every file that goes into the built book.

scripts/build-book stores it in _build/.book-sources.sha256 after a successful
build; tests/test_site.py rebuilds the book only when the hash has changed.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the build reads: config, toc, root pages, bibliography, the local Sphinx
# extension, the chapters (and any data next to them), the library they import,
# and the pinned requirements.
SOURCES = [
    "_config.yml",
    "_toc.yml",
    "references.bib",
    "requirements.txt",
    "pyproject.toml",
    "*.md",  # README.md is skipped below: it is not part of the book
    "answers/*.md",  # the answers to the learners, in their languages
    "_ext/**/*.py",
    "_static/**/*",
    "chapters/**/*",
    "lstmlib/**/*.py",
    "lstmlib/book/results/*",  # chapter 8 reads the adding-problem benchmark's results
    "scripts/reference_platform.py",  # the numeric platform every notebook runs on
]
SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}
SKIP_FILES = {"README.md"}


def source_files(root: Path = ROOT) -> list[Path]:
    files: set[Path] = set()
    for pattern in SOURCES:
        for p in root.glob(pattern):
            rel = p.relative_to(root)
            if p.is_file() and not SKIP_PARTS & set(rel.parts) and rel.as_posix() not in SKIP_FILES:
                files.add(p)
    return sorted(files)


def sources_hash(root: Path = ROOT) -> str:
    h = hashlib.sha256()
    for p in source_files(root):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


if __name__ == "__main__":
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    print(sources_hash(root))
