"""Helpers for the transit-service tests: a live server on localhost, a PostgreSQL server, sample payloads."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ITINERARY = [
    "altynkol",
    "zhetygen",
    "almaty",
    "shu",
    "arys",
    "kyzylorda",
    "beyneu",
    "aktau",
    "baku",
    "beyuk_kesik",
    "tbilisi",
    "poti",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``corridor serve`` in a subprocess on a free loopback port."""

    def __init__(self, database_url: str, env: dict | None = None, workers: int = 1) -> None:
        self.database_url = database_url
        self.workers = workers
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        exe = Path(sys.executable).parent / "corridor"
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(self.port), "--database-url", self.database_url, "--workers", str(self.workers)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=self.env,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def bootstrap(database_url: str) -> str:
    exe = Path(sys.executable).parent / "corridor"
    out = subprocess.run(
        [str(exe), "transit", "bootstrap", "--database-url", database_url, "--json"], capture_output=True, text=True, check=True
    )
    import json

    return json.loads(out.stdout)["token"]


def pg_bin() -> Path | None:
    for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (p / "initdb").exists():
            return p
    return None


@contextmanager
def postgres_server():
    """A throwaway PostgreSQL cluster on a loopback port; yields its URL."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries are not installed (make test installs them)")
    tmp = Path(tempfile.mkdtemp(prefix="corridor-pg-"))
    data = tmp / "data"
    port = free_port()
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(tmp, "postgres")
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "corridor", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [*run_as, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "corridor", "transit"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://corridor@127.0.0.1:{port}/transit"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def declaration(
    lrn: str,
    *,
    container: str = "CSQU3054383",
    train: str | None = "KZ-7001",
    value: float = 250000.0,
    hs: str = "847130",
    guarantee: float = 100000.0,
    submit: bool = True,
    guarantee_ref: str = "GRN0001KZ",
) -> dict:
    return {
        "lrn": lrn,
        "declaration_type": "T1",
        "office_departure": "altynkol",
        "offices_transit": ["beyuk_kesik"],
        "office_destination": "poti",
        "itinerary": ITINERARY,
        "binding_itinerary": True,
        "guarantee": {"reference": guarantee_ref, "amount": guarantee, "currency": "USD"},
        "transport": {"train_number": train, "wagons": ["52123456"]},
        "containers": [{"number": container, "seals": [f"SEAL-{lrn}-1", f"SEAL-{lrn}-2"]}],
        "seals_count": 2,
        "goods": [
            {
                "hs_code": hs,
                "description": "Laptop computers",
                "gross_mass_kg": 12000,
                "net_mass_kg": 11000,
                "packages": 800,
                "value": value,
                "currency": "USD",
                "origin_country": "CN",
            }
        ],
        "documents": [{"type": "CIM/SMGS", "reference": f"SMGS-{lrn}"}],
        "submit": submit,
    }


def arrival(
    event_id: str, node: str = "altynkol", *, train: str | None = "KZ-7001", container: str | None = None, code: str = "ARRI"
) -> dict:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    kind = "TRANSPORT" if code in ("ARRI", "DEPA") else "EQUIPMENT"
    body = {
        "eventID": event_id,
        "eventType": kind,
        "eventClassifierCode": "ACT",
        "eventDateTime": now,
        "eventCreatedDateTime": now,
        "transportCall": {"facilityCode": node},
        "trainNumber": train,
    }
    body["transportEventTypeCode" if kind == "TRANSPORT" else "equipmentEventTypeCode"] = code
    if container:
        body["equipmentReference"] = container
    return body
