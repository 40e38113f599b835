"""Licenses (assignLicense, licenseDetails, subscribedSkus), domains, organization, permissions."""
from sim_helpers import (ALICE_ID, PW_APP, PW_SECRET, RO_APP, RO_SECRET, SKU_BP, SKU_E3, SKU_SPB, TENANT_ID,
                         assert_graph_error, new_user_body)


def _skus(graph):
    return {s["skuPartNumber"]: s for s in graph.get(graph.v1("subscribedSkus")).json()["value"]}


def _new_user(graph, upn, **extra):
    response = graph.post(graph.v1("users"), json=new_user_body(upn, **extra))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_subscribed_skus_shape_and_units(graph):
    skus = _skus(graph)
    bp = skus["O365_BUSINESS_PREMIUM"]
    assert bp["skuId"] == SKU_BP and bp["prepaidUnits"]["enabled"] == 25 and bp["consumedUnits"] == 3
    assert bp["id"] == "%s_%s" % (TENANT_ID, SKU_BP) and bp["capabilityStatus"] == "Enabled"
    assert {p["servicePlanName"] for p in bp["servicePlans"]} >= {"EXCHANGE_S_STANDARD", "TEAMS1"}
    assert skus["SPB"]["prepaidUnits"]["enabled"] - skus["SPB"]["consumedUnits"] == 0
    assert skus["ENTERPRISEPACK"]["prepaidUnits"]["enabled"] == 5


def test_assign_license_consumes_a_unit_and_shows_in_details(graph):
    uid = _new_user(graph, "lic@corp.example.com", usageLocation="US")
    response = graph.post(graph.v1("users/%s/assignLicense" % uid),
                          json={"addLicenses": [{"skuId": SKU_E3, "disabledPlans": []}], "removeLicenses": []})
    assert response.status_code == 200 and response.json()["id"] == uid
    assert _skus(graph)["ENTERPRISEPACK"]["consumedUnits"] == 2
    details = graph.get(graph.v1("users/%s/licenseDetails" % uid)).json()["value"]
    assert [d["skuPartNumber"] for d in details] == ["ENTERPRISEPACK"]
    user = graph.get(graph.v1("users/" + uid), params={"$select": "assignedLicenses,mail,proxyAddresses"}).json()
    assert user["assignedLicenses"] == [{"disabledPlans": [], "skuId": SKU_E3}]
    assert user["mail"] == "lic@corp.example.com" and user["proxyAddresses"] == ["SMTP:lic@corp.example.com"]
    # Assigning again is not a second seat; removing frees it.
    graph.post(graph.v1("users/%s/assignLicense" % uid), json={"addLicenses": [{"skuId": SKU_E3}], "removeLicenses": []})
    assert _skus(graph)["ENTERPRISEPACK"]["consumedUnits"] == 2
    graph.post(graph.v1("users/%s/assignLicense" % uid), json={"addLicenses": [], "removeLicenses": [SKU_E3]})
    assert _skus(graph)["ENTERPRISEPACK"]["consumedUnits"] == 1
    found = graph.get(graph.v1("users"), params={"$filter": "assignedLicenses/any(x:x/skuId eq %s)" % SKU_E3}).json()
    assert uid not in [u["id"] for u in found["value"]]


def test_disabled_plans_are_recorded(graph):
    plan = "5dbe027f-2339-4123-9542-606e4d348a72"
    uid = _new_user(graph, "dp@corp.example.com", usageLocation="US")
    graph.post(graph.v1("users/%s/assignLicense" % uid),
               json={"addLicenses": [{"skuId": SKU_E3, "disabledPlans": [plan]}], "removeLicenses": []})
    details = graph.get(graph.v1("users/%s/licenseDetails" % uid)).json()["value"][0]
    status = {p["servicePlanId"]: p["provisioningStatus"] for p in details["servicePlans"]}
    assert status[plan] == "Disabled"
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % uid), json={
        "addLicenses": [{"skuId": SKU_E3, "disabledPlans": ["00000000-0000-0000-0000-000000000000"]}],
        "removeLicenses": []}), 400, "Request_BadRequest")


def test_usage_location_required_before_licensing(graph):
    uid = _new_user(graph, "nowhere@corp.example.com")
    body = {"addLicenses": [{"skuId": SKU_BP, "disabledPlans": []}], "removeLicenses": []}
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % uid), json=body), 400, "Request_BadRequest",
                       "License assignment cannot be done for user with invalid usage location.")
    assert graph.patch(graph.v1("users/" + uid), json={"usageLocation": "NL"}).status_code == 204
    assert graph.post(graph.v1("users/%s/assignLicense" % uid), json=body).status_code == 200


