"""Throttling at published and scaled numbers; switchable faults."""
import time

import pytest
import requests

from sim_helpers import ALICE_ID, assert_graph_error, new_user_body

JSON = {"Content-Type": "application/json"}


def _reads(n):
    return [{"id": str(i), "method": "GET", "url": "/users/" + ALICE_ID} for i in range(n)]


def test_real_numbers_small_tenant_gets_3500_ru_per_10s(fresh):
    config = fresh.admin("POST", "/throttle", {"preset": "real"})["config"]
    assert config["ru_budget"] is None and config["ru_window_s"] == 10 and config["write_budget"] == 3000
    graph = fresh.graph()
    ok = 0
    first_429 = None
    for _ in range(180):  # 3,600 sub-requests of 1 RU each
        for sub in graph.post(graph.v1("$batch"), json={"requests": _reads(20)}).json()["responses"]:
            if sub["status"] == 200:
                ok += 1
            elif first_429 is None:
                first_429 = sub
    assert ok == 3500  # the lab tenant has 9 users: size S
    assert first_429["status"] == 429
    headers = first_429["headers"]
    assert headers["x-ms-throttle-information"] == "ResourceUnitLimitExceeded"
    assert headers["x-ms-throttle-scope"].startswith("Tenant_Application/ReadWrite/")
    assert 1 <= int(headers["Retry-After"]) <= 10


def test_real_write_limit_is_3000_per_150s(fresh):
    fresh.admin("POST", "/throttle", {"preset": "real", "ru_budget": 100000})
    graph = fresh.graph()
    statuses = []
    for batch in range(152):
        reqs = [{"id": str(i), "method": "PATCH", "url": "/users/" + ALICE_ID, "headers": JSON,
                 "body": {"jobTitle": "w%d" % i}} for i in range(20)]
        statuses += [r["status"] for r in graph.post(graph.v1("$batch"), json={"requests": reqs}).json()["responses"]]
    assert statuses.count(204) == 3000 and statuses.count(429) == 40
    response = graph.patch(graph.v1("users/" + ALICE_ID), json={"jobTitle": "one more"})
    error = assert_graph_error(response, 429, "Request_ThrottledTemporarily", "Please try after")
    assert 140 <= int(response.headers["Retry-After"]) <= 150
    assert response.headers["x-ms-throttle-information"] == "WriteLimitExceeded"
    assert error["message"].endswith("seconds.")
    # Reads are still allowed while writes are throttled.
    assert graph.get(graph.v1("users/" + ALICE_ID)).status_code == 200
    assert fresh.admin("GET", "/counters")["totals"]["throttled_429"] == 41


