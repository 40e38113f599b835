"""The Graph client's retry, batch, paging and token logic against a scripted fake transport."""
import json

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest
from ansible_collections.hybrid.identity.plugins.module_utils._graph_client import GraphClient
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError
from ansible_collections.hybrid.identity.plugins.module_utils._graph_retry import RetryPolicy

SETTINGS = {"graph_endpoint": "https://graph.test", "tenant_id": "t"}


class Dropped(Exception):
    pass


class Resp(object):
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.headers = dict(headers or {})
        if body is not None and not isinstance(body, str):
            self.headers.setdefault("Content-Type", "application/json")
            self.text = json.dumps(body)
        else:
            self.text = body or ""
        self.content = self.text.encode()

    def json(self):
        return json.loads(self.text)


class FakeSession(object):
    """handler(method, url, body, headers) -> Resp (or raises)."""

    def __init__(self, handler):
        self.handler = handler
        self.calls = []

    def request(self, method, url, json=None, headers=None, timeout=None):  # noqa: A002 - requests' name
        self.calls.append((method, url, json, dict(headers or {})))
        return self.handler(method, url, json, headers or {})


class Cred(object):
    def __init__(self):
        self.n = 1
        self.refreshes = 0

    def token(self):
        return "tok%d" % self.n

    def refresh(self):
        self.refreshes += 1
        self.n += 1
        return self.token()


def client(handler, **policy):
    sleeps = []
    policy.setdefault("jitter", lambda: 0.0)
    c = GraphClient(SETTINGS, Cred(), FakeSession(handler), policy=RetryPolicy(**policy), sleep=sleeps.append,
                    connection_errors=(Dropped,))
    return c, sleeps


def test_429_then_success_honours_retry_after():
    answers = [Resp(429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "4"}),
               Resp(200, {"id": "u1"})]
    c, sleeps = client(lambda *a: answers.pop(0))
    assert c.get("/users/u1") == {"id": "u1"}
    assert len(sleeps) == 1 and 4.0 <= sleeps[0] < 4.1
    assert c.stats["throttled"] == 1 and c.stats["retries"] == 1


def test_transient_5xx_and_dropped_connections_are_retried():
    seq = [Dropped(), Resp(503), Resp(504), Resp(502), Resp(200, {"ok": 1})]

    def handler(*a):
        item = seq.pop(0)
        if isinstance(item, Exception):
            raise item
        return item
    c, sleeps = client(handler)
    assert c.get("/x") == {"ok": 1}
    assert len(sleeps) == 4


def test_final_error_carries_code_message_request_id_and_target():
    body = {"error": {"code": "Request_BadRequest", "message": "Another object with the same value for property "
                      "userPrincipalName already exists.", "details": [{"target": "userPrincipalName",
                                                                         "code": "ObjectConflict"}],
                      "innerError": {"request-id": "rid-1"}}}
    c, sleeps = client(lambda *a: Resp(400, body))
    with pytest.raises(GraphError) as info:
        c.request("POST", "/users", body={"x": 1}, target="a@x.com")
    err = info.value
    assert (err.status, err.code, err.request_id, err.target) == (400, "Request_BadRequest", "rid-1", "a@x.com")
    assert err.is_conflict and "a@x.com" in str(err) and "rid-1" in str(err)
    assert sleeps == []


def test_budget_exhaustion_raises_the_last_error():
    c, sleeps = client(lambda *a: Resp(429, {"error": {"code": "TooManyRequests", "message": "no"}},
                                       {"Retry-After": "30"}), budget=70)
    with pytest.raises(GraphError) as info:
        c.get("/x")
    assert info.value.status == 429 and len(sleeps) == 2


def test_404_retried_only_for_known_objects():
    answers = [Resp(404), Resp(404), Resp(204)]
    c, sleeps = client(lambda *a: answers.pop(0))
    assert c.request("PATCH", "/users/new", body={"a": 1}, known_object=True) is None
    assert len(sleeps) == 2
    c, sleeps = client(lambda *a: Resp(404, {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}))
    with pytest.raises(GraphError):
        c.get("/users/unknown")
    assert sleeps == []


def test_401_refreshes_the_token_once_and_resends():
    seen = []

    def handler(method, url, body, headers):
        seen.append(headers["Authorization"])
        return Resp(401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}) \
            if len(seen) == 1 else Resp(200, {"v": 1})
    c, _ = client(handler)
    assert c.get("/me") == {"v": 1}
    assert seen == ["Bearer tok1", "Bearer tok2"] and c.stats["token_refreshes"] == 1


def test_401_twice_is_final():
    c, _ = client(lambda *a: Resp(401, {"error": {"code": "InvalidAuthenticationToken", "message": "bad"}}))
    with pytest.raises(GraphError) as info:
        c.get("/me")
    assert info.value.status == 401 and "access token" in str(info.value)


def test_paging_follows_next_link():
    pages = {
        "https://graph.test/v1.0/users?$top=2": {"value": [1, 2], "@odata.nextLink": "https://graph.test/v1.0/n2"},
        "https://graph.test/v1.0/n2": {"value": [3, 4], "@odata.nextLink": "https://graph.test/v1.0/n3"},
        "https://graph.test/v1.0/n3": {"value": [5]},
    }
    c, _ = client(lambda m, url, b, h: Resp(200, pages[url]))
    assert list(c.pages("/users?$top=2")) == [1, 2, 3, 4, 5]
    assert c.stats["requests"] == 3


