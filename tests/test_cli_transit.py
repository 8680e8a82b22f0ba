"""``corridor serve`` and ``corridor transit``: only bootstrap and serve migrate; ``serve --workers`` is honoured."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cli_helpers import ok, ok_json, refused
from transit_helpers import free_port

from corridor import settings


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_stats_does_not_migrate_and_bootstrap_does(tmp_path: Path):
    db = tmp_path / "transit.sqlite"
    url = f"sqlite:///{db}"
    result = refused("transit", "stats", "--database-url", url)
    assert "error:" in result.stderr and "no such table" in result.stderr
    assert not db.exists() or not tables(db), "transit stats must not create or migrate the schema"
    doc = ok_json("transit", "bootstrap", "--database-url", url, "--name", "ops")
    assert doc["role"] == "operator" and len(doc["token"]) > 20
    assert {"parties", "declarations", "alembic_version"} <= tables(db)
    stats = ok_json("transit", "stats", "--database-url", url)
    assert stats["declarations_by_status"] == {} and stats["released_with_arrival"] == 0
    assert "released_with_arrival: 0" in ok("transit", "stats", "--database-url", url).stdout


def test_database_url_comes_from_settings_when_not_given(tmp_path: Path):
    db = tmp_path / "from_settings.sqlite"
    with settings.option_context(database_url=f"sqlite:///{db}"):
        ok("transit", "bootstrap")
    assert "parties" in tables(db)


def test_bad_database_url_is_one_line():
    result = refused("transit", "stats", "--database-url", "nonsense://x")
    assert "--database-url" in result.stderr or "database" in result.stderr


@pytest.mark.parametrize(("args", "needle"), [(("--workers", "0"), "--workers"), (("--port", "0"), "--port")])
def test_serve_refuses_bad_options(args, needle):
    assert needle in refused("serve", *args).stderr


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes through /proc")
def test_serve_starts_the_requested_number_of_workers(tmp_path: Path):
    port = free_port()
    db = tmp_path / "served.sqlite"
    token = ok_json("transit", "bootstrap", "--database-url", f"sqlite:///{db}", "--name", "ops")["token"]
    cmd = [
        sys.executable,
        "-m",
        "corridor.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        "--database-url",
        f"sqlite:///{db}",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline, answered = time.monotonic() + 90, set()
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                answered.add(r.status_code)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert 200 in answered, proc.stderr.read() if proc.poll() is not None else "server did not answer"
        # every worker answers from the database given on the command line: it knows the operator created there
        for _ in range(6):
            me = httpx.get(f"http://127.0.0.1:{port}/parties/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert me.status_code == 200 and me.json()["name"] == "ops", me.text
        workers = [p for p in _children(proc.pid) if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) == 2, _children(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_export_to_environment_hands_options_to_child_processes(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CORRIDOR_DATABASE_URL", "")  # restored after the test
    with settings.option_context(database_url="sqlite:///child.sqlite"):
        settings.export_to_environment("database_url")
    assert os.environ["CORRIDOR_DATABASE_URL"] == "sqlite:///child.sqlite"
    child = subprocess.run(
        [sys.executable, "-c", "from corridor import settings; print(settings.get('database_url'))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.stdout.strip() == "sqlite:///child.sqlite"
