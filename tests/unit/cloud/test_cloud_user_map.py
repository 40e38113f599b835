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
