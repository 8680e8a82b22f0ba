"""``corridor evidence …`` in-process (Typer's CliRunner) on an SQLite store in a temp folder; two runs end to end.

The end-to-end runs go through a real subprocess: real stdin, a real terminal width, and the seed pages' BTC figures
shown as a conflict group with each source.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import invoke, ok, refused

from corridor import settings
from corridor.cli import common
from corridor.data import DATASET_DIR

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed pages not found at {SEEDS}")
CLAIM_KEYS = ["start", "end", "surface", "sentence", "value", "value_low", "value_high", "bound", "unit", "currency", "rate",
              "period_start", "period_end", "modality", "subject", "subject_id", "property"]  # fmt: skip


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh evidence store for the in-process commands, and tables wide enough not to fold a file name."""
    monkeypatch.setattr(common.out, "width", 250)
    url = f"sqlite:///{tmp_path / 'ev.sqlite'}"
    with settings.option_context(evidence_database_url=url):
        yield url


def ev(*args: str, stdin: str | None = None) -> str:
    """``corridor evidence ARGS`` in-process, expecting success; its stdout."""
    result = invoke("evidence", *args, stdin=stdin)
    assert result.exit_code == 0, (result.exception, result.stdout, result.stderr)
    return result.stdout


def ev_refused(*args: str, stdin: str | None = None) -> str:
    """``corridor evidence ARGS`` in-process, expecting one clear error and exit 2; its stderr."""
    if stdin is None:
        return refused("evidence", *args).stderr
    result = invoke("evidence", *args, stdin=stdin)
    assert result.exit_code == 2 and "Traceback" not in result.stderr, (result.exception, result.stdout, result.stderr)
    return result.stderr


