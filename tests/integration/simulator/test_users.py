"""Users: read, create, update, delete/restore, and the validation Entra applies to each."""
import urllib.parse

import pytest

from sim_helpers import ADMIN_ID, ALICE_ID, SKU_BP, SYNCED_ID, assert_graph_error, new_user_body

DEFAULT_KEYS = {"@odata.context", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}
SYNC_MESSAGE = ("Unable to update the specified properties for on-premises mastered Directory Sync objects or "
                "objects currently undergoing migration.")


def test_get_by_id_and_upn_returns_the_default_set(graph):
    by_id = graph.get(graph.v1("users/" + ALICE_ID))
    assert by_id.status_code == 200
    assert set(by_id.json()) == DEFAULT_KEYS
    assert by_id.headers["Content-Type"].startswith("application/json")
    by_upn = graph.get(graph.v1("users/ALICE.cloud@corp.example.com")).json()
    assert by_upn["id"] == ALICE_ID
    assert "accountEnabled" not in by_upn and "usageLocation" not in by_upn


def test_select_returns_exactly_what_was_asked(graph):
    body = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "id,accountEnabled,usageLocation,"
                                                                        "assignedLicenses,employeeId"}).json()
    assert set(body) == {"@odata.context", "id", "accountEnabled", "usageLocation", "assignedLicenses", "employeeId"}
    assert body["accountEnabled"] is True and body["usageLocation"] == "US" and body["employeeId"] == "E1001"
    assert body["assignedLicenses"] == [{"disabledPlans": [], "skuId": SKU_BP}]
    bad = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "id,shoeSize"})
    assert_graph_error(bad, 400, "BadRequest", "shoeSize")


def test_guest_upn_with_hash_is_addressable(graph):
    upn = "partner_example.net#EXT#@corpexample.onmicrosoft.com"
    response = graph.get(graph.v1("users/" + urllib.parse.quote(upn, safe="@")), params={"$select": "userType,id"})
    assert response.status_code == 200 and response.json()["userType"] == "Guest"


def test_unknown_user_is_404_in_graph_shape(graph):
    error = assert_graph_error(graph.get(graph.v1("users/nobody@corp.example.com"),
                                         headers={"client-request-id": "my-id-1"}),
                               404, "Request_ResourceNotFound", "Resource 'nobody@corp.example.com' does not exist")
    assert error["innerError"]["client-request-id"] == "my-id-1"


def test_unknown_segment_and_method(graph):
    assert_graph_error(graph.get(graph.v1("groupz")), 400, "BadRequest", "Resource not found for the segment 'groupz'")
    assert_graph_error(graph.put(graph.v1("users/" + ALICE_ID), json={}), 405, "Request_BadRequest")


