"""cloud_license, cloud_user_info and cloud_tenant_info against the Graph tenant simulator."""
from cloud_helpers import by_name, run_fail, run_ok

LIC = "hybrid.identity.cloud_license"
BP = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
PW = "Lic-Passw0rd!42"


def lic(sim, upn):
    return sim.users()[upn]["_licenses"]


def test_tenant_info(sim, cloud_lab):
    res = run_ok("hybrid.identity.cloud_tenant_info", {}, cloud_lab)
    assert res["verified_domains"] == ["corp.example.com", "corpexample.onmicrosoft.com"]
    assert res["default_domain"] == "corp.example.com" and res["initial_domain"] == "corpexample.onmicrosoft.com"
    skus = dict((s["sku_part_number"], s) for s in res["skus"])
    assert skus["O365_BUSINESS_PREMIUM"]["free"] == 22 and skus["SPB"]["free"] == 0
    assert "TEAMS1" in skus["O365_BUSINESS_PREMIUM"]["service_plans"]
    assert res["directory_sync_enabled"] is False and res["size_class"] == "small" and res["user_count"] == 9
    assert res["graph"]["requests"] == 1


def test_user_info_by_list_filter_and_all(sim, cloud_lab):
    res = run_ok("hybrid.identity.cloud_user_info", {"users": ["alice.cloud@corp.example.com",
                                                               "0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d09", "ghost@x.com"]},
                 cloud_lab)
    users = dict((u["user_principal_name"], u) for u in res["users"])
    assert users["alice.cloud@corp.example.com"]["assigned_licenses"][0]["sku_part_number"] == "O365_BUSINESS_PREMIUM"
    assert users["sam.synced@corp.example.com"]["on_premises_sync_enabled"] is True
    assert res["missing"] == ["ghost@x.com"]
    res = run_ok("hybrid.identity.cloud_user_info", {"filter": "department eq 'Sales'"}, cloud_lab)
    assert [u["user_principal_name"] for u in res["users"]] == ["bob.cloud@corp.example.com"]
    res = run_ok("hybrid.identity.cloud_user_info", {"filter": "department ne 'Sales'"}, cloud_lab)
    assert res["count"] == 8
    res = run_ok("hybrid.identity.cloud_user_info", {"all": True, "resolve_licenses": False}, cloud_lab)
    assert res["count"] == 9 and "sku_part_number" not in res["users"][0]["assigned_licenses"][0]


def test_assign_check_then_run_then_rerun(sim, cloud_lab):
    run_ok("hybrid.identity.cloud_user", {"users": [
        {"user_principal_name": "lic1@corp.example.com", "password": PW},
        {"user_principal_name": "lic2@corp.example.com", "password": PW, "usage_location": "DE"}]}, cloud_lab)
    args = {"usage_location": "US", "licenses": [{"sku": "O365_BUSINESS_PREMIUM", "disabled_plans": ["TEAMS1"]}],
            "users": [{"user": "lic1@corp.example.com"}, {"user": "lic2@corp.example.com"},
                      {"user": "carol.cloud@corp.example.com", "licenses": [{"sku": "6fd2c87f-b296-42f0-b197-1e91e994b900"}]}]}
    sim.reset_counters()
    res = run_ok(LIC, args, cloud_lab, check=True, diff=True)
    users = by_name(res)
    assert users["lic1@corp.example.com"]["changed_attributes"] == ["licenses", "usage_location"]
    assert users["lic2@corp.example.com"]["changed_attributes"] == ["licenses"]
    assert users["carol.cloud@corp.example.com"]["action"] == "unchanged"
    assert res["diff"]["after"]["lic1@corp.example.com"]["licenses"] == {"O365_BUSINESS_PREMIUM": ["TEAMS1"]}
    assert sim.counters()["totals"]["writes"] == 0 and lic(sim, "lic1@corp.example.com") == []
    res = run_ok(LIC, args, cloud_lab)
    assert res["summary"]["updated"] == 2
    assert lic(sim, "lic1@corp.example.com") == [{"skuId": BP, "disabledPlans": [TEAMS]}]
    assert sim.users()["lic1@corp.example.com"]["usageLocation"] == "US"
    assert sim.users()["lic2@corp.example.com"]["usageLocation"] == "DE"      # only set when missing
    sim.reset_counters()
    res = run_ok(LIC, args, cloud_lab)
    assert res["changed"] is False and sim.counters()["totals"]["writes"] == 0


