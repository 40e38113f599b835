from ansible_collections.hybrid.identity.plugins.module_utils._role_input import (
    InputError, chunk_label, chunk_plan, read_csv, validate_new_users, validate_pairs)
from ansible_collections.hybrid.identity.plugins.module_utils._report import merge_results, render_csv, render_html, summarize
from ansible_collections.hybrid.identity.plugins.module_utils import _role_logic as logic
import pytest

DOMAINS = ["contoso.com"]
SKUS = ["O365_BUSINESS_PREMIUM"]


def test_chunk_labels():
    assert chunk_label(1501, 2000, 10000) == "users 1,501-2,000 of 10,000"
    plan = chunk_plan(1001, 500)
    assert [(c["start"], c["end"]) for c in plan] == [(0, 500), (500, 1000), (1000, 1001)]
    assert plan[-1]["label"] == "users 1,001 of 1,001"


def test_csv_missing_column_is_named():
    with pytest.raises(InputError) as info:
        read_csv("given_name,surnam\nA,B\n", "new_users")
    assert "surnam" in str(info.value) and "missing column surname" in str(info.value)


def test_every_bad_row_named_and_no_password_in_messages():
    rows = read_csv("given_name,surname,username,licenses,password\n"
                    "Ann,Lee,ann,O365_BUSINESS_PREMIUM,\n"
                    "Ann,Lee,ann,NOPE,\n"
                    "Bo,Ek,this-name-is-far-too-long-for-ad,,\n"
                    "Cy,Do,cy,,short1\n", "new_users")
    users, errors = validate_new_users(rows, DOMAINS, SKUS, upn_suffix="contoso.com", default_usage_location="US",
                                       source="csv")
    assert [u["upn"] for u in users] == ["ann@contoso.com"]
    assert len(errors) == 3
    assert errors[0].startswith("line 3") and "unknown license NOPE" in errors[0] and "same UPN" in errors[0]
    assert errors[1].startswith("line 4") and "at most 20" in errors[1]
    assert errors[2].startswith("line 5") and "password" in errors[2] and "short1" not in errors[2]


def test_unverified_domain_and_usage_location():
    users, errors = validate_new_users([(1, {"given_name": "A", "surname": "B", "upn": "a@other.org",
                                             "licenses": ["O365_BUSINESS_PREMIUM"]})], DOMAINS, SKUS)
    assert not users and "not a verified domain" in errors[0] and "usage_location" in errors[0]


def test_pairs_twice():
    pairs, errors = validate_pairs([(1, {"ad": "a", "cloud": "a@x.com"}), (2, {"ad": "A", "cloud": "b@x.com"})])
    assert len(pairs) == 1 and "already paired in item 1" in errors[0]


def test_merge_and_summary():
    users = [{"key": "a@x.com", "upn": "a@x.com", "name": "A"}, {"key": "b@x.com", "upn": "b@x.com", "name": "B"}]
    steps = [("ad", [{"upn": "a@x.com", "action": "created"}, {"upn": "b@x.com", "action": "failed", "error": "nope"}]),
             ("cloud", [{"name": "a@x.com", "action": "created"}])]
    records = merge_results(users, steps, [{"upn": "g@x.com", "reason": "guest"}])
    counts = summarize(records)
    assert counts["created"] == 1 and counts["failed"] == 1 and counts["excluded"] == 1 and counts["total"] == 3
    assert "ad: nope" in records[1]["reason"]
    assert "password" not in render_csv([dict(records[0], password="x")])
    assert "&lt;b&gt;" in render_html("t", [dict(records[0], name="<b>")], counts)


def test_passwords_generated_and_hidden():
    users = logic.with_passwords([{"upn": "a@x.com", "sam_account_name": "a", "name": "A"}])
    assert len(users[0]["password"]) == 20 and users[0]["password_generated"]
    assert "password" not in logic.without_secrets(users)[0]
    entries = logic.password_entries(users, [{"upn": "a@x.com", "action": "created"}])
    assert entries[0]["upn"] == "a@x.com"
    assert logic.password_entries(users, [{"upn": "a@x.com", "action": "unchanged"}]) == []


