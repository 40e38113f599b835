"""Issue 24: where the simulator was stricter or looser than Microsoft Graph (evidence in
docs/development/simulator.md, "Fidelity notes")."""
from sim_helpers import ALICE_ID, assert_graph_error, new_user_body

EVENTUAL = {"ConsistencyLevel": "eventual"}


def _batch(graph, requests_):
    return graph.post(graph.v1("$batch"), json={"requests": requests_})


# accepted by the simulator, refused by Graph ------------------------------------------------
def test_filter_with_orderby_needs_advanced_query_parameters(graph):
    params = {"$filter": "startswith(displayName,'a')", "$orderby": "displayName"}
    assert_graph_error(graph.get(graph.v1("users"), params=params), 400, "Request_UnsupportedQuery",
                       "Sorting not supported for current query.")
    response = graph.get(graph.v1("users"), params=dict(params, **{"$count": "true"}), headers=EVENTUAL)
    assert response.status_code == 200, response.text
    names = [u["displayName"] for u in response.json()["value"]]
    assert names == sorted(names, key=str.lower) and names and response.json()["@odata.count"] == len(names)


def test_batch_urls_are_relative_to_the_version(graph):
    out = _batch(graph, [{"id": "1", "method": "GET", "url": "/v1.0/users/" + ALICE_ID},
                         {"id": "2", "method": "GET", "url": "/users/" + ALICE_ID}]).json()["responses"]
    assert out[0]["status"] == 400 and "segment 'v1.0'" in out[0]["body"]["error"]["message"]
    assert out[1]["status"] == 200


def test_depends_on_a_later_request_is_refused(graph):
    reqs = [{"id": "1", "method": "GET", "url": "/users/" + ALICE_ID, "dependsOn": ["2"]},
            {"id": "2", "method": "GET", "url": "/users/" + ALICE_ID}]
    assert_graph_error(_batch(graph, reqs), 400, "BadRequest", "earlier request")
    reqs = [reqs[1], dict(reqs[0], dependsOn=["2"])]
    assert [r["status"] for r in _batch(graph, reqs).json()["responses"]] == [200, 200]


# refused by the simulator, accepted by Graph ------------------------------------------------
def test_count_without_consistency_level_is_ignored(graph):
    response = graph.get(graph.v1("users"), params={"$count": "true"})
    assert response.status_code == 200, response.text
    assert "@odata.count" not in response.json() and len(response.json()["value"]) == 9
    # ...but it does not switch advanced operators on.
    assert_graph_error(graph.get(graph.v1("users"), params={"$count": "true", "$filter": "userType ne 'Guest'"}),
                       400, "Request_UnsupportedQuery", "Operator 'ne'")


def test_more_than_15_in_values_with_advanced_queries(graph):
    values = ["'u%d@corp.example.com'" % i for i in range(20)] + ["'alice.cloud@corp.example.com'"]
    params = {"$filter": "userPrincipalName in (%s)" % ",".join(values)}
    assert_graph_error(graph.get(graph.v1("users"), params=params), 400, "Request_UnsupportedQuery", "Max allowed")
    response = graph.get(graph.v1("users"), params=dict(params, **{"$count": "true"}), headers=EVENTUAL)
    assert response.status_code == 200, response.text
    assert [u["id"] for u in response.json()["value"]] == [ALICE_ID]


def test_orderby_created_date_time(graph):
    created = graph.post(graph.v1("users"), json=new_user_body("newest@corp.example.com")).json()
    response = graph.get(graph.v1("users"), params={"$orderby": "createdDateTime desc",
                                                    "$select": "id,createdDateTime"})
    assert response.status_code == 200, response.text
    stamps = [u["createdDateTime"] for u in response.json()["value"]]
    assert stamps == sorted(stamps, reverse=True) and response.json()["value"][0]["id"] == created["id"]


def test_every_declared_user_property_can_be_selected(graph):
    wanted = "aboutMe,ageGroup,employeeHireDate,identities,imAddresses,faxNumber,securityIdentifier,deletedDateTime"
    body = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": wanted}).json()
    assert body["identities"] == [] and body["imAddresses"] == [] and body["aboutMe"] is None
    assert set(body) - {"@odata.context"} == set(wanted.split(","))
    assert_graph_error(graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "manager"}), 400, "BadRequest",
                       "Could not find a property named 'manager'")


# blocked third-party clients ----------------------------------------------------------------
def test_select_is_case_insensitive_and_answers_declared_names(graph):
    body = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "ID,UserPrincipalName,accountenabled"}).json()
    assert {k for k in body if not k.startswith("@")} == {"id", "userPrincipalName", "accountEnabled"}
    assert body["userPrincipalName"] == "alice.cloud@corp.example.com"


def test_on_premises_extension_attributes(graph):
    body = graph.get(graph.v1("users"), params={"$select": "id,onPremisesExtensionAttributes"}).json()["value"][0]
    assert body["onPremisesExtensionAttributes"] == {"extensionAttribute%d" % i: None for i in range(1, 16)}


def test_doubled_slash_in_the_path(graph):
    response = graph.get(graph.v1("users/" + ALICE_ID).replace("/v1.0/", "/v1.0//"))
    assert response.status_code == 200 and response.json()["id"] == ALICE_ID


# shapes ------------------------------------------------------------------------------------
def test_sdk_path_for_deleted_users(graph):
    user = graph.post(graph.v1("users"), json=new_user_body("gone@corp.example.com")).json()
    assert graph.delete(graph.v1("users/" + user["id"])).status_code == 204
    for path in ("directory/deletedItems/graph.user", "directory/deletedItems/microsoft.graph.user"):
        body = graph.get(graph.v1(path)).json()
        assert [u["id"] for u in body["value"]] == [user["id"]], path


def test_error_details_carry_a_message(graph):
    error = assert_graph_error(graph.post(graph.v1("users"), json=new_user_body("alice.cloud@corp.example.com")),
                               400, "Request_BadRequest")
    assert error["details"] == [{"target": "userPrincipalName", "code": "ObjectConflict", "message": error["message"]}]


def test_top_above_999_is_an_unsupported_query(graph):
    assert_graph_error(graph.get(graph.v1("users"), params={"$top": "1000"}), 400, "Request_UnsupportedQuery",
                       "between 1 and 999")
    assert_graph_error(graph.get(graph.v1("users"), params={"$top": "x"}), 400, "Request_BadRequest")


def test_on_premises_extension_attributes_are_writable_and_patch_merges(graph):
    body = new_user_body("ext@corp.example.com", onPremisesExtensionAttributes={"extensionAttribute1": "a"})
    user = graph.post(graph.v1("users"), json=body).json()
    patched = graph.patch(graph.v1("users/" + user["id"]),
                          json={"onPremisesExtensionAttributes": {"extensionAttribute15": "z"}})
    assert patched.status_code == 204, patched.text
    got = graph.get(graph.v1("users/" + user["id"]), params={"$select": "onPremisesExtensionAttributes"}).json()
    attributes = got["onPremisesExtensionAttributes"]
    assert attributes["extensionAttribute1"] == "a" and attributes["extensionAttribute15"] == "z"
    assert len(attributes) == 15 and attributes["extensionAttribute2"] is None
    bad = graph.patch(graph.v1("users/" + user["id"]), json={"onPremisesExtensionAttributes": {"colour": "x"}})
    assert_graph_error(bad, 400, "Request_BadRequest", "onPremisesExtensionAttributes")
