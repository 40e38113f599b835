"""The admin API, /users/delta, the CLI and concurrent keep-alive clients."""
import json
import os
import subprocess
import sys
import threading

from sim_helpers import ALICE_ID, FULL_SECRET, RO_SECRET, SYNCED_ID, TENANT_ID, TESTS, new_user_body


def test_state_dump_never_shows_secrets_or_passwords(fresh):
    graph = fresh.graph()
    graph.post(graph.v1("users"), json=new_user_body("dumped@corp.example.com"))
    state = fresh.admin("GET", "/state")
    text = json.dumps(state)
    for secret in (FULL_SECRET, RO_SECRET, "Alice-Passw0rd!", "Str0ng-Passw0rd!", "pbkdf2"):
        assert secret not in text
    users = {u["userPrincipalName"]: u for u in state["users"]}
    assert users["dumped@corp.example.com"]["_hasPassword"] is True
    assert users["admin@corp.example.com"]["_roles"] == ["Global Administrator"]
    assert users["newhire@corp.example.com"]["_forceChangePasswordNextSignIn"] is True
    skus = {s["skuPartNumber"]: s for s in state["skus"]}
    assert skus["SPB"]["free"] == 0 and skus["O365_BUSINESS_PREMIUM"]["free"] == 22
    assert state["tenant_id"] == fresh.seed["tenant_id"] == TENANT_ID


def test_reset_restores_the_seed(fresh):
    graph = fresh.graph()
    graph.delete(graph.v1("users/" + ALICE_ID))
    graph.post(graph.v1("users"), json=new_user_body("temp@corp.example.com"))
    fresh.admin("POST", "/reset")  # no body: reload the startup seed file
    assert graph.get(graph.v1("users/" + ALICE_ID)).status_code == 200
    assert graph.get(graph.v1("users/temp@corp.example.com")).status_code == 404
    assert fresh.admin("GET", "/state")["deletedItems"] == []


def test_reset_with_an_inline_seed(fresh):
    seed = {"tenant_id": TENANT_ID, "organization": {"displayName": "Tiny"},
            "domains": [{"id": "tiny.example", "isVerified": True, "isDefault": True}],
            "skus": [{"skuId": "11111111-1111-1111-1111-111111111111", "skuPartNumber": "TINY", "enabled": 2}],
            "apps": fresh.seed["apps"][:1],
            "users": [{"userPrincipalName": "only@tiny.example", "password": "Only-Passw0rd!",
                       "usageLocation": "US", "licenses": ["TINY"]}]}
    result = fresh.admin("POST", "/reset", {"seed": seed})
    assert result["users"] == 1
    graph = fresh.graph()
    users = graph.get(graph.v1("users")).json()["value"]
    assert [u["userPrincipalName"] for u in users] == ["only@tiny.example"]
    assert graph.get(graph.v1("organization")).json()["value"][0]["displayName"] == "Tiny"
    sku = graph.get(graph.v1("subscribedSkus")).json()["value"][0]
    assert sku["consumedUnits"] == 1 and sku["prepaidUnits"]["enabled"] == 2


def test_counters_by_template_and_status(fresh):
    graph = fresh.graph()
    fresh.admin("POST", "/counters/reset")
    graph.get(graph.v1("users/" + ALICE_ID))
    graph.get(graph.v1("users/bob.cloud@corp.example.com"))
    graph.get(graph.v1("users/nobody@corp.example.com"))
    graph.patch(graph.v1("users/" + ALICE_ID), json={"jobTitle": "x"})
    graph.patch(graph.v1("users/" + SYNCED_ID), json={"jobTitle": "x"})
    counters = fresh.admin("GET", "/counters")
    assert counters["http"] == {"GET /v1.0/users/{id} 200": 2, "GET /v1.0/users/{id} 404": 1,
                                "PATCH /v1.0/users/{id} 204": 1, "PATCH /v1.0/users/{id} 400": 1}
    assert counters["totals"]["writes"] == 1 and counters["totals"]["write_units"] == 2
    assert counters["totals"]["resource_units"] == 5
    assert fresh.admin("POST", "/counters/reset")["http"] == {}


def test_admin_errors(fresh):
    session = fresh.session()
    assert session.get(fresh.admin_url + "/nope").status_code == 404
    assert session.post(fresh.admin_url + "/throttle", json={"bogus": 1}).status_code == 400
    assert session.post(fresh.admin_url + "/token_lifetime", json={"seconds": 0}).status_code == 400
    assert session.get(fresh.admin_url + "/health").json()["status"] == "ok"


def test_delta_initial_then_changes(fresh):
    graph = fresh.graph()
    url = graph.v1("users/delta")
    seen, body = [], graph.get(url, params={"$select": "displayName,jobTitle"},
                               headers={"Prefer": "odata.maxpagesize=4"}).json()
    seen += body["value"]
    while "@odata.nextLink" in body:
        body = graph.get(body["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=4"}).json()
        seen += body["value"]
    assert len(seen) == 9 and all(set(u) == {"id", "displayName", "jobTitle"} for u in seen)
    delta_link = body["@odata.deltaLink"]
    assert graph.get(delta_link).json()["value"] == []
    graph.patch(graph.v1("users/" + ALICE_ID), json={"jobTitle": "Changed"})
    new_id = graph.post(graph.v1("users"), json=new_user_body("delta@corp.example.com")).json()["id"]
    graph.delete(graph.v1("users/bob.cloud@corp.example.com"))
    changes = graph.get(delta_link).json()
    by_id = {c["id"]: c for c in changes["value"]}
    assert by_id[ALICE_ID]["jobTitle"] == "Changed"
    assert new_id in by_id
    removed = [c for c in changes["value"] if "@removed" in c]
    assert len(removed) == 1 and removed[0]["@removed"] == {"reason": "changed"}
    assert len(changes["value"]) == 3
    assert graph.get(changes["@odata.deltaLink"]).json()["value"] == []
    fresh.admin("POST", "/reset")
    assert graph.get(delta_link).status_code == 410


def test_help_documents_every_admin_endpoint():
    output = subprocess.run([sys.executable, "-m", "graph_simulator", "--help"], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=TESTS), check=True).stdout
    for path in ("/_admin/reset", "/_admin/state", "/_admin/counters", "/_admin/counters/reset", "/_admin/throttle",
                 "/_admin/faults", "/_admin/token_lifetime", "--cert", "--seed", "--pidfile", "--log"):
        assert path in output


def test_concurrent_keep_alive_clients(fresh):
    token = fresh.token()
    errors, counts = [], []

    def client():
        graph = fresh.graph(token=token)
        ok = 0
        for _ in range(40):
            response = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "id"})
            ok += response.status_code == 200
        counts.append(ok)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and counts == [40] * 8
