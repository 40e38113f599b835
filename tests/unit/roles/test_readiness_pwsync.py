"""enable_integration's password-sync row: which case applies, from the DC vendor, the tenant and the agent."""
from ansible_collections.hybrid.identity.plugins.module_utils import _role_logic as logic

TENANT = {"display_name": "Lab", "tenant_id": "t", "verified_domains": ["corp.example.com"],
          "default_domain": "corp.example.com", "directory_sync_enabled": False, "skus": []}
DOMAIN = {"dns_domain": "corp.example.local", "netbios_name": "CORP", "domain_controller": "dc:636",
          "upn_suffixes": ["corp.example.com"], "link_attribute": "msDS-cloudExtensionAttribute1",
          "link_attribute_in_schema": True, "dc_vendor": "samba"}


def _row(tenant=None, domain=None, **kw):
    rows = logic.readiness(tenant or TENANT, {"missing": {}}, domain or DOMAIN, **kw)
    found = [r for r in rows if r["check"] == "password sync"]
    return found[0] if found else None


def test_samba_without_and_with_the_agent():
    row = _row()
    assert row["mode"] == "samba_agent_not_installed" and row["status"] == "warn"
    assert "hybrid.identity.password_sync" in row["fix"]
    row = _row(password_sync_agent=True)
    assert row["mode"] == "samba_agent" and row["status"] == "ok" and row["fix"] == ""


def test_windows_dc_detected_or_overridden():
    row = _row(domain=dict(DOMAIN, dc_vendor="windows"))
    assert row["mode"] == "windows_set_both_sides" and row["status"] == "warn"
    assert _row(dc_vendor="windows")["mode"] == "windows_set_both_sides"
    assert _row(domain=dict(DOMAIN, dc_vendor="windows"), dc_vendor="samba")["mode"] == "samba_agent_not_installed"


def test_sync_engine_wins_and_the_agent_beside_it_blocks():
    tenant = dict(TENANT, directory_sync_enabled=True)
    row = _row(tenant=tenant, allow_sync_engine=True)
    assert row["mode"] == "entra_connect" and row["status"] == "warn"
    row = _row(tenant=tenant, allow_sync_engine=True, password_sync_agent=True)
    assert row["status"] == "FAIL" and "hybrid-identity-pwsync" in row["fix"]


def test_no_row_when_neither_side_answers():
    assert _row(domain={"failed": True, "msg": "down"}) is None
    assert _row(tenant={"failed": True}, domain={"failed": True}) is None
    # the tenant alone can tell a sync engine is in charge
    row = _row(tenant=dict(TENANT, directory_sync_enabled=True), domain={"failed": True})
    assert row["mode"] == "entra_connect"


def test_audit_reasons_for_broken_links():
    rows = logic.audit_records({"broken_ad": [{"sam_account_name": "ann", "link_value": "abc"}],
                                "broken_cloud": [{"cloud_upn": "bo@x", "object_guid": "g"}]})
    reasons = dict((r["status"], r["reason"]) for r in rows)
    assert "cloud id abc" in reasons["broken_ad"] and "objectGUID g" in reasons["broken_cloud"]
