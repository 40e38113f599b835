"""User property mapping, name rules and planning through the shared engine (pure)."""
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_user_map import (
    USER_FIELDS, USER_SELECT, check_domain, check_upn, current_for_plan, derive_display_name, derive_mail_nickname,
    normalize_policies, to_options, to_remote)
from ansible_collections.hybrid.identity.plugins.module_utils._plan import plan_object


def test_upn_rules():
    assert check_upn("anne.o'neil@contoso.com") is None
    assert check_upn("a_b-c!d#e^f~g@contoso.com") is None
    assert "local@domain" in check_upn("nodomain")
    assert "may only use" in check_upn("an ne@contoso.com")
    assert "period" in check_upn(".anne@contoso.com")
    assert "DNS" in check_upn("anne@localhost")


def test_domain_check_names_the_domain():
    assert check_domain("a@Contoso.com", {"contoso.com"}) is None
    msg = check_domain("a@corp.local", {"contoso.com", "contoso.onmicrosoft.com"})
    assert "corp.local is not a verified domain" in msg and "contoso.com, contoso.onmicrosoft.com" in msg


def test_derived_names():
    assert derive_mail_nickname("anne.o'neil@contoso.com") == "anne.o'neil"
    assert derive_mail_nickname("(x)@contoso.com") == "x"
    assert derive_display_name({"given_name": "Anne", "surname": "Lee", "user_principal_name": "a@x.com"}) == "Anne Lee"
    assert derive_display_name({"user_principal_name": "anne@x.com"}) == "anne"


def test_password_policies_normalize_and_convert():
    assert normalize_policies(None) == normalize_policies("None") == normalize_policies([]) == ""
    assert normalize_policies("DisableStrongPassword, DisablePasswordExpiration") == \
        normalize_policies(["DisablePasswordExpiration", "DisableStrongPassword"])
    assert to_remote({"passwordPolicies": []}) == {"passwordPolicies": "None"}
    assert to_remote({"passwordPolicies": ["DisablePasswordExpiration"]}) == {"passwordPolicies": "DisablePasswordExpiration"}


def test_to_remote_clears_with_null_and_uppercases_location():
    assert to_remote({"onPremisesImmutableId": "", "usageLocation": "dk", "jobTitle": "X"}) == \
        {"onPremisesImmutableId": None, "usageLocation": "DK", "jobTitle": "X"}


def test_select_covers_every_readable_field_but_not_password():
    assert "passwordProfile" not in USER_SELECT
    for field in USER_FIELDS:
        if not field.write_only:
            assert field.remote in USER_SELECT
    assert "onPremisesSyncEnabled" in USER_SELECT


def test_plan_unchanged_when_equal_modulo_case_and_normalisation():
    current = current_for_plan({"userPrincipalName": "Anne@Contoso.com", "usageLocation": "DK",
                                "passwordPolicies": "DisablePasswordExpiration", "businessPhones": ["+1 555"],
                                "accountEnabled": True})
    desired = {"user_principal_name": "anne@contoso.com", "usage_location": "dk",
               "password_policies": ["DisablePasswordExpiration"], "business_phones": ["+1 555"],
               "account_enabled": True}
    assert plan_object(USER_FIELDS, desired, current).action == "unchanged"


def test_plan_update_hides_password():
    current = current_for_plan({"userPrincipalName": "a@x.com", "department": "Sales"})
    plan = plan_object(USER_FIELDS, {"department": "IT", "password": {"password": "S3cret!pw"}}, current)
    assert plan.action == "update"
    assert sorted(plan.changed) == ["department", "password"]
    assert plan.after["password"] == "(hidden)" and "S3cret" not in repr(plan.before) + repr(plan.after)


def test_to_options_maps_back():
    out = to_options({"id": "1", "userPrincipalName": "a@x.com", "state": "WA", "passwordPolicies": "None",
                      "onPremisesSyncEnabled": None, "businessPhones": None})
    assert out["state_province"] == "WA" and out["password_policies"] == [] and out["business_phones"] == []
    assert out["on_premises_sync_enabled"] is False and "password" not in out


