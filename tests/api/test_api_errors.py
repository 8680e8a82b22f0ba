"""Every refusal is one problem-details shape, documented truthfully; input JSON cannot carry cannot cause a 500."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import jsonschema
import pytest
from api_helpers import assert_problem, bearer
from transit_helpers import declaration

from corridor.api import create_app
from corridor.api.errors import json_safe
from corridor.api.server import openapi_document
from corridor.api.strict import strict_loads

REPO = Path(__file__).resolve().parents[2]


def raw_post(api, path: str, content: bytes, who: str = "holder"):
    return api.client.post(path, content=content, headers={**api.h(who), "Content-Type": "application/json"})


def test_every_error_path_is_problem_details(api):
    c = api.client
    assert_problem(c.get("/no/such/route"), 404)
    assert_problem(c.delete("/parties/me"), 405)
    assert_problem(c.get("/declarations"), 401)
    assert c.get("/declarations").headers["www-authenticate"].startswith("Bearer")
    assert_problem(c.get("/declarations", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(c.get("/declarations/99999", headers=api.h("holder")), 404)
    assert_problem(c.post("/parties", json={"name": "x", "role": "operator"}, headers=api.h("holder")), 403)
    body = assert_problem(c.get("/declarations", params={"limit": 0}, headers=api.h("holder")), 422)
    assert body["failures"][0]["path"] == "limit"
    big = b"[" + b"0," * 600_000 + b"0]"
    assert_problem(raw_post(api, "/declarations", big), 413)


def test_structure_errors_name_field_value_and_expectation(api):
    body = declaration("ERR-1")
    body["goods"][0]["hs_code"] = "12AB"
    body["guarantee"]["amount"] = -1
    p = assert_problem(api.client.post("/declarations", json=body, headers=api.h("holder")), 422)
    by_path = {f["path"]: f for f in p["failures"]}
    assert {"goods[0].hs_code", "guarantee.amount"} <= set(by_path)
    assert by_path["goods[0].hs_code"]["value"] == "12AB" and by_path["goods[0].hs_code"]["rule"] == "S000"
    assert_problem(raw_post(api, "/declarations", b"{not json"), 422)


BAD_JSON = {
    "NaN": b'"value": NaN',
    "Infinity": b'"value": Infinity',
    "-Infinity": b'"value": -Infinity',
    "1e999": b'"value": 1e999',
    "huge int": b'"value": ' + b"9" * 5000,
    "lone surrogate": b'"description": "laptops \\ud800"',
    "NUL": b'"description": "lap\\u0000tops"',
    "NUL in key": b'"x\\u0000": 1',
    "duplicate key": b'"value": 1, "value": 2',
}


@pytest.mark.parametrize("name", list(BAD_JSON))
def test_json_python_accepts_but_json_does_not_gets_422(api, name):
    good = json.dumps(declaration(f"BAD-{len(name)}")["goods"][0])
    item = good[:-1].encode() + b", " + BAD_JSON[name] + b"}"
    body = json.dumps(declaration("BADJSON")).encode().replace(good.encode(), item)
    assert item in body
    p = assert_problem(raw_post(api, "/declarations", body), 422)
    assert p["failures"] and p["failures"][0]["path"].startswith(("body", "goods[0]")), p
    json.dumps(p, allow_nan=False).encode("utf-8")  # whatever it echoes renders
    assert api.client.get("/declarations", headers=api.h("holder")).json() == [] or all(
        d["lrn"] != "BADJSON" for d in api.client.get("/declarations", headers=api.h("holder")).json()
    )


@pytest.mark.parametrize(
    "method, url, status",
    [
        ("GET", "/declarations?status=sub%00mitted", 422),
        ("GET", "/events?trainNumber=T%00", 422),
        ("GET", "/events?facility=%ED%A0%80", 200),  # invalid UTF-8 is decoded as U+FFFD: an unknown facility
        ("DELETE", "/events/ev%00x", 422),
        ("GET", "/declarations?after_id=1e999", 422),
        ("GET", "/events?since=9999-99-99", 422),
        ("GET", "/declarations/99999999999999999999999", 422),
    ],
)
def test_bad_text_in_query_and_path_gets_4xx(api, method, url, status):
    r = api.client.request(method, url, headers=api.h("carrier"))
    if status == 200:
        assert r.status_code == 200, r.text
    else:
        assert_problem(r, status)


def test_evidence_routes_refuse_as_problem_details_naming_the_value(api):
    body = assert_problem(api.client.get("/evidence/claims", params={"cursor": "not-a-cursor"}), 400)
    assert "not-a-cursor" in body["detail"] and "cursor" in body["detail"]
    assert "%%%" in assert_problem(api.client.get("/evidence/conflicts", params={"cursor": "%%%"}), 400)["detail"]
    assert assert_problem(api.client.get("/evidence/claims", params={"limit": 0}), 422)["failures"][0]["path"] == "limit"
    assert api.client.get("/evidence/claims").json() == {"items": [], "next_cursor": None}


def test_event_far_in_the_future_is_no_500(api):
    from transit_helpers import arrival

    ev = arrival("ev-far-1", train="T-FAR")
    ev["eventDateTime"] = ev["eventCreatedDateTime"] = "9999-12-31T23:59:59Z"
    r = api.client.post("/events", json=ev, headers=api.h("carrier"))
    assert r.status_code < 500, r.text
    d = api.client.post("/declarations", json=declaration("FAR-1", train="T-FAR"), headers=api.h("holder")).json()
    r = api.client.get(f"/declarations/{d['id']}/eta", headers=api.h("holder"))
    assert r.status_code < 500, r.text


def test_json_safe_renders_anything():
    weird = {"a": float("nan"), "b": [float("inf"), "x\ud800", b"\xff"], "c": 10**40, "d": object()}
    out = json_safe(weird)
    json.dumps(out, allow_nan=False).encode("utf-8")
    assert out["a"] == "nan" and out["b"][0] == "inf" and out["b"][1] == "x\\ud800"


def test_strict_loads_accepts_ordinary_json():
    assert strict_loads(b'{"a": [1, 2.5, "\\u00e9", null, true], "b": {"c": -0.0}}') == {
        "a": [1, 2.5, "é", None, True],
        "b": {"c": -0.0},
    }


def test_openapi_documents_the_problem_shape_it_returns(api):
    doc = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    problem = doc["components"]["schemas"]["Problem"]
    op = doc["paths"]["/declarations"]["post"]
    for status in ("401", "413", "422", "429", "500"):
        assert op["responses"][status]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, status
    r = raw_post(api, "/declarations", b'{"lrn": 1}')
    jsonschema.validate(r.json(), {**problem, "components": doc["components"]})


def test_openapi_json_in_the_repo_is_current():
    shipped = (REPO / "openapi.json").read_text(encoding="utf-8")
    assert shipped == openapi_document(), "regenerate it: make openapi (python -m corridor.api.server openapi.json)"


def test_app_starts_and_stops_without_warnings(network, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app = create_app(network, f"sqlite:///{tmp_path / 'w.sqlite'}")
    from fastapi.testclient import TestClient

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="starlette.*|httpx.*")
        with TestClient(app) as c:
            assert c.get("/health").json() == {"status": "ok"}


def test_bearer_must_be_exact(api):
    token = api.tokens["holder"]
    for header in (token, f"Bearer  {token}", f"Bearer {token} ", f"Basic {token}", f"Token {token}", "Bearer", "Bearer "):
        assert_problem(api.client.get("/parties/me", headers={"Authorization": header}), 401)
    assert api.client.get("/parties/me", headers=bearer(token)).status_code == 200
    assert api.client.get("/parties/me", headers={"Authorization": f"bearer {token}"}).status_code == 200  # scheme: any case


def test_unexpected_and_busy_errors_are_problem_details_without_internals(api, monkeypatch):
    from sqlalchemy.exc import OperationalError

    service = api.client.app.state.service

    def boom(*_a, **_k):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(service, "get", boom)
    p = assert_problem(api.client.get("/declarations/1", headers=api.h("holder")), 500)
    assert "secret" not in json.dumps(p) and p["type"] == "urn:corridor:problem:internal"

    def busy(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "get", busy)
    r = api.client.get("/declarations/1", headers=api.h("holder"))
    assert assert_problem(r, 503)["type"] == "urn:corridor:problem:database-busy" and r.headers["retry-after"] == "1"