def test_import_classification():
    cloud = [
        {"id": "1", "user_principal_name": "admin@x.com", "assigned_licenses": [{}]},
        {"id": "2", "user_principal_name": "shared@x.com", "account_enabled": False, "mail": "shared@x.com"},
        {"id": "3", "user_principal_name": "g#EXT#@x.com", "user_type": "Guest"},
        {"id": "4", "user_principal_name": "old@x.com", "account_enabled": False, "assigned_licenses": [{}]},
        {"id": "5", "user_principal_name": "ok@x.com", "assigned_licenses": [{}]},
    ]
    selected, excluded = logic.classify_import(cloud, [{"id": "1", "roles": ["Global Administrator"]}])
    assert [u["id"] for u in selected] == ["5"]
    reasons = dict((e["upn"], e["reason"]) for e in excluded)
    assert "admin role" in reasons["admin@x.com"] and "shared-mailbox" in reasons["shared@x.com"]
    assert "guest" in reasons["g#EXT#@x.com"] and "disabled" in reasons["old@x.com"]
    selected, _ = logic.classify_import(cloud, [{"id": "1"}], include=["admins", "disabled"])
    assert [u["id"] for u in selected] == ["1", "4", "5"]


def test_ad_to_cloud_mapping():
    ad = [{"sam_account_name": "ann", "upn": "ann@corp.local", "given_name": "Ann", "title": "Boss", "object_guid": "g"}]
    entries, problems = logic.ad_to_cloud(ad, ["contoso.com"], "contoso.com", {"job_title": None}, "US")
    cloud = entries[0]["cloud"]
    assert cloud["user_principal_name"] == "ann@contoso.com" and "job_title" not in cloud
    assert cloud["usage_location"] == "US" and cloud["mail_nickname"] == "ann" and not problems


def test_permissions():
    assert logic.missing_permissions(["Directory.ReadWrite.All"], "onboard_new_users") == []
    assert logic.missing_permissions(["User.Read.All"], "import_cloud_accounts")[0] == "User.ReadWrite.All"


def test_readiness_stops_on_sync_engine():
    tenant = {"verified_domains": ["contoso.com"], "default_domain": "contoso.com", "directory_sync_enabled": True, "skus": []}
    domain = {"dns_domain": "corp.local", "upn_suffixes": [], "link_attribute_in_schema": True, "link_attribute": "x"}
    rows = logic.readiness(tenant, {"missing": {}}, domain)
    status = dict((r["check"], r["status"]) for r in rows)
    assert status["no sync engine in charge"] == "FAIL" and status["UPN suffix"] == "FAIL"
    rows = logic.readiness(tenant, {"missing": {}}, domain, allow_sync_engine=True)
    assert dict((r["check"], r["status"]) for r in rows)["no sync engine in charge"] == "warn"


def test_cloud_entries_carry_the_anchor_of_users_ad_just_created():
    from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import onboard_entries
    users = [{"name": "New One", "upn": "new@corp.example.com", "sam_account_name": "new", "password": "x"},
             {"name": "Old One", "upn": "old@corp.example.com", "sam_account_name": "old"},
             {"name": "Plan One", "upn": "plan@corp.example.com", "sam_account_name": "plan"}]
    ad = [{"name": "new", "upn": "NEW@corp.example.com", "action": "created", "immutable_id": "AAAA"},
          {"name": "old", "upn": "old@corp.example.com", "action": "unchanged", "immutable_id": "BBBB"},
          {"name": "plan", "upn": "plan@corp.example.com", "action": "created", "immutable_id": None}]  # check mode
    entries = onboard_entries(users, "cloud", ad)
    assert [e.get("on_premises_immutable_id") for e in entries] == ["AAAA", None, None]
    assert all("on_premises_immutable_id" not in e for e in onboard_entries(users, "cloud"))


def test_plan_settles_only_users_unchanged_in_every_step():
    from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import results_by_user, settled
    users = [{"upn": "done@c.com", "licenses": ["E3"]}, {"upn": "nolic@c.com", "licenses": []},
             {"upn": "relink@c.com", "licenses": []}, {"upn": "new@c.com", "licenses": []}]
    same = [{"name": u["upn"], "upn": u["upn"], "action": "unchanged"} for u in users[:3]]
    plan = {"ad": results_by_user(users, same + [{"upn": "new@c.com", "action": "created"}]),
            "cloud": results_by_user(users, [{"name": u["upn"].upper(), "action": "unchanged"} for u in users[:3]]),
            "license": results_by_user(users, [{"name": "done@c.com", "action": "unchanged"}]),
            "link": results_by_user(users, [{"cloud_upn": "done@c.com", "name": "done", "action": "unchanged"},
                                            {"cloud_upn": "nolic@c.com", "name": "nolic", "action": "unchanged"},
                                            {"cloud_upn": "relink@c.com", "name": "relink", "action": "linked"}])}
    assert [settled(u, plan) for u in users] == [True, True, False, False]
    del plan["license"]["done@c.com"]          # a row with licenses needs the license step's word
    assert settled(users[0], plan) is False


