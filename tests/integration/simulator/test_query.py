"""OData on /users: $filter, $top + @odata.nextLink, $count, $orderby, $search."""
import pytest

from sim_helpers import ALICE_ID, SKU_BP, SKU_E3, assert_graph_error, new_user_body

EVENTUAL = {"ConsistencyLevel": "eventual"}


def _upns(graph, flt, headers=None, **params):
    params["$filter"] = flt
    response = graph.get(graph.v1("users"), params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return sorted(u["userPrincipalName"] for u in response.json()["value"])


def test_list_default_page(graph):
    body = graph.get(graph.v1("users")).json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#users")
    assert len(body["value"]) == 9 and "@odata.nextLink" not in body


@pytest.mark.parametrize("flt, expected", [
    ("userPrincipalName eq 'ALICE.cloud@corp.example.com'", ["alice.cloud@corp.example.com"]),
    ("mail eq 'bob.cloud@corp.example.com'", ["bob.cloud@corp.example.com"]),
    ("mailNickname eq 'carol.cloud'", ["carol.cloud@corp.example.com"]),
    ("employeeId eq 'E1002'", ["bob.cloud@corp.example.com"]),
    ("displayName eq 'Alice Cloud'", ["alice.cloud@corp.example.com"]),
    ("onPremisesImmutableId eq 'MyIRAFVEd2aImaq7zN3u/w=='", ["sam.synced@corp.example.com"]),
    ("accountEnabled eq false", ["dave.former@corp.example.com", "reception@corp.example.com"]),
    ("userPrincipalName in ('bob.cloud@corp.example.com', 'carol.cloud@corp.example.com', 'x@y.z')",
     ["bob.cloud@corp.example.com", "carol.cloud@corp.example.com"]),
    ("startswith(userPrincipalName, 'a')", ["admin@corp.example.com", "alice.cloud@corp.example.com"]),
    ("startswith(displayName,'Bob') or employeeId eq 'E1001'",
     ["alice.cloud@corp.example.com", "bob.cloud@corp.example.com"]),
    ("accountEnabled eq true and (startswith(mail,'d') or startswith(mail,'b'))", ["bob.cloud@corp.example.com"]),
    ("assignedLicenses/any(x:x/skuId eq %s)" % SKU_E3, ["carol.cloud@corp.example.com"]),
    ("userType eq 'Guest'", ["partner_example.net#EXT#@corpexample.onmicrosoft.com"]),
])
def test_filters(graph, flt, expected):
    assert _upns(graph, flt) == expected


def test_any_on_licenses_and_proxy_addresses(graph):
    licensed = _upns(graph, "assignedLicenses/any(x:x/skuId eq %s)" % SKU_BP)
    assert licensed == ["alice.cloud@corp.example.com", "bob.cloud@corp.example.com", "dave.former@corp.example.com"]
    assert _upns(graph, "proxyAddresses/any(p:p eq 'SMTP:reception@corp.example.com')") == \
        ["reception@corp.example.com"]


def test_unsupported_filters(graph):
    assert_graph_error(graph.get(graph.v1("users"), params={"$filter": "shoeSize eq 9"}), 400,
                       "Request_UnsupportedQuery", "property 'shoeSize'")
    assert_graph_error(graph.get(graph.v1("users"), params={"$filter": "userPrincipalName eq"}), 400, "BadRequest",
                       "Invalid filter clause")
    values = ",".join("'u%d@corp.example.com'" % i for i in range(16))
    assert_graph_error(graph.get(graph.v1("users"), params={"$filter": "userPrincipalName in (%s)" % values}), 400,
                       "Request_UnsupportedQuery", "Max allowed: 15")


def test_advanced_operators_need_eventual_consistency_and_count(graph):
    flt = "userType ne 'Member'"
    error = assert_graph_error(graph.get(graph.v1("users"), params={"$filter": flt}), 400, "Request_UnsupportedQuery")
    assert "ConsistencyLevel:eventual" in error["message"]
    assert _upns(graph, flt, EVENTUAL, **{"$count": "true"}) == [
        "partner_example.net#EXT#@corpexample.onmicrosoft.com"]
    assert _upns(graph, "endswith(mail,'@example.net')", EVENTUAL, **{"$count": "true"}) == [
        "partner_example.net#EXT#@corpexample.onmicrosoft.com"]


def test_top_and_next_link_paging(graph):
    for i in range(12):
        assert graph.post(graph.v1("users"), json=new_user_body("page%02d@corp.example.com" % i)).status_code == 201
    seen = []
    url, params, pages = graph.v1("users"), {"$top": "5", "$select": "id,userPrincipalName"}, 0
    while url:
        body = graph.get(url, params=params).json()
        params = None
        pages += 1
        assert len(body["value"]) <= 5
        assert all(set(u) == {"id", "userPrincipalName"} for u in body["value"])
        seen += [u["id"] for u in body["value"]]
        url = body.get("@odata.nextLink")
    assert pages == 5 and len(seen) == 21 and len(set(seen)) == 21
    assert_graph_error(graph.get(graph.v1("users"), params={"$top": "1000"}), 400, "Request_UnsupportedQuery",
                       "Invalid page size specified")
    assert len(graph.get(graph.v1("users"), params={"$top": "999"}).json()["value"]) == 21


def test_next_link_keeps_filter(graph):
    for i in range(4):
        graph.post(graph.v1("users"), json=new_user_body("flt%d@corp.example.com" % i))
    body = graph.get(graph.v1("users"), params={"$top": "3", "$filter": "startswith(userPrincipalName,'flt')"}).json()
    second = graph.get(body["@odata.nextLink"]).json()
    assert len(body["value"]) == 3 and [u["userPrincipalName"] for u in second["value"]] == ["flt3@corp.example.com"]
    assert "@odata.nextLink" not in second


def test_count(graph):
    # Without ConsistencyLevel Graph ignores $count=true (test_graph_fidelity.py).
    assert "@odata.count" not in graph.get(graph.v1("users"), params={"$count": "true"}).json()
    body = graph.get(graph.v1("users"), params={"$count": "true", "$top": "2", "$filter": "accountEnabled eq true"},
                     headers=EVENTUAL).json()
    assert body["@odata.count"] == 7 and len(body["value"]) == 2
    plain = graph.get(graph.v1("users/$count"), headers=EVENTUAL)
    assert plain.status_code == 200 and plain.text == "9"
    assert graph.get(graph.v1("users/$count")).status_code == 400


def test_orderby_and_search(graph):
    body = graph.get(graph.v1("users"), params={"$orderby": "displayName desc", "$top": "2"}).json()
    assert [u["displayName"] for u in body["value"]] == ["Sam Synced", "Reception (shared)"]
    assert_graph_error(graph.get(graph.v1("users"), params={"$search": '"displayName:cloud"'}), 400,
                       "Request_UnsupportedQuery")
    found = graph.get(graph.v1("users"), params={"$search": '"displayName:cloud"'}, headers=EVENTUAL).json()["value"]
    assert sorted(u["id"] for u in found)[0] == ALICE_ID and len(found) == 3
