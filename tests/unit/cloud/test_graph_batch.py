"""$batch assembly, splitting and triage (pure)."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import (
    MAX_BATCH, SubRequest, assemble, chunks, split, triage, worst_status)


def test_chunks_of_twenty():
    groups = chunks(range(45))
    assert [len(g) for g in groups] == [20, 20, 5]
    assert chunks([]) == []


def test_assemble_ids_bodies_headers():
    reqs = [SubRequest("a", "post", "users", body={"x": 1}), SubRequest("b", "GET", "/users/$count",
                                                                          headers={"ConsistencyLevel": "eventual"})]
    payload, by_id = assemble(reqs)
    first, second = payload["requests"]
    assert first == {"id": "1", "method": "POST", "url": "/users", "body": {"x": 1},
                     "headers": {"Content-Type": "application/json"}}
    assert second == {"id": "2", "method": "GET", "url": "/users/$count", "headers": {"ConsistencyLevel": "eventual"}}
    assert by_id["1"].key == "a" and by_id["2"].key == "b"


def test_assemble_refuses_more_than_twenty():
    with pytest.raises(ValueError):
        assemble([SubRequest(i, "GET", "/x") for i in range(MAX_BATCH + 1)])


def test_split_keeps_request_order_and_fills_missing_answers():
    payload, by_id = assemble([SubRequest(k, "GET", "/u/%s" % k) for k in "abc"])
    body = {"responses": [{"id": "3", "status": 200, "body": {"v": 3}}, {"id": "1", "status": 201, "body": {}}]}
    out = split(body, by_id)
    assert [(r.request.key, r.status) for r in out] == [("a", 201), ("b", 503), ("c", 200)]


def test_triage_retries_only_throttled_transient_and_known_404():
    reqs = [SubRequest("ok", "GET", "/a"), SubRequest("t1", "GET", "/b"), SubRequest("t2", "GET", "/c"),
            SubRequest("bad", "POST", "/d"), SubRequest("gone", "GET", "/e"),
            SubRequest("fresh", "PATCH", "/f", known_object=True), SubRequest("flaky", "GET", "/g")]
    payload, by_id = assemble(reqs)
    body = {"responses": [
        {"id": "1", "status": 200, "body": {}},
        {"id": "2", "status": 429, "headers": {"Retry-After": "3"}},
        {"id": "3", "status": 429, "headers": {"retry-after": "7"}},
        {"id": "4", "status": 400, "body": {"error": {"code": "Request_BadRequest", "message": "no"}}},
        {"id": "5", "status": 404},
        {"id": "6", "status": 404},
        {"id": "7", "status": 503},
    ]}
    done, retry, wait = triage(split(body, by_id))
    assert sorted(r.request.key for r in done) == ["bad", "gone", "ok"]
    assert sorted(r.request.key for r in retry) == ["flaky", "fresh", "t1", "t2"]
    assert wait == 7.0
    assert worst_status(retry) == 429


def test_worst_status_without_throttling():
    payload, by_id = assemble([SubRequest("a", "GET", "/a"), SubRequest("b", "GET", "/b")])
    out = split({"responses": [{"id": "1", "status": 404}, {"id": "2", "status": 504}]}, by_id)
    assert worst_status(out) == 504
