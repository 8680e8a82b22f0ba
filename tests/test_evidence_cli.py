"""``corridor evidence …`` end to end, each command a real subprocess on an SQLite store in a temp folder."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed pages not found at {SEEDS}")


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "CORRIDOR_EVIDENCE_DATABASE_URL": f"sqlite:///{tmp_path / 'ev.sqlite'}", "COLUMNS": "250"}

    def run(*args: str, code: int = 0, stdin: str | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-c", "from corridor.cli import main; main()", "evidence", *args],
            capture_output=True, text=True, timeout=300, env=env, input=stdin,
        )  # fmt: skip
        assert proc.returncode == code, proc.stderr + proc.stdout
        assert "Traceback" not in proc.stderr
        return proc

    return run


@needs_seeds
def test_extract_json_shape(cli):
    doc = json.loads(cli("extract", str(SEEDS / "003_d7f29df6049b5787.txt"), "--json").stdout)
    claims = doc["documents"][0]["claims"]
    keys = ["start", "end", "surface", "sentence", "value", "value_low", "value_high", "bound", "unit", "currency", "rate",
            "period_start", "period_end", "modality", "subject", "subject_id", "property"]  # fmt: skip
    assert all(list(c) == keys for c in claims)
    btc = [c for c in claims if c["subject_id"] == "link:btc" and c["unit"] == "Mt"]
    assert {(c["value"], c["modality"]) for c in btc} >= {(1.4, "actual"), (1.5, "quota"), (1.5, "target")}


def test_extract_jsonl_keeps_ids_and_reads_stdin(cli):
    lines = [{"id": 7, "text": "Cargo on the TITR reached 4.5 million tons in 2024."}, {"id": "b", "text": ""}]
    stdin = "\n".join(json.dumps(x) for x in lines)
    out = [json.loads(x) for x in cli("extract", "-", "--jsonl", stdin=stdin).stdout.splitlines()]
    assert [d["id"] for d in out] == [7, "b"]
    assert out[0]["claims"][0]["subject_id"] == "corridor:middle" and out[1]["claims"] == []
    doc = json.loads(cli("extract", "-", "--jsonl", "--json", stdin=stdin).stdout)
    assert [d["id"] for d in doc["documents"]] == [7, "b"]


def test_bad_input_is_one_clear_line(cli, tmp_path):
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    proc = cli("ingest", str(binary), code=2)
    assert "binary" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    assert "bad.jsonl:2" in cli("extract", str(bad), "--jsonl", code=2).stderr
    assert "YYYY-MM-DD" in cli("extract", str(bad), "--date", "13/11/2025", code=2).stderr
    assert "csv" in cli("claims", "--format", "xml", code=2).stderr


def test_page_text_is_escaped(cli, tmp_path):
    page = tmp_path / "[red]page[red].txt"
    text = "[bold red]The BTC pipeline carried 1.4 million tons in 2024[/bold red] and 2.0 million tons in 2024.\n"
    page.write_text(text, encoding="utf-8")
    assert "[red]page[red].txt" in cli("ingest", str(page)).stdout
    out = cli("conflicts").stdout
    assert "[bold red]The BTC pipeline" in out


@needs_seeds
def test_ingest_conflicts_review_promote(cli, tmp_path):
    from corridor.data import DATASET_DIR

    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    assert cli("ingest", *seeds).stdout.count("stored as document") == 4
    assert cli("ingest", *seeds).stdout.count("already stored") == 4
    conflicts = cli("conflicts").stdout
    assert "link:btc · flow · 2025" in conflicts and "CONFLICT" in conflicts
    assert "001_169b421efc6a4b65.txt" in conflicts and "003_d7f29df6049b5787.txt" in conflicts
    rows = list(csv.DictReader(io.StringIO(cli("claims", "--subject", "btc", "--format", "csv").stdout)))
    assert {r["verdict"] for r in rows} >= {"supports", "utilisation"}
    quota = next(r for r in rows if r["modality"] == "quota" and r["value"] == "1.5")
    cli("review", quota["id"], "--action", "accept", "--reason", "the quota the operator states")
    cli("ingest", *seeds, "--replace")
    again = [json.loads(x) for x in cli("claims", "--subject", "btc", "--format", "jsonl").stdout.splitlines()]
    kept = next(r for r in again if r["modality"] == "quota" and r["value"] == 1.5)
    assert kept["decision"] == "accept" and kept["reason"] == "the quota the operator states"
    queue = json.loads(cli("review", "--json").stdout)
    assert queue and all(q["decision"] is None for q in queue)
    assert queue == sorted(queue, key=lambda q: -q["priority"])
    refused = cli("promote", str(kept["id"]), "--dataset", str(DATASET_DIR), code=2)
    assert "installed package" in refused.stderr
    copy = tmp_path / "dataset"
    import shutil

    shutil.copytree(DATASET_DIR, copy)
    assert (
        "provenance of parameters/kz_btc_quota_t_per_year/value" in cli("promote", str(kept["id"]), "--dataset", str(copy)).stdout
    )


def test_extract_jsonl_reads_a_date_per_line(cli):
    stdin = json.dumps({"id": "x", "date": "2024-12-22", "text": "Currently 1.4 million tons pass through BTC."})
    doc = json.loads(cli("extract", "-", "--jsonl", "--json", stdin=stdin).stdout)
    c = doc["documents"][0]["claims"][0]
    assert (c["period_start"], c["subject_id"]) == ("2024-01-01", "link:btc")
    bad = json.dumps({"id": "y", "date": "22/12/2024", "text": "1 t"})
    assert "YYYY-MM-DD" in cli("extract", "-", "--jsonl", stdin=bad, code=2).stderr
