"""The README runs as written: its shell commands and its Python examples, after the quick start.

Shell commands come from the ```bash blocks (each block run in order in a fresh copy of the
repository's data, as a reader would type it in a clone) and from inline code that is a whole
``xl-kpi`` command line (`xl-kpi functions KPI_NRR`); a command must exit 0. The quick start's
own set-up lines (venv, activate, pip) are what this test environment already did. Python
examples (``>>>`` lines) run in one namespace per block; an example followed by its output must
print it (whitespace aside). Commands that take more than a few seconds (the demo, the
benchmarks, a folder of workbooks), and blocks of more than six commands, are marked slow.

A benchmark runs for minutes (the recalc one times LibreOffice many times over): by default its
command is run with ``--help``, which imports everything it needs and parses its options, so a
benchmark that cannot start fails here; ``XL_KPI_README_BENCHMARKS=1`` runs them in full.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: Lines of the quick start that set up the environment this test already runs in.
SETUP = re.compile(r"^(python3 -m venv|source |pip install|\.venv\\)")
#: Commands that take minutes, or most of a minute.
SLOW = re.compile(r"^(python benchmarks/|xl-kpi demo|xl-kpi templates|xl-kpi recalc workbooks/|python -m pytest)")
#: What a clone holds that the commands read.
DATA = ("tests", "workbooks", "benchmarks")


def _blocks(lang: str) -> list[tuple[int, list[str]]]:
    """(line number, lines) of each fenced block in ``lang``."""
    out, current, start = [], None, 0
    for i, line in enumerate(README.splitlines(), start=1):
        if line.startswith("```"):
            if current is None:
                if line[3:].strip() == lang:
                    current, start = [], i
                else:
                    current = False  # another language: skip to its end
            else:
                if current is not False:
                    out.append((start, current))
                current = None
        elif current:
            current.append(line)
        elif current is not None and current is not False:
            current.append(line)
    return out


def _command(line: str) -> str:
    """A shell line without its trailing ``# comment``."""
    return re.sub(r"\s+#\s.*$", "", line).strip()


def shell_blocks() -> list[tuple[str, list[str]]]:
    """(id, commands) of every bash block, set-up lines and tests left out."""
    out = []
    for start, lines in _blocks("bash"):
        commands = [_command(line) for line in lines if _command(line) and not line.lstrip().startswith("#")]
        commands = [c for c in commands if not SETUP.match(c) and not c.startswith("python -m pytest")]
        if commands:
            out.append((f"README line {start}", commands))
    return out


def inline_commands() -> list[str]:
    """Inline code spans that are whole ``xl-kpi`` command lines (they parse), or ``python`` runs."""
    from xl_kpi.cli import build_parser

    parser = build_parser()
    found = []
    for span in dict.fromkeys(re.findall(r"`([^`\n]+)`", README)):
        if span.startswith("python benchmarks/"):
            found.append(span)
        elif span.startswith("xl-kpi ") and "FILE" not in span and "..." not in span:
            try:
                with open(os.devnull, "w") as null:
                    stderr, sys.stderr = sys.stderr, null
                    try:
                        parser.parse_args(shlex.split(span)[1:])
                    finally:
                        sys.stderr = stderr
            except SystemExit:  # a name (`xl-kpi recalc`), not a command line
                continue
            found.append(span)
    return found


#: A block of more commands than this is slow as a whole (each one starts a Python process, 0.5 s).
SLOW_BLOCK = 6


def _marks(commands: list[str]):
    return [pytest.mark.slow] if len(commands) > SLOW_BLOCK or any(SLOW.match(c) for c in commands) else []


@pytest.fixture
def clone(tmp_path, monkeypatch) -> Path:
    """A folder holding the clone's data and the quick start's demo output, the venv on PATH."""
    for name in DATA:
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "xl-kpi-demo").mkdir()
    shutil.copy(ROOT / "workbooks" / "xl-kpi-example-en.xlsx", tmp_path / "xl-kpi-demo")  # what the demo writes
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


BENCHMARK = re.compile(r"^python benchmarks/\S+\.py")


def _run(command: str, cwd: Path) -> None:
    if BENCHMARK.match(command) and os.environ.get("XL_KPI_README_BENCHMARKS") != "1":
        command = BENCHMARK.match(command).group(0) + " --help"
    done = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{command!r} exited {done.returncode}:\n{done.stderr[-2000:]}"


@pytest.mark.parametrize("commands", [pytest.param(c, id=i, marks=_marks(c)) for i, c in shell_blocks()])
def test_every_shell_block_runs_as_written(commands, clone):
    for command in commands:
        _run(command, clone)


@pytest.mark.parametrize("command", [pytest.param(c, id=c, marks=_marks([c])) for c in inline_commands()])
def test_every_inline_command_runs_as_written(command, clone):
    _run(command, clone)


def test_the_quick_start_activates_the_venv_and_says_how_long_the_tests_take():
    start = README[README.index("## Quick start"):README.index("## The Python API")]
    assert "source .venv/bin/activate" in start and "xl-kpi demo" in start
    assert re.search(r"about \d+ minutes", start) and '-m "not slow"' in start


def test_the_readme_shows_commands_and_examples_to_check():
    assert len(shell_blocks()) >= 3 and len(inline_commands()) >= 4
    assert len(python_blocks()) >= 2


# -- Python examples ----------------------------------------------------------------------------

def python_blocks() -> list[tuple[str, list[tuple[str, str]]]]:
    """(id, [(source, expected output)]) of every python block of ``>>>`` examples."""
    out = []
    for start, lines in _blocks("python"):
        examples: list[tuple[str, list[str]]] = []
        for line in lines:
            if line.startswith(">>> "):
                examples.append((line[4:], []))
            elif line.startswith("... ") and examples:
                examples[-1] = (examples[-1][0] + "\n" + line[4:], examples[-1][1])
            elif examples and line.strip():
                examples[-1][1].append(line)
        if examples:
            out.append((f"README line {start}", [(src, "\n".join(want)) for src, want in examples]))
    return out


@pytest.mark.parametrize("examples", [pytest.param(e, id=i) for i, e in python_blocks()])
def test_every_python_example_runs_and_prints_what_the_readme_shows(examples, monkeypatch):
    import pandas as pd

    monkeypatch.chdir(ROOT)  # paths in the examples are relative to the clone
    with pd.option_context("display.width", 250, "display.max_columns", 50):  # a wide terminal
        _check(examples, {})


def _check(examples, namespace) -> None:
    for source, want in examples:
        code = re.sub(r"\s+#\s.*$", "", source, flags=re.M)
        try:
            value = eval(compile(code, "<README>", "eval"), namespace)  # noqa: S307 - our own README
        except SyntaxError:
            exec(compile(code, "<README>", "exec"), namespace)  # noqa: S102
            value = None
        if want:
            assert " ".join(repr(value).split()) == " ".join(want.split()) or \
                " ".join(str(value).split()) == " ".join(want.split()), source