def test_create_returns_201_with_id_and_location(graph):
    response = graph.post(graph.v1("users"), json=new_user_body("new.one@corp.example.com", usageLocation="DE",
                                                                employeeId="E9"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == DEFAULT_KEYS
    assert len(body["id"]) == 36 and body["id"] in response.headers["Location"]
    full = graph.get(graph.v1("users/" + body["id"]), params={"$select": "accountEnabled,usageLocation,employeeId,"
                                                                       "createdDateTime,userType"}).json()
    assert full["usageLocation"] == "DE" and full["employeeId"] == "E9" and full["userType"] == "Member"
    assert full["createdDateTime"].endswith("Z")


@pytest.mark.parametrize("missing", ["accountEnabled", "displayName", "mailNickname", "userPrincipalName",
                                     "passwordProfile"])
def test_create_requires_properties(graph, missing):
    body = new_user_body("req@corp.example.com")
    del body[missing]
    assert_graph_error(graph.post(graph.v1("users"), json=body), 400, "Request_BadRequest",
                       "A value is required for property '%s' of resource 'User'." % missing)


@pytest.mark.parametrize("upn", ["bad user@corp.example.com", "bad(x)@corp.example.com", "noatsign",
                                 ".lead@corp.example.com", "a@b@corp.example.com"])
def test_upn_characters(graph, upn):
    error = assert_graph_error(graph.post(graph.v1("users"), json=new_user_body(upn)), 400, "Request_BadRequest",
                               "Property userPrincipalName is invalid.")
    assert error["details"] == [{"target": "userPrincipalName", "code": "InvalidValue", "message": error["message"]}]


def test_upn_allowed_symbols(graph):
    response = graph.post(graph.v1("users"), json=new_user_body("o'neil_x-y!z#^~@corp.example.com"))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("domain", ["unverified.example.org", "elsewhere.example"])
def test_upn_domain_must_be_verified(graph, domain):
    assert_graph_error(graph.post(graph.v1("users"), json=new_user_body("x@" + domain)), 400, "Request_BadRequest",
                       "The domain portion of the userPrincipalName property is invalid. You must use one of the "
                       "verified domain names in your organization.")


def test_duplicate_upn_is_object_conflict(graph):
    response = graph.post(graph.v1("users"), json=new_user_body("Alice.Cloud@corp.example.com"))
    error = assert_graph_error(response, 400, "Request_BadRequest",
                               "Another object with the same value for property userPrincipalName already exists.")
    assert error["details"] == [{"target": "userPrincipalName", "code": "ObjectConflict", "message": error["message"]}]


def test_strong_password_rule(graph):
    weak = new_user_body("weak@corp.example.com")
    weak["passwordProfile"]["password"] = "alllowercase"
    assert_graph_error(graph.post(graph.v1("users"), json=weak), 400, "Request_BadRequest",
                       "does not comply with password complexity requirements")
    weak["passwordPolicies"] = "DisablePasswordExpiration, DisableStrongPassword"
    assert graph.post(graph.v1("users"), json=weak).status_code == 201


def test_unknown_and_read_only_properties(graph):
    assert_graph_error(graph.post(graph.v1("users"), json=new_user_body("p@corp.example.com", shoeSize="9")), 400,
                       "Request_BadRequest", "Property 'shoeSize' does not exist")
    assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json={"assignedLicenses": []}), 400,
                       "Request_BadRequest", "read-only")
    assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json={"accountEnabled": "yes"}), 400, "BadRequest")
    assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json={"usageLocation": "usa"}), 400,
                       "Request_BadRequest", "usageLocation")


def test_patch_is_204_and_persists(graph):
    response = graph.patch(graph.v1("users/" + ALICE_ID), json={"jobTitle": "Controller", "department": "Fin",
                                                                "accountEnabled": False, "businessPhones": ["+1 555"]})
    assert response.status_code == 204 and response.content == b""
    body = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "jobTitle,department,accountEnabled,"
                                                                       "businessPhones"}).json()
    assert body["jobTitle"] == "Controller" and body["accountEnabled"] is False and body["businessPhones"] == ["+1 555"]


def test_patch_upn_moves_the_index(graph):
    assert graph.patch(graph.v1("users/" + ALICE_ID),
                       json={"userPrincipalName": "alice.renamed@corpexample.onmicrosoft.com"}).status_code == 204
    assert graph.get(graph.v1("users/alice.renamed@corpexample.onmicrosoft.com")).json()["id"] == ALICE_ID
    assert graph.get(graph.v1("users/alice.cloud@corp.example.com")).status_code == 404
    assert graph.post(graph.v1("users"), json=new_user_body("alice.cloud@corp.example.com")).status_code == 201


def test_immutable_id_rules(graph):
    anchor = "MyIRAFVEd2aImaq7zN3u/x=="
    user = graph.post(graph.v1("users"), json=new_user_body("anchor@corp.example.com",
                                                            onPremisesImmutableId=anchor)).json()
    select = {"$select": "onPremisesImmutableId"}
    assert graph.get(graph.v1("users/" + user["id"]), params=select).json()["onPremisesImmutableId"] == anchor
    error = assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json={"onPremisesImmutableId": anchor}),
                               400, "Request_BadRequest", "onPremisesImmutableId already exists")
    assert error["details"][0]["code"] == "ObjectConflict"
    # The synced user's anchor is taken too.
    assert_graph_error(graph.post(graph.v1("users"), json=new_user_body(
        "anchor2@corp.example.com", onPremisesImmutableId="MyIRAFVEd2aImaq7zN3u/w==")), 400, "Request_BadRequest",
        "already exists")
    for bad in ("has$dollar", "has_underscore"):
        assert_graph_error(graph.patch(graph.v1("users/" + ALICE_ID), json={"onPremisesImmutableId": bad}), 400,
                           "Request_BadRequest", "Property onPremisesImmutableId is invalid.")
    assert graph.patch(graph.v1("users/" + user["id"]), json={"onPremisesImmutableId": None}).status_code == 204
    assert graph.get(graph.v1("users/" + user["id"]), params=select).json()["onPremisesImmutableId"] is None
    assert graph.patch(graph.v1("users/" + ALICE_ID), json={"onPremisesImmutableId": anchor}).status_code == 204