def batch_server(script):
    """script(round, request entry) -> sub-response dict (without id)."""
    rounds = []

    def handler(method, url, body, headers):
        assert method == "POST" and url == "https://graph.test/v1.0/$batch"
        assert len(body["requests"]) <= 20
        rounds.append(body["requests"])
        out = []
        for entry in body["requests"]:
            resp = dict(script(len(rounds), entry))
            resp["id"] = entry["id"]
            out.append(resp)
        return Resp(200, {"responses": out})
    return handler, rounds


def test_batch_retries_only_throttled_sub_requests_after_longest_retry_after():
    def script(n, entry):
        if n == 1 and entry["url"] in ("/users/3", "/users/7"):
            return {"status": 429, "headers": {"Retry-After": "2" if entry["url"] == "/users/3" else "5"}}
        return {"status": 204}
    handler, rounds = batch_server(script)
    c, sleeps = client(handler)
    subs = [SubRequest(i, "PATCH", "/users/%d" % i, body={"jobTitle": "x"}) for i in range(25)]
    res = c.batch(subs)
    assert [len(r) for r in rounds] == [20, 5, 2]
    assert sorted(e["url"] for e in rounds[2]) == ["/users/3", "/users/7"]
    assert len(sleeps) == 1 and 5.0 <= sleeps[0] < 5.1
    assert all(r.ok for r in res.values()) and len(res) == 25
    assert c.stats["writes"] == 25 and c.stats["batches"] == 3


def test_batch_final_errors_stay_per_request():
    def script(n, entry):
        if entry["url"] == "/users/1":
            return {"status": 400, "body": {"error": {"code": "Request_BadRequest", "message": "bad value"}}}
        return {"status": 201, "body": {"id": "new"}}
    handler, _ = batch_server(script)
    c, _ = client(handler)
    res = c.batch([SubRequest("a", "POST", "/users/1", body={}, target="a@x.com"),
                   SubRequest("b", "POST", "/users/2", body={}, target="b@x.com")])
    assert not res["a"].ok and res["a"].error.target == "a@x.com" and res["a"].error.message == "bad value"
    assert res["b"].ok and res["b"].body == {"id": "new"}


def test_batch_replication_delay_404_retried_for_known_objects():
    def script(n, entry):
        if n < 3 and entry["url"].startswith("/users/fresh"):
            return {"status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "nope"}}}
        return {"status": 200, "body": {}}
    handler, rounds = batch_server(script)
    c, sleeps = client(handler)
    res = c.batch([SubRequest("f", "POST", "/users/fresh/assignLicense", body={}, known_object=True),
                   SubRequest("o", "POST", "/users/other/assignLicense", body={})])
    assert res["f"].ok and res["o"].ok and len(rounds) == 3 and len(sleeps) == 2


def test_batch_whole_request_throttled_is_retried():
    calls = []

    def handler(method, url, body, headers):
        calls.append(1)
        if len(calls) == 1:
            return Resp(429, {"error": {"code": "TooManyRequests", "message": "x"}}, {"Retry-After": "1"})
        return Resp(200, {"responses": [{"id": "1", "status": 204}]})
    c, sleeps = client(handler)
    assert c.batch([SubRequest("a", "DELETE", "/users/1")])["a"].ok
    assert len(calls) == 2 and len(sleeps) == 1


def test_read_users_small_set_is_one_plain_get():
    def handler(method, url, body, headers):
        assert method == "GET" and "$filter=userPrincipalName%20in" in url
        return Resp(200, {"value": [{"id": "1", "userPrincipalName": "A@x.com"}]})
    c, _ = client(handler)
    found, extra, strategy = c.read_users(["a@x.com", "b@x.com"], ["displayName"])
    assert strategy == "filter" and list(found) == ["a@x.com"] and c.stats["requests"] == 1
    assert "1" in c.known_ids


def test_read_users_many_in_a_large_tenant_uses_batched_filters():
    def script(n, entry):
        if entry["url"] == "/users/$count":
            return {"status": 200, "body": "100000"}
        if entry["url"].startswith("/domains"):
            return {"status": 200, "body": {"value": []}}
        return {"status": 200, "body": {"value": []}}
    handler, rounds = batch_server(script)
    c, _ = client(handler)
    keys = ["u%d@x.com" % i for i in range(600)]
    found, extra, strategy = c.read_users(keys, ["id"], extra=[SubRequest("domains", "GET", "/domains")])
    assert strategy == "filter" and "domains" in extra
    assert len(rounds) == 1 + 2            # count+domains, then 40 filters in 2 batches
    assert c.stats["requests"] == 3


def test_read_users_many_in_a_small_tenant_uses_the_listing():
    listing = [{"id": str(i), "userPrincipalName": "u%d@x.com" % i} for i in range(1200)]

    def handler(method, url, body, headers):
        if method == "POST":
            return Resp(200, {"responses": [{"id": e["id"], "status": 200,
                                             "body": 1200 if "$count" in e["url"] else {"value": []}}
                                            for e in body["requests"]]})
        if "skip" not in url:
            return Resp(200, {"value": listing[:999], "@odata.nextLink": "https://graph.test/v1.0/users?skip=999"})
        return Resp(200, {"value": listing[999:]})
    c, _ = client(handler)
    found, extra, strategy = c.read_users(["u%d@x.com" % i for i in range(1000)], ["id"],
                                          extra=[SubRequest("domains", "GET", "/domains")])
    assert strategy == "listing" and len(found) == 1000 and c.stats["requests"] == 3