def script(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``corridor evidence ARGS`` in a fresh process, expecting success."""
    proc = subprocess.run(
        [sys.executable, "-c", "from corridor.cli import main; main()", "evidence", *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "250", **(env or {})}, input=stdin,
    )  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr + proc.stdout
    return proc


# ------------------------------------------------------------------ end to end, in a fresh process
@needs_seeds
def test_script_ingest_then_conflicts_shows_the_btc_group_with_each_source(tmp_path):
    env = {"CORRIDOR_EVIDENCE_DATABASE_URL": f"sqlite:///{tmp_path / 'ev.sqlite'}"}
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    assert script("ingest", *seeds, env=env).stdout.count("stored as document") == 4
    conflicts = script("conflicts", env=env).stdout
    assert "link:btc · flow · 2025" in conflicts and "CONFLICT" in conflicts
    assert "001_169b421efc6a4b65.txt" in conflicts and "003_d7f29df6049b5787.txt" in conflicts


def test_script_extract_jsonl_reads_stdin_and_keeps_ids():
    lines = [{"id": 7, "text": "Cargo on the TITR reached 4.5 million tons in 2024."}, {"id": "b", "text": ""}]
    out = script("extract", "-", "--jsonl", stdin="\n".join(json.dumps(x) for x in lines)).stdout
    docs = [json.loads(x) for x in out.splitlines()]
    assert [d["id"] for d in docs] == [7, "b"]
    assert docs[0]["claims"][0]["subject_id"] == "corridor:middle" and docs[1]["claims"] == []


# ------------------------------------------------------------------ in-process
@needs_seeds
def test_extract_json_shape(store):
    doc = json.loads(ev("extract", str(SEEDS / "003_d7f29df6049b5787.txt"), "--json"))
    claims = doc["documents"][0]["claims"]
    assert claims and all(list(c) == CLAIM_KEYS for c in claims)
    btc = [c for c in claims if c["subject_id"] == "link:btc" and c["unit"] == "Mt"]
    assert {(c["value"], c["modality"]) for c in btc} >= {(1.4, "actual"), (1.5, "quota"), (1.5, "target")}


def test_extract_table_and_jsonl_json(store, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Kazakhstan was allocated a quota of 1.5 million tons of oil through BTC in 2025.\n", encoding="utf-8")
    table = ev("extract", str(page))
    assert "page.txt: 1 claims" in table and "link:btc" in table and "quota" in table and "1.5 Mt" in table
    stdin = "\n".join(json.dumps(x) for x in [{"id": 7, "text": "4.5 million tons in 2024."}, {"id": "b", "text": ""}])
    doc = json.loads(ev("extract", "-", "--jsonl", "--json", stdin=stdin))
    assert [d["id"] for d in doc["documents"]] == [7, "b"] and doc["documents"][0]["claims"][0]["value"] == 4.5


def test_extract_jsonl_reads_a_date_per_line(store):
    stdin = json.dumps({"id": "x", "date": "2024-12-22", "text": "Currently 1.4 million tons pass through BTC."})
    c = json.loads(ev("extract", "-", "--jsonl", "--json", stdin=stdin))["documents"][0]["claims"][0]
    assert (c["period_start"], c["subject_id"]) == ("2024-01-01", "link:btc")
    bad = json.dumps({"id": "y", "date": "22/12/2024", "text": "1 t"})
    assert "YYYY-MM-DD" in ev_refused("extract", "-", "--jsonl", stdin=bad)


def test_bad_input_is_one_clear_line(store, tmp_path):
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    assert "binary" in ev_refused("ingest", str(binary))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    assert "bad.jsonl:2" in ev_refused("extract", str(bad), "--jsonl")
    assert "YYYY-MM-DD" in ev_refused("extract", str(bad), "--date", "13/11/2025")
    assert "csv" in ev_refused("claims", "--format", "xml")
    assert "--action" in ev_refused("review", "1")
    assert "missing.txt" in ev_refused("extract", str(tmp_path / "missing.txt"))
    assert "--data" in ev_refused("extract", str(bad), "--data", str(tmp_path / "nowhere"))


def test_page_text_is_escaped(store, tmp_path):
    page = tmp_path / "[red]page[red].txt"
    text = "[bold red]The BTC pipeline carried 1.4 million tons in 2024[/bold red] and 2.0 million tons in 2024.\n"
    page.write_text(text, encoding="utf-8")
    assert "[red]page[red].txt" in ev("ingest", str(page))
    assert "[bold red]The BTC pipeline" in ev("conflicts")


@needs_seeds
def test_ingest_conflicts_review_promote(store, tmp_path):
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    assert ev("ingest", *seeds).count("stored as document") == 4
    assert ev("ingest", *seeds).count("already stored") == 4
    groups = json.loads(ev("conflicts", "--json"))
    btc = next(g for g in groups if (g["subject_id"], g["property"], g["period"]) == ("link:btc", "flow", "2025"))
    assert btc["conflict"] and {"001_169b421efc6a4b65.txt", "003_d7f29df6049b5787.txt"} <= {
        Path(m["source"]).name for m in btc["members"]
    }
    rows = list(csv.DictReader(io.StringIO(ev("claims", "--subject", "btc", "--format", "csv"))))
    assert {r["verdict"] for r in rows} >= {"supports", "utilisation"}
    quota = next(r for r in rows if r["modality"] == "quota" and r["value"] == "1.5")
    assert "accept" in ev("review", quota["id"], "--action", "accept", "--reason", "the quota the operator states")
    ev("ingest", *seeds, "--replace")
    again = [json.loads(x) for x in ev("claims", "--subject", "btc", "--format", "jsonl").splitlines()]
    kept = next(r for r in again if r["modality"] == "quota" and r["value"] == 1.5)
    assert kept["decision"] == "accept" and kept["reason"] == "the quota the operator states"
    queue = json.loads(ev("review", "--json"))
    assert queue and all(q["decision"] is None for q in queue)
    assert queue == sorted(queue, key=lambda q: -q["priority"])
    assert "review queue" in ev("review", "--limit", "3")
    assert "installed package" in ev_refused("promote", str(kept["id"]), "--dataset", str(DATASET_DIR))
    copy = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, copy)
    promoted = ev("promote", str(kept["id"]), "--dataset", str(copy))
    assert "provenance of parameters/kz_btc_quota_t_per_year/value" in promoted
    assert ok("network", "validate", str(copy)).exit_code == 0
