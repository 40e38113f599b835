"""hybrid.identity.add_cloud_accounts (method 2) in the lab: check mode writes nothing -> real run -> checked
from outside (ldap3, kinit, the simulator's state and password grant) -> rerun changes nothing."""
import json
import uuid

import pytest

from roles_lab import (kinit, add_ad_user, admin, ad_users, cloud_password_works, cloud_user, delete_ad_users, immutable_id,
                       play, report_rows, text, writes)

TAG = uuid.uuid4().hex[:5]
PASSWORD = "Acc-Onprem-Pw-%s-7q" % TAG


@pytest.fixture()
def ad_side(lab):
    admin(lab, "/reset", {})
    for sam in ("aca", "acb", "acc"):
        add_ad_user(lab, sam + TAG, sam.title(), "Acc%s" % TAG, PASSWORD, department="Acc%s" % TAG,
                    title="Engineer", telephoneNumber="+1 555 0100")
    yield lab
    delete_ad_users(lab, "(department=Acc%s)" % TAG)


def test_add_cloud_accounts_must_change_default_and_off_switch(ad_side, tmp_path):
    lab = ad_side
    scope = "(department=Acc%s)" % TAG
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"ad_users": ["aca" + TAG, "acb" + TAG], "licenses": ["O365_BUSINESS_PREMIUM"],
                                     "usage_location": "US"}))
    before = ad_users(lab, scope)

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "add_cloud_accounts", tmp_path, "-e", "@%s" % vars_file, check=True, diff=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, scope) == before  # same uSNChanged, pwdLastSet, link attribute: nothing written
    assert cloud_user(lab, "aca%s@corp.example.com" % TAG) is None
    assert sorted(r["status"] for r in report_rows(tmp_path, "add_cloud_accounts", check=True)) == ["created", "created"]

    proc, recap = play(lab, "add_cloud_accounts", tmp_path, "-e", "@%s" % vars_file)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "failed=0" in recap["localhost"]
    after = ad_users(lab, scope)
    for sam in ("aca", "acb"):
        entry = after[sam + TAG]
        upn = "%s%s@corp.example.com" % (sam, TAG)  # the .local AD UPN moved to the tenant's default domain
        cloud = cloud_user(lab, upn)
        assert cloud is not None, upn
        assert cloud["onPremisesImmutableId"] == immutable_id(entry)
        assert text(entry, "msDS-cloudExtensionAttribute1") == cloud["id"]
        assert cloud["jobTitle"] == "Engineer" and cloud["department"] == "Acc%s" % TAG
        assert cloud["givenName"] == sam.title() and cloud["mailNickname"] == sam + TAG
        assert cloud["_licenses"] and cloud["usageLocation"] == "US"
        # must change at the next on-premises logon (default on): pwdLastSet 0, Kerberos says expired
        assert entry["pwdLastSet"] == b"0"
        rc, out = kinit(lab, "%s%s@%s" % (sam, TAG, lab["LAB_REALM"]), PASSWORD)
        assert rc != 0 and "expired" in out.lower(), out
        # the cloud password is random and unused: the on-premises one does not sign in
        assert cloud["_hasPassword"]
        assert cloud_password_works(lab, upn, PASSWORD) != "ok"
    assert after["acc" + TAG] == before["acc" + TAG]  # not chosen, not touched
    assert sorted(r["status"] for r in report_rows(tmp_path, "add_cloud_accounts")) == ["created", "created"]

    # the off switch
    proc, recap = play(lab, "add_cloud_accounts", tmp_path, "-e", '{"ad_users": ["acc%s"]}' % TAG,
                       "-e", "force_password_change=false")
    assert proc.returncode == 0, proc.stdout[-4000:]
    entry = ad_users(lab, scope)["acc" + TAG]
    assert entry["pwdLastSet"] != b"0"
    assert cloud_user(lab, "acc%s@corp.example.com" % TAG)["onPremisesImmutableId"] == immutable_id(entry)
    rc, out = kinit(lab, "acc%s@%s" % (TAG, lab["LAB_REALM"]), PASSWORD)
    assert rc == 0, out

    # reruns change nothing, on either side
    before = ad_users(lab, scope)
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "add_cloud_accounts", tmp_path, "-e", "@%s" % vars_file)
    assert proc.returncode == 0 and "changed=0" in recap["localhost"], proc.stdout[-4000:]
    proc, recap = play(lab, "add_cloud_accounts", tmp_path, "-e", '{"ad_users": ["acc%s"]}' % TAG,
                       "-e", "force_password_change=false")
    assert proc.returncode == 0 and "changed=0" in recap["localhost"], proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, scope) == before
    assert sorted(r["status"] for r in report_rows(tmp_path, "add_cloud_accounts")) == ["unchanged"]