def test_already_linked_only_when_both_halves_name_each_other():
    """The pairs account_link would find linked (its judge_link 'linked'), from the results ad_user
    (return_attributes) and cloud_user already gave; anything else is left to account_link."""
    from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import already_linked
    attr = "msDS-cloudExtensionAttribute1"
    names = ["linked", "updated", "halfad", "halfcloud", "guest", "created", "twin1", "twin2", "noattr"]
    users = [{"upn": "%s@c.com" % n, "sam_account_name": n} for n in names]

    def ad(name, link, action="unchanged", anchor="A-" + "%s"):
        item = {"name": name, "upn": "%s@c.com" % name, "action": action, "immutable_id": anchor % name,
                "dn": "CN=%s,DC=c" % name, "sam_account_name": name}
        if link is not False:
            item["attributes"] = {attr: link}
        return item

    def cloud(name, anchor="A-%s", action="unchanged", user_type="Member"):
        return {"name": "%s@C.COM" % name, "action": action, "id": "ID-" + name,
                "on_premises_immutable_id": anchor % name if anchor else None, "user_type": user_type}

    ad_items = [ad("linked", "id-linked"), ad("updated", "ID-updated", action="updated"), ad("halfad", "ID-halfad"),
                ad("halfcloud", None), ad("guest", "ID-guest"), ad("created", None, action="created", anchor="%s"),
                ad("twin1", "ID-twin1"), ad("twin2", "ID-twin1"), ad("noattr", False)]
    cloud_items = [cloud("linked"), cloud("updated", action="updated"), cloud("halfad", anchor=None),
                   cloud("halfcloud"), cloud("guest", user_type="Guest"), cloud("created", action="created"),
                   cloud("twin1"), cloud("twin2"), cloud("noattr")]
    found = already_linked(users, ad_items, cloud_items, attr)
    assert sorted(found) == ["linked@c.com", "updated@c.com"]
    item = found["linked@c.com"]
    assert item["action"] == "unchanged" and item["cloud_id"] == "ID-linked" and item["immutable_id"] == "A-linked"
    assert item["name"] == "linked" and item["cloud_upn"] == "linked@C.COM" and item["changed_attributes"] == []
    # found by the same keys as account_link's own items
    plan = logic.results_by_user(users, list(found.values()))
    assert sorted(plan) == ["linked@c.com", "updated@c.com"]


def test_licensed_already_needs_every_wanted_sku_assigned():
    from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import licensed_already
    skus = {"E3": "SKU-E3", "VISIO": "SKU-VISIO"}
    users = [{"upn": "%s@c.com" % n, "licenses": lic} for n, lic in (
        ("done", ["e3"]), ("byid", ["sku-e3"]), ("missing", ["E3", "VISIO"]), ("unknown", ["NOPE"]),
        ("nolic", []), ("new", ["E3"]), ("failed", ["E3"]))]

    def cloud(name, assigned, action="unchanged"):
        return {"name": "%s@c.com" % name, "action": action, "id": "ID-" + name, "assigned_sku_ids": assigned}

    items = [cloud("done", ["SKU-E3", "SKU-X"]), cloud("byid", ["sku-e3"]), cloud("missing", ["SKU-E3"]),
             cloud("unknown", ["SKU-E3"]), cloud("nolic", []), cloud("new", [], action="created"),
             cloud("failed", ["SKU-E3"], action="failed")]
    found = licensed_already(users, items, skus)
    assert sorted(found) == ["byid@c.com", "done@c.com"]
    assert found["done@c.com"] == {"name": "done@c.com", "action": "unchanged", "id": "ID-done",
                                   "changed_attributes": []}
    assert licensed_already(users, items, {}) == {}       # no SKU map: cloud_license decides
