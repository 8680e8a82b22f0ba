"""Run ``corridor`` commands in-process with Typer's CliRunner, sharing one load of the shipped dataset."""

from __future__ import annotations

import functools
import json
from typing import Any
from unittest import mock

from click.testing import Result
from typer.testing import CliRunner

from corridor import data
from corridor.cli import app

_real_load = data.read_dataset


@functools.cache
def _shipped() -> Any:
    return _real_load(None)


def _load(path: Any = None) -> Any:
    """``read_dataset`` with the shipped dataset loaded once per test session (other folders load afresh)."""
    return _shipped() if path is None else _real_load(path)


def invoke(*args: str, stdin: str | None = None) -> Result:
    """Run ``corridor ARGS`` in this process (*stdin* as its standard input); stdout and stderr are kept apart."""
    with mock.patch("corridor.data.read_dataset", _load):
        return CliRunner().invoke(app, list(args), input=stdin)


def ok(*args: str) -> Result:
    """Run ``corridor ARGS`` and assert it exited 0 without an exception."""
    result = invoke(*args)
    assert result.exit_code == 0, (result.exception, result.stdout, result.stderr)
    return result


def ok_json(*args: str) -> Any:
    """Run ``corridor ARGS --json`` and parse its stdout."""
    return json.loads(ok(*args, "--json").stdout)


def refused(*args: str) -> Result:
    """Run ``corridor ARGS``, expecting exit status 2 with a one-line error on stderr and no traceback."""
    result = invoke(*args)
    assert result.exit_code == 2, (result.exception, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result