def test_dir_synced_user_is_read_only(graph):
    assert_graph_error(graph.patch(graph.v1("users/" + SYNCED_ID), json={"jobTitle": "x"}), 400,
                       "Request_BadRequest", SYNC_MESSAGE)
    assert_graph_error(graph.delete(graph.v1("users/" + SYNCED_ID)), 400, "Request_BadRequest", SYNC_MESSAGE)
    # Cloud-side settings such as usageLocation (and licenses) stay manageable.
    assert graph.patch(graph.v1("users/" + SYNCED_ID), json={"usageLocation": "FR"}).status_code == 204


def test_admins_sensitive_properties_need_more_than_app_permissions(graph):
    assert_graph_error(graph.patch(graph.v1("users/" + ADMIN_ID), json={"accountEnabled": False}), 403,
                       "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    assert_graph_error(graph.delete(graph.v1("users/" + ADMIN_ID)), 403, "Authorization_RequestDenied")
    assert graph.patch(graph.v1("users/" + ADMIN_ID), json={"jobTitle": "Boss"}).status_code == 204


def test_delete_restore_and_purge(graph, fresh):
    response = graph.delete(graph.v1("users/" + ALICE_ID))
    assert response.status_code == 204
    assert graph.get(graph.v1("users/" + ALICE_ID)).status_code == 404
    skus = {s["skuId"]: s for s in graph.get(graph.v1("subscribedSkus")).json()["value"]}
    assert skus[SKU_BP]["consumedUnits"] == 2  # Alice's seat came back
    deleted = graph.get(graph.v1("directory/deletedItems/microsoft.graph.user")).json()["value"]
    assert [d["id"] for d in deleted] == [ALICE_ID]
    assert deleted[0]["@odata.type"] == "#microsoft.graph.user" and deleted[0]["deletedDateTime"]
    assert graph.get(graph.v1("directory/deletedItems/" + ALICE_ID)).json()["userPrincipalName"] == \
        "alice.cloud@corp.example.com"
    restored = graph.post(graph.v1("directory/deletedItems/%s/restore" % ALICE_ID))
    assert restored.status_code == 200 and restored.json()["id"] == ALICE_ID
    lic = graph.get(graph.v1("users/" + ALICE_ID), params={"$select": "assignedLicenses"}).json()
    assert lic["assignedLicenses"][0]["skuId"] == SKU_BP
    assert graph.get(graph.v1("directory/deletedItems/microsoft.graph.user")).json()["value"] == []
    # Purge: gone for good.
    assert graph.delete(graph.v1("users/" + ALICE_ID)).status_code == 204
    assert graph.delete(graph.v1("directory/deletedItems/" + ALICE_ID)).status_code == 204
    assert_graph_error(graph.post(graph.v1("directory/deletedItems/%s/restore" % ALICE_ID)), 404,
                       "Request_ResourceNotFound")


def test_restore_conflicts_with_a_reused_upn(graph):
    assert graph.delete(graph.v1("users/" + ALICE_ID)).status_code == 204
    assert graph.post(graph.v1("users"), json=new_user_body("alice.cloud@corp.example.com")).status_code == 201
    error = assert_graph_error(graph.post(graph.v1("directory/deletedItems/%s/restore" % ALICE_ID)), 400,
                               "Request_BadRequest", "userPrincipalName already exists")
    assert error["details"][0]["code"] == "ObjectConflict"


def test_member_of_recognises_admins(graph):
    roles = graph.get(graph.v1("users/%s/memberOf" % ADMIN_ID)).json()["value"]
    assert [(r["@odata.type"], r["displayName"], r["roleTemplateId"]) for r in roles] == [
        ("#microsoft.graph.directoryRole", "Global Administrator", "62e90394-69f5-4237-9190-012177145e10")]
    assert graph.get(graph.v1("users/%s/memberOf" % ALICE_ID)).json()["value"] == []
    directory_roles = graph.get(graph.v1("directoryRoles")).json()["value"]
    members = graph.get(graph.v1("directoryRoles/%s/members" % directory_roles[0]["id"])).json()["value"]
    assert [m["id"] for m in members] == [ADMIN_ID]