# --- mail, user_type and azure_rm_aduser's names -----------------------------------------------
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_user_map import (  # noqa: E402
    add_object_ids, check_mail, desired_of, user_facts)

PARAMS = {"update_password": "on_create", "update_immutable_id": "always"}


def test_mail_and_user_type_are_planned_read_and_selected():
    assert "mail" in USER_SELECT and "userType" in USER_SELECT
    assert len(USER_SELECT) == len(set(USER_SELECT))   # no property asked for twice
    current = current_for_plan({"userPrincipalName": "a@x.com", "mail": "Anne.Lee@X.com", "userType": "Member"})
    same = plan_object(USER_FIELDS, {"mail": "anne.lee@x.com", "user_type": "Member"}, current)
    assert same.action == "unchanged"   # addresses compare case-insensitively
    plan = plan_object(USER_FIELDS, {"mail": "anne@x.com", "user_type": "Guest"}, current)
    assert plan.action == "update" and sorted(plan.changed) == ["mail", "user_type"]
    assert to_remote(plan.changes) == {"mail": "anne@x.com", "userType": "Guest"}
    cleared = plan_object(USER_FIELDS, {"mail": ""}, current)
    assert to_remote(cleared.changes) == {"mail": None}   # "" clears with JSON null


def test_mail_rules():
    assert check_mail("anne.o'neil+x@contoso.com") is None
    assert check_mail("partner@example.net") is None   # any domain: guests carry outside addresses
    for bad in ("anne", "a@b@c.com", "@contoso.com", "anne@", "an ne@contoso.com"):
        assert "local@domain" in (check_mail(bad) or "") or "no spaces" in (check_mail(bad) or ""), bad
    assert "non-ASCII" in check_mail(u"ren\u00e9@contoso.com")


def test_to_options_has_azure_object_id_mail_and_user_type():
    out = to_options({"id": "1", "userPrincipalName": "a@x.com", "mail": "a@x.com", "userType": "Guest"})
    assert out["object_id"] == out["id"] == "1"
    assert out["mail"] == "a@x.com" and out["user_type"] == "Guest"
    assert to_options({"id": "2"})["mail"] is None


def test_add_object_ids_only_where_an_id_is_known():
    items = add_object_ids([{"name": "a", "id": "1"}, {"name": "b"}])
    assert items[0]["object_id"] == "1" and "object_id" not in items[1]


def test_desired_of_create_fills_in_and_drops_clears():
    spec = {"user_principal_name": "anne@x.com", "given_name": "Anne", "mail": "", "user_type": "Guest",
            "password": "S3cret!pw", "force_change_password_next_sign_in": True}
    desired = desired_of(spec, PARAMS, True)
    assert desired["mail_nickname"] == "anne" and desired["display_name"] == "Anne"
    assert desired["account_enabled"] is True and desired["user_type"] == "Guest"
    assert "mail" not in desired   # nothing to clear on a new user
    assert desired["password"] == {"password": "S3cret!pw", "forceChangePasswordNextSignIn": True}
    assert "password" not in desired_of(spec, PARAMS, False)   # on_create
    assert "password" in desired_of(dict(spec, update_password="always"), PARAMS, False)
    assert desired_of(dict(spec, on_premises_immutable_id="x"), dict(PARAMS, update_immutable_id="on_create"),
                      False).get("on_premises_immutable_id") is None


def test_user_facts_report_the_type_the_run_leaves():
    new_guest = plan_object(USER_FIELDS, {"user_principal_name": "g@x.com", "user_type": "Guest"}, None)
    assert user_facts(None, new_guest)["user_type"] == "Guest"
    new_member = plan_object(USER_FIELDS, {"user_principal_name": "m@x.com"}, None)
    assert user_facts(None, new_member)["user_type"] == "Member"
    current = {"userPrincipalName": "a@x.com", "userType": "Member", "assignedLicenses": [{"skuId": "s1"}]}
    changed = plan_object(USER_FIELDS, {"user_type": "Guest"}, current_for_plan(current))
    facts = user_facts(current, changed)
    assert facts["user_type"] == "Guest" and facts["assigned_sku_ids"] == ["s1"]
    assert user_facts(current, plan_object(USER_FIELDS, {}, current_for_plan(current), state="absent")) == {}
