"""License arithmetic (pure)."""
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_license_math import (
    SkuCatalog, free_units, plan_user, shortage_message, shortages)

BP = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
EP = "6fd2c87f-b296-42f0-b197-1e91e994b900"
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
SKUS = [
    {"skuId": BP, "skuPartNumber": "O365_BUSINESS_PREMIUM", "prepaidUnits": {"enabled": 25}, "consumedUnits": 13,
     "servicePlans": [{"servicePlanId": TEAMS, "servicePlanName": "TEAMS1"},
                      {"servicePlanId": "9aaf7827-d63c-4b61-89c3-182f06f82e5c", "servicePlanName": "EXCHANGE_S_STANDARD"}]},
    {"skuId": EP, "skuPartNumber": "ENTERPRISEPACK", "prepaidUnits": {"enabled": 5}, "consumedUnits": 5,
     "servicePlans": []},
]


def test_catalog_resolves_part_numbers_and_ids_case_insensitively():
    cat = SkuCatalog(SKUS)
    assert cat.resolve("o365_business_premium")["skuId"] == BP
    assert cat.resolve(EP.upper())["skuPartNumber"] == "ENTERPRISEPACK"
    assert cat.resolve("SPB") is None
    assert cat.part(BP) == "O365_BUSINESS_PREMIUM"
    assert cat.known_parts() == ["ENTERPRISEPACK", "O365_BUSINESS_PREMIUM"]


def test_plan_ids_by_name_or_id():
    cat = SkuCatalog(SKUS)
    ids, unknown = cat.plan_ids(SKUS[0], ["teams1", "9AAF7827-D63C-4B61-89C3-182F06F82E5C", "YAMMER"])
    assert ids == [TEAMS, "9aaf7827-d63c-4b61-89c3-182f06f82e5c"]
    assert unknown == ["YAMMER"]
    assert cat.plan_names(BP, [TEAMS]) == ["TEAMS1"]


def test_free_units():
    assert free_units(SKUS[0]) == 12
    assert free_units(SKUS[1]) == 0


def test_plan_user_add_new():
    add, remove, new = plan_user([], [(BP, None)])
    assert add == [{"skuId": BP, "disabledPlans": []}] and remove == [] and new == [BP]


def test_plan_user_nothing_to_do_when_assigned_and_plans_unspecified():
    assert plan_user([{"skuId": BP, "disabledPlans": [TEAMS]}], [(BP, None)]) == ([], [], [])


def test_plan_user_changes_disabled_plans_without_a_new_unit():
    add, remove, new = plan_user([{"skuId": BP, "disabledPlans": []}], [(BP, [TEAMS])])
    assert add == [{"skuId": BP, "disabledPlans": [TEAMS]}] and new == []
    assert plan_user([{"skuId": BP, "disabledPlans": [TEAMS.upper()]}], [(BP, [TEAMS])]) == ([], [], [])


def test_plan_user_exclusive_and_absent():
    assigned = [{"skuId": BP, "disabledPlans": []}, {"skuId": EP, "disabledPlans": []}]
    assert plan_user(assigned, [(BP, None)], exclusive=True) == ([], [EP], [])
    assert plan_user(assigned, [(EP, None)], state="absent") == ([], [EP], [])
    assert plan_user([], [(EP, None)], state="absent") == ([], [], [])


def test_shortages_with_counts():
    cat = SkuCatalog(SKUS)
    assert shortages({BP: 12}, cat) == []
    short = shortages({BP: 40, EP: 1}, cat)
    assert short == [("ENTERPRISEPACK", 1, 0), ("O365_BUSINESS_PREMIUM", 40, 12)]
    assert "need 40 of O365_BUSINESS_PREMIUM, 12 free" in shortage_message(short)
