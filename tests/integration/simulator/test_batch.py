"""JSON batching: limits, dependsOn and 424, per-request status, counting."""
from sim_helpers import ALICE_ID, SKU_BP, assert_graph_error, new_user_body


def _batch(graph, requests_):
    return graph.post(graph.v1("$batch"), json={"requests": requests_})


def test_batch_runs_each_request_and_reports_each_status(graph):
    response = _batch(graph, [
        {"id": "1", "method": "GET", "url": "/users/" + ALICE_ID + "?$select=id,accountEnabled"},
        {"id": "2", "method": "GET", "url": "users/nobody@corp.example.com"},
        {"id": "3", "method": "POST", "url": "/users", "headers": {"Content-Type": "application/json"},
         "body": new_user_body("batched@corp.example.com")},
        {"id": "4", "method": "PATCH", "url": "/users/bob.cloud@corp.example.com",
         "headers": {"Content-Type": "application/json"}, "body": {"jobTitle": "Batched"}},
    ])
    assert response.status_code == 200
    out = {r["id"]: r for r in response.json()["responses"]}
    assert out["1"]["status"] == 200 and out["1"]["body"] == {
        "@odata.context": out["1"]["body"]["@odata.context"], "id": ALICE_ID, "accountEnabled": True}
    assert out["2"]["status"] == 404 and out["2"]["body"]["error"]["code"] == "Request_ResourceNotFound"
    assert out["3"]["status"] == 201 and out["3"]["body"]["userPrincipalName"] == "batched@corp.example.com"
    assert out["4"]["status"] == 204 and "body" not in out["4"]
    assert graph.get(graph.v1("users/batched@corp.example.com")).status_code == 200
    bob = graph.get(graph.v1("users/bob.cloud@corp.example.com"), params={"$select": "jobTitle"}).json()
    assert bob["jobTitle"] == "Batched"


def test_more_than_20_is_refused(graph):
    reqs = [{"id": str(i), "method": "GET", "url": "/users/" + ALICE_ID} for i in range(21)]
    assert_graph_error(_batch(graph, reqs), 400, "BadRequest", "20")
    assert _batch(graph, reqs[:20]).status_code == 200


def test_write_without_content_type_and_duplicate_ids(graph):
    assert_graph_error(_batch(graph, [{"id": "1", "method": "PATCH", "url": "/users/" + ALICE_ID,
                                       "body": {"jobTitle": "x"}}]), 400, "BadRequest",
                       "does not contain Content-Type header")
    assert_graph_error(_batch(graph, [{"id": "1", "method": "GET", "url": "/users"},
                                      {"id": "1", "method": "GET", "url": "/domains"}]), 400, "BadRequest")
    assert_graph_error(_batch(graph, [{"id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]}]), 400,
                       "BadRequest")


def test_depends_on_orders_and_fails_with_424(graph):
    json_h = {"Content-Type": "application/json"}
    response = _batch(graph, [
        {"id": "create", "method": "POST", "url": "/users", "headers": json_h,
         "body": new_user_body("dep@corp.example.com", usageLocation="US")},
        {"id": "lic", "method": "POST", "url": "/users/dep@corp.example.com/assignLicense", "headers": json_h,
         "body": {"addLicenses": [{"skuId": SKU_BP}], "removeLicenses": []}, "dependsOn": ["create"]},
        {"id": "dup", "method": "POST", "url": "/users", "headers": json_h,
         "body": new_user_body("alice.cloud@corp.example.com")},
        {"id": "after-dup", "method": "PATCH", "url": "/users/" + ALICE_ID, "headers": json_h,
         "body": {"jobTitle": "never"}, "dependsOn": ["dup"]},
        {"id": "after-after", "method": "GET", "url": "/users/" + ALICE_ID, "dependsOn": ["after-dup"]},
    ])
    out = {r["id"]: r for r in response.json()["responses"]}
    assert [r["id"] for r in response.json()["responses"]] == ["create", "lic", "dup", "after-dup", "after-after"]
    assert out["create"]["status"] == 201 and out["lic"]["status"] == 200
    assert out["dup"]["status"] == 400
    assert out["after-dup"]["status"] == 424 and out["after-dup"]["body"]["error"]["code"] == "FailedDependency"
    # A 424 carries Graph's whole error envelope, innerError included.
    inner = out["after-dup"]["body"]["error"]["innerError"]
    assert inner["request-id"] and inner["date"]
    assert out["after-after"]["status"] == 424
    alice = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "jobTitle"}).json()
    assert alice["jobTitle"] == "Accountant"


def test_sub_requests_are_throttled_individually(fresh):
    fresh.admin("POST", "/throttle", {"write_budget": 3, "write_window_s": 30})
    graph = fresh.graph()
    reqs = [{"id": str(i), "method": "PATCH", "url": "/users/" + ALICE_ID, "headers": {"Content-Type":
            "application/json"}, "body": {"jobTitle": "t%d" % i}} for i in range(5)]
    reqs.append({"id": "read", "method": "GET", "url": "/users/" + ALICE_ID})
    out = {r["id"]: r for r in _batch(graph, reqs).json()["responses"]}
    assert [out[str(i)]["status"] for i in range(5)] == [204, 204, 204, 429, 429]
    throttled = out["3"]
    assert int(throttled["headers"]["Retry-After"]) >= 1
    assert throttled["headers"]["x-ms-throttle-information"] == "WriteLimitExceeded"
    assert throttled["body"]["error"]["code"] == "Request_ThrottledTemporarily"
    assert out["read"]["status"] == 200


def test_counters_keep_sub_requests_apart(fresh):
    graph = fresh.graph()
    fresh.admin("POST", "/counters/reset")
    _batch(graph, [{"id": "1", "method": "GET", "url": "/users/" + ALICE_ID},
                   {"id": "2", "method": "GET", "url": "/users/" + ALICE_ID},
                   {"id": "3", "method": "GET", "url": "/users/missing@corp.example.com"}])
    counters = fresh.admin("GET", "/counters")
    assert counters["http"] == {"POST /v1.0/$batch 200": 1}
    assert counters["subrequests"] == {"GET /v1.0/users/{id} 200": 2, "GET /v1.0/users/{id} 404": 1}
    assert counters["totals"]["subrequests"] == 3 and counters["totals"]["http_requests"] == 1
    assert counters["totals"]["resource_units"] == 3