def test_disabled_plans_change_and_exclusive_and_absent(sim, cloud_lab):
    args = {"users": [{"user": "lic1@corp.example.com", "licenses": [{"sku": "O365_BUSINESS_PREMIUM",
                                                                      "disabled_plans": []}]}]}
    res = run_ok(LIC, args, cloud_lab)
    assert res["users"][0]["added"] == ["O365_BUSINESS_PREMIUM"] and lic(sim, "lic1@corp.example.com")[0]["disabledPlans"] == []
    res = run_ok(LIC, {"users": [{"user": "alice.cloud@corp.example.com", "licenses": [{"sku": "ENTERPRISEPACK"}]}],
                       "exclusive": True}, cloud_lab)
    assert res["users"][0]["removed"] == ["O365_BUSINESS_PREMIUM"] and res["users"][0]["added"] == ["ENTERPRISEPACK"]
    res = run_ok(LIC, {"users": [{"user": "lic1@corp.example.com"}], "state": "absent",
                       "licenses": [{"sku": "O365_BUSINESS_PREMIUM"}]}, cloud_lab)
    assert res["users"][0]["removed"] == ["O365_BUSINESS_PREMIUM"] and lic(sim, "lic1@corp.example.com") == []
    assert run_ok(LIC, {"users": [{"user": "lic1@corp.example.com"}], "state": "absent",
                        "licenses": [{"sku": "O365_BUSINESS_PREMIUM"}]}, cloud_lab)["changed"] is False


def test_out_of_licenses_fails_only_the_users_without_a_seat(sim, cloud_lab):
    users = [{"user_principal_name": "short%d@corp.example.com" % i, "password": PW, "usage_location": "US"}
             for i in range(6)]
    run_ok("hybrid.identity.cloud_user", {"users": users}, cloud_lab)
    free = sim.skus()["ENTERPRISEPACK"]["free"]
    assert free < 6
    args = {"licenses": [{"sku": "ENTERPRISEPACK"}], "users": [{"user": u["user_principal_name"]} for u in users]}
    sim.reset_counters()
    # allow_partial false: the short SKU goes to nobody, naming the counts
    res = run_fail(LIC, dict(args, allow_partial=False), cloud_lab)
    assert "need 6 of ENTERPRISEPACK, %d free" % free in res["msg"]
    assert res["shortages"] == [{"sku_part_number": "ENTERPRISEPACK", "needed": 6, "free": free}]
    assert sim.counters()["totals"]["writes"] == 0
    # the default: seats in list order while units last, the others fail on their own
    res = run_fail(LIC, args, cloud_lab)
    assert res["summary"]["updated"] == free and res["summary"]["failed"] == 6 - free
    assert "no free seat of ENTERPRISEPACK" in res["users"][-1]["error"]
    assert sim.skus()["ENTERPRISEPACK"]["free"] == 0


def test_per_user_errors(sim, cloud_lab):
    res = run_fail(LIC, {"users": [
        {"user": "newhire@corp.example.com", "licenses": [{"sku": "NOPE"}]},
        {"user": "reception@corp.example.com", "licenses": [{"sku": "O365_BUSINESS_PREMIUM"}]},
        {"user": "newhire@corp.example.com", "licenses": [{"sku": "O365_BUSINESS_PREMIUM", "disabled_plans": ["YAMMER"]}]},
        {"user": "ghost@corp.example.com", "licenses": [{"sku": "O365_BUSINESS_PREMIUM"}]},
    ]}, cloud_lab)
    errors = [u.get("error", "") for u in res["users"]]
    assert "no SKU NOPE" in errors[0] and "usage location" in errors[1]
    assert "listed twice" in errors[2] or "no service plan YAMMER" in errors[2]
    assert "no such user" in errors[3]
