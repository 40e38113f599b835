"""Replication lag as Graph plays it: for replication_delay_ms after a create, the new id answers 404
Request_ResourceNotFound to GET, PATCH and assignLicense (also inside $batch), and the user is absent
from listings and $filter results, while its UPN already conflicts; then it appears everywhere."""
import time

from sim_helpers import SKU_BP, assert_graph_error, new_user_body


def test_lag_hides_a_new_user_from_every_read_and_write(fresh):
    fresh.admin("POST", "/faults", {"replication_delay_ms": 1500})
    graph = fresh.graph()
    upn = "lagged@corp.example.com"
    created = graph.post(graph.v1("users"), json=new_user_body(upn, usageLocation="US"))
    assert created.status_code == 201
    uid = created.json()["id"]
    assert_graph_error(graph.get(graph.v1("users/" + uid)), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.get(graph.v1("users/" + upn)), 404, "Request_ResourceNotFound")
    assert_graph_error(graph.patch(graph.v1("users/" + uid), json={"jobTitle": "x"}), 404, "Request_ResourceNotFound")
    license_body = {"addLicenses": [{"skuId": SKU_BP, "disabledPlans": []}], "removeLicenses": []}
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % uid), json=license_body), 404,
                       "Request_ResourceNotFound")
    listed = graph.get(graph.v1("users?$select=id&$top=999")).json()["value"]
    assert uid not in [u["id"] for u in listed]
    filtered = graph.get(graph.v1("users?$filter=userPrincipalName eq '%s'" % upn)).json()["value"]
    assert filtered == []
    inside = graph.post(graph.v1("$batch"), json={"requests": [
        {"id": "1", "method": "GET", "url": "/users/" + uid},
        {"id": "2", "method": "POST", "url": "/users/%s/assignLicense" % uid, "body": license_body,
         "headers": {"Content-Type": "application/json"}}]}).json()["responses"]
    assert sorted(r["status"] for r in inside) == [404, 404]
    assert all(r["body"]["error"]["code"] == "Request_ResourceNotFound" for r in inside)
    # the name is taken already: a retried create conflicts
    assert graph.post(graph.v1("users"), json=new_user_body(upn)).status_code == 400
    time.sleep(1.6)
    assert graph.get(graph.v1("users/" + uid)).status_code == 200
    assert graph.get(graph.v1("users?$filter=userPrincipalName eq '%s'" % upn)).json()["value"][0]["id"] == uid
    assert graph.post(graph.v1("users/%s/assignLicense" % uid), json=license_body).status_code == 200
    state = fresh.admin("GET", "/state")
    assert [u["_licenses"] for u in state["users"] if u["id"] == uid] == [[{"skuId": SKU_BP, "disabledPlans": []}]]


def test_lag_applies_to_users_created_after_it_is_set_only(fresh):
    graph = fresh.graph()
    before = graph.post(graph.v1("users"), json=new_user_body("early@corp.example.com")).json()["id"]
    fresh.admin("POST", "/faults", {"replication_delay_ms": 5000})
    assert graph.get(graph.v1("users/" + before)).status_code == 200
    assert fresh.admin("GET", "/faults")["replication_delay_ms"] == 5000
    fresh.admin("POST", "/faults", {"clear": True})
    after = graph.post(graph.v1("users"), json=new_user_body("late@corp.example.com")).json()["id"]
    assert graph.get(graph.v1("users/" + after)).status_code == 200