def test_scaled_budget_throttles_then_recovers(fresh):
    fresh.admin("POST", "/throttle", {"ru_budget": 5, "ru_window_s": 1})
    graph = fresh.graph()
    codes = [graph.get(graph.v1("users/" + ALICE_ID)).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    response = graph.get(graph.v1("users/" + ALICE_ID))
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.headers["x-ms-resource-unit"] == "1"
    time.sleep(1.05)
    assert graph.get(graph.v1("users/" + ALICE_ID)).status_code == 200


def test_costs_and_limit_percentage_header(fresh):
    fresh.admin("POST", "/throttle", {"ru_budget": 10, "ru_window_s": 60})
    graph = fresh.graph()
    assert graph.get(graph.v1("users")).headers["x-ms-resource-unit"] == "2"
    assert graph.get(graph.v1("users"), params={"$select": "id"}).headers["x-ms-resource-unit"] == "1"
    assert graph.get(graph.v1("subscribedSkus")).headers["x-ms-resource-unit"] == "3"
    response = graph.get(graph.v1("users"), params={"$top": "5"})  # $top < 20: one less
    assert response.headers["x-ms-resource-unit"] == "1"
    assert "x-ms-throttle-limit-percentage" not in response.headers   # 7 of 10
    response = graph.get(graph.v1("users/" + ALICE_ID))
    response = graph.get(graph.v1("users/" + ALICE_ID))
    assert response.headers["x-ms-throttle-limit-percentage"] == "0.9"


def test_throttling_off(fresh):
    fresh.admin("POST", "/throttle", {"ru_budget": 1, "ru_window_s": 60})
    graph = fresh.graph()
    graph.get(graph.v1("organization"))
    assert graph.get(graph.v1("organization")).status_code == 429
    fresh.admin("POST", "/throttle", {"preset": "off"})
    assert all(graph.get(graph.v1("organization")).status_code == 200 for _ in range(5))


def test_replication_delay_hides_fresh_objects(fresh):
    fresh.admin("POST", "/faults", {"replication_delay_ms": 600})
    graph = fresh.graph()
    created = graph.post(graph.v1("users"), json=new_user_body("slowrep@corp.example.com", usageLocation="US"))
    assert created.status_code == 201
    uid = created.json()["id"]
    assert_graph_error(graph.get(graph.v1("users/" + uid)), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.patch(graph.v1("users/" + uid), json={"jobTitle": "x"}), 404, "Request_ResourceNotFound")
    # Yet the name is taken already: a retried create conflicts.
    assert graph.post(graph.v1("users"), json=new_user_body("slowrep@corp.example.com")).status_code == 400
    time.sleep(0.65)
    assert graph.get(graph.v1("users/" + uid)).status_code == 200


def test_error_burst(fresh):
    fresh.admin("POST", "/faults", {"error_burst": {"count": 2, "status": 503, "method": "GET", "path": "^/v1.0/users",
                                                    "retry_after": 2}})
    graph = fresh.graph()
    first = graph.get(graph.v1("users/" + ALICE_ID))
    assert_graph_error(first, 503, "serviceNotAvailable")
    assert first.headers["Retry-After"] == "2"
    assert graph.get(graph.v1("domains")).status_code == 200   # not matching
    inside = graph.post(graph.v1("$batch"), json={"requests": _reads(2)}).json()["responses"]
    assert [r["status"] for r in inside] == [503, 200]
    assert graph.get(graph.v1("users/" + ALICE_ID)).status_code == 200
    assert fresh.admin("GET", "/counters")["totals"]["faults_error_burst"] == 2


def test_error_burst_500_on_writes(fresh):
    fresh.admin("POST", "/faults", {"error_burst": {"count": 1, "status": 500, "method": "POST"}})
    graph = fresh.graph()
    assert_graph_error(graph.post(graph.v1("users"), json=new_user_body("burst@corp.example.com")), 500,
                       "generalException")
    assert graph.get(graph.v1("users/burst@corp.example.com")).status_code == 404  # nothing was written
    assert graph.post(graph.v1("users"), json=new_user_body("burst@corp.example.com")).status_code == 201


def test_dropped_connection(fresh):
    fresh.admin("POST", "/faults", {"drop_connection": {"count": 1, "path": "^/v1.0/organization"}})
    graph = fresh.graph()
    with pytest.raises(requests.ConnectionError):
        graph.get(graph.v1("organization"))
    assert graph.get(graph.v1("organization")).status_code == 200
    assert fresh.admin("GET", "/counters")["totals"]["faults_dropped"] == 1


def test_slow_responses(fresh):
    fresh.admin("POST", "/faults", {"slow": {"ms": 300, "path": "^/v1.0/domains", "count": 1}})
    graph = fresh.graph()
    start = time.monotonic()
    assert graph.get(graph.v1("domains")).status_code == 200
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    graph.get(graph.v1("domains"))
    assert time.monotonic() - start < 0.3
    fresh.admin("POST", "/faults", {"slow_ms": 200})
    start = time.monotonic()
    graph.get(graph.v1("organization"))
    assert time.monotonic() - start >= 0.2
    cleared = fresh.admin("POST", "/faults", {"clear": True})
    assert cleared == {"replication_delay_ms": 0, "error_burst": [], "drop_connection": [], "slow": []}


def test_token_endpoint_burst_only_when_asked(fresh):
    fresh.admin("POST", "/faults", {"error_burst": {"count": 1, "status": 503, "path": "/oauth2/v2.0/token"}})
    response = fresh.session().post(fresh.token_url, data={"grant_type": "client_credentials"})
    assert response.status_code == 503 and response.json()["error"] == "temporarily_unavailable"
    assert fresh.token()
