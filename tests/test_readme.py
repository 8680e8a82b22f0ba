"""The README's examples run: each ``$ corridor ...`` line of its console blocks (in-process) and its Python block."""

from __future__ import annotations

import glob
import re
import shlex
import shutil
from pathlib import Path

import pytest
from cli_helpers import invoke

from corridor import settings
from corridor.data import DATASET_DIR

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NEEDS_SERVER = {"serve"}


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README, flags=re.S | re.M)


def _commands() -> list[tuple[list[str], list[str]]]:
    """(arguments after ``corridor``, the output lines shown under it) for each ``$ corridor`` line."""
    found: list[tuple[list[str], list[str]]] = []
    for block in _blocks("console"):
        current: list[str] | None = None
        for line in block.splitlines():
            if line.startswith("$ "):
                current = None
                if line.startswith("$ corridor "):
                    current = []
                    found.append((shlex.split(line[2:], comments=True)[1:], current))
            elif current is not None:
                current.append(line)
    return found


#: the evidence section's commands depend on each other (ingest, then review, re-ingest, promote): one test runs them
COMMANDS = [c for c in _commands() if c[0][0] != "evidence"]
EVIDENCE = [c for c in _commands() if c[0][0] == "evidence"]


def test_the_readme_has_console_and_python_examples():
    assert len(COMMANDS) >= 8 and len(_blocks("python")) >= 1


def _key_line(shown: list[str]) -> str | None:
    """The first shown output line that is plain text (no table rule, no elision, no placeholder), whitespace-collapsed."""
    for line in shown:
        text = " ".join(line.split())
        if text and not set(text) & set("│┃┏┡└…<") and not text.startswith("$"):
            return text
    return None


@pytest.mark.parametrize(("args", "shown"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_readme_command_runs(args: list[str], shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if args[0] in NEEDS_SERVER:
        pytest.skip("starts a server")
    monkeypatch.chdir(ROOT)
    missing = [a for a in args if a.startswith(("../", "./")) and not (ROOT / a).exists()]
    if missing:
        pytest.skip(f"{missing[0]} is not beside this checkout")
    stores = {"database_url": f"sqlite:///{tmp_path / 'transit.sqlite'}"}
    with settings.option_context(**stores, evidence_database_url=f"sqlite:///{tmp_path / 'evidence.sqlite'}"):
        if args[:2] == ["transit", "stats"]:
            invoke("transit", "bootstrap")
        result = invoke(*args)
    assert result.exit_code == 0, (result.exception, result.stdout, result.stderr)
    key = _key_line(shown)
    if key and args[0] not in ("transit", "tntp"):  # tokens and timings differ from run to run
        assert key in " ".join(result.stdout.split()), f"README shows {key!r}"


def _expand(args: list[str], mydata: Path) -> list[str]:
    """Shell globs expanded (from the checkout) and the README's ``mydata`` copy placed in a temp folder."""
    expanded: list[str] = []
    for a in args:
        expanded += sorted(glob.glob(a)) if "*" in a else [str(mydata) if a == "mydata" else a]
    return expanded


def test_readme_evidence_walkthrough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The evidence section's ``$ corridor evidence`` lines in order on one fresh store; "error:" output means exit 2."""
    assert len(EVIDENCE) >= 8
    if not (ROOT.parent / "shared" / "seeds").is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    monkeypatch.chdir(ROOT)
    mydata = tmp_path / "mydata"
    shutil.copytree(DATASET_DIR, mydata)  # the README's `cp -r src/corridor/data/dataset mydata`
    with settings.option_context(evidence_database_url=f"sqlite:///{tmp_path / 'evidence.sqlite'}"):
        for args, shown in EVIDENCE:
            result = invoke(*_expand(args, mydata))
            want = 2 if shown and shown[0].startswith("error:") else 0
            assert result.exit_code == want, (args, result.exception, result.stdout, result.stderr)
            key = _key_line(shown)
            if key and want == 0:
                assert key in " ".join(result.stdout.split()), f"{args}: README shows {key!r}"


def test_readme_python_block_runs():
    for block in _blocks("python"):
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