def test_no_free_units(graph):
    uid = _new_user(graph, "full@corp.example.com", usageLocation="US")
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % uid), json={
        "addLicenses": [{"skuId": SKU_SPB, "disabledPlans": []}], "removeLicenses": []}), 400, "Request_BadRequest",
        "does not have any available licenses.")


def test_unknown_sku_and_malformed_bodies(graph):
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % ALICE_ID), json={
        "addLicenses": [{"skuId": "11111111-2222-3333-4444-555555555555"}], "removeLicenses": []}), 400,
        "Request_BadRequest", "does not correspond to a valid company License.")
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % ALICE_ID), json={
        "addLicenses": [{"skuId": SKU_E3}]}), 400, "Request_BadRequest", "removeLicenses")
    assert_graph_error(graph.post(graph.v1("users/%s/assignLicense" % ALICE_ID), json={
        "addLicenses": [], "removeLicenses": [SKU_E3]}), 400, "Request_BadRequest",
        "User does not have a corresponding license.")


def test_domains_and_organization(graph):
    domains = {d["id"]: d for d in graph.get(graph.v1("domains")).json()["value"]}
    assert domains["corp.example.com"]["isVerified"] and domains["corp.example.com"]["isDefault"]
    assert domains["corpexample.onmicrosoft.com"]["isInitial"]
    assert domains["unverified.example.org"]["isVerified"] is False
    assert graph.get(graph.v1("domains/unverified.example.org")).json()["isVerified"] is False
    assert_graph_error(graph.get(graph.v1("domains/nope.example")), 404, "Request_ResourceNotFound")
    org = graph.get(graph.v1("organization")).json()["value"]
    assert len(org) == 1 and org[0]["id"] == TENANT_ID and org[0]["onPremisesSyncEnabled"] is None
    assert {d["name"] for d in org[0]["verifiedDomains"]} == {"corp.example.com", "corpexample.onmicrosoft.com"}


def test_organization_sync_flag_from_seed(fresh):
    seed = dict(fresh.seed, organization=dict(fresh.seed["organization"], onPremisesSyncEnabled=True))
    fresh.reset(seed)
    graph = fresh.graph()
    assert graph.get(graph.v1("organization")).json()["value"][0]["onPremisesSyncEnabled"] is True


def test_read_only_app_gets_403_on_writes(fresh):
    graph = fresh.graph(RO_APP, RO_SECRET)
    assert graph.get(graph.v1("users")).status_code == 200
    assert graph.get(graph.v1("subscribedSkus")).status_code == 200
    for response in (graph.post(graph.v1("users"), json=new_user_body("ro@corp.example.com")),
                     graph.patch(graph.v1("users/" + ALICE_ID), json={"jobTitle": "x"}),
                     graph.delete(graph.v1("users/" + ALICE_ID)),
                     graph.post(graph.v1("users/%s/assignLicense" % ALICE_ID),
                                json={"addLicenses": [], "removeLicenses": [SKU_BP]})):
        assert_graph_error(response, 403, "Authorization_RequestDenied",
                           "Insufficient privileges to complete the operation.")
    assert fresh.admin("GET", "/state")["users"][1]["jobTitle"] == "Accountant"


def test_password_reset_needs_its_own_permission(fresh):
    full = fresh.graph()
    uid = full.post(full.v1("users"), json=new_user_body("reset@corp.example.com")).json()["id"]
    pw_only = fresh.graph(PW_APP, PW_SECRET)
    reset = {"passwordProfile": {"password": "An0ther-Passw0rd!", "forceChangePasswordNextSignIn": False}}
    assert pw_only.patch(pw_only.v1("users/" + uid), json=reset).status_code == 204
    assert_graph_error(pw_only.patch(pw_only.v1("users/" + uid), json={"jobTitle": "x"}), 403,
                       "Authorization_RequestDenied")
    # The read-only app has neither.
    ro = fresh.graph(RO_APP, RO_SECRET)
    assert_graph_error(ro.patch(ro.v1("users/" + uid), json=reset), 403, "Authorization_RequestDenied")


def test_user_token_cannot_administer(fresh):
    response = fresh.session().post(fresh.token_url, data={
        "grant_type": "password", "client_id": RO_APP, "client_secret": RO_SECRET, "username":
        "alice.cloud@corp.example.com", "password": "Alice-Passw0rd!", "scope": "User.Read"})
    graph = fresh.graph(token=response.json()["access_token"])
    assert graph.get(graph.v1("me")).json()["id"] == ALICE_ID
    assert_graph_error(graph.get(graph.v1("users")), 403, "Authorization_RequestDenied")
    app_graph = fresh.graph()
    assert_graph_error(app_graph.get(app_graph.v1("me")), 400, "BadRequest")
