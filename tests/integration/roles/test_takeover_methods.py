"""Methods 2 and 3 on the one engine never take over an account; a lost password file is reported and, on
request, new passwords are recorded and set. Checked from outside: ldap3, the simulator's state, its write
counter and password grant, and kinit against the lab's KDC."""
import csv
import json
import uuid

import pytest

import roles_lab
from roles_lab import (kinit, LINK_ATTRIBUTE, add_ad_user, ad_users, admin, cloud_password_works, delete_ad_users,
                       immutable_id, report_rows, text)
from test_takeover import DOMAIN, cloud_by_upn, seed


def play(lab, tmp, name, extra, check=False):
    vars_file = tmp / ("%s.json" % name)
    vars_file.write_text(json.dumps(extra))
    proc, recap = roles_lab.play(lab, name, tmp, "-e", "@%s" % vars_file, check=check)
    return proc, recap.get("localhost", "")


def passwords(tmp, name):
    path = tmp / "hybrid_identity_reports" / ("%s-passwords.csv" % name)
    return dict((r["upn"], r) for r in csv.DictReader(path.open())) if path.exists() else {}


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    yield lab
    admin(lab, "/reset", {})


def test_add_cloud_accounts_never_takes_over_a_cloud_account(fresh, tmp_path):
    lab, tag = fresh, uuid.uuid4().hex[:5]
    taken, free = "tk%s" % tag, "fr%s" % tag
    seed(lab, lambda data: data["users"].append({
        "userPrincipalName": "%s@%s" % (taken, DOMAIN), "displayName": "Cloud Only %s" % tag, "mailNickname": taken,
        "password": "Cloud-Only-Passw0rd-%s!" % tag, "usageLocation": "US"}))
    add_ad_user(lab, taken, "Taken", "Name%s" % tag, "Ad-Passw0rd-%s-1" % tag, upn="%s@%s" % (taken, DOMAIN))
    add_ad_user(lab, free, "Free", "Name%s" % tag, "Ad-Passw0rd-%s-2" % tag, upn="%s@%s" % (free, DOMAIN))
    extra = {"ad_users": [taken, free], "force_password_change": False}
    try:
        for check in (True, False, False):
            admin(lab, "/counters/reset", {})
            proc, recap = play(lab, tmp_path, "add_cloud_accounts", extra, check=check)
            assert proc.returncode != 0 and "1 of 2 users failed" in proc.stdout, proc.stdout[-3000:]
            assert "a cloud account already exists as %s@%s" % (taken, DOMAIN) in proc.stdout
            holder = cloud_by_upn(lab, "%s@%s" % (taken, DOMAIN))
            assert holder["onPremisesImmutableId"] is None and holder["displayName"] == "Cloud Only %s" % tag
            assert cloud_password_works(lab, holder["userPrincipalName"], "Cloud-Only-Passw0rd-%s!" % tag) == "ok"
            if check:
                assert admin(lab, "/counters")["totals"]["writes"] == 0
        ad = ad_users(lab, "(|(sAMAccountName=%s)(sAMAccountName=%s))" % (taken, free))
        assert text(ad[taken], LINK_ATTRIBUTE) is None
        cloud = cloud_by_upn(lab, "%s@%s" % (free, DOMAIN))
        assert cloud["onPremisesImmutableId"] == immutable_id(ad[free]) and text(ad[free], LINK_ATTRIBUTE) == cloud["id"]
        # The new account's random password was recorded before it was set, and it is the one the cloud has.
        row = passwords(tmp_path, "add_cloud_accounts")["%s@%s" % (free, DOMAIN)]
        assert row["set_in"] == "cloud" and cloud_password_works(lab, cloud["userPrincipalName"], row["password"]) == "ok"
        assert row["password"] not in proc.stdout
        # The last rerun wrote nothing.
        assert admin(lab, "/counters")["totals"]["writes"] == 0
    finally:
        delete_ad_users(lab, "(|(sAMAccountName=%s)(sAMAccountName=%s))" % (taken, free))


def test_import_never_takes_over_an_ad_account(fresh, tmp_path):
    lab, tag = fresh, uuid.uuid4().hex[:5]
    upn = "imp%s@%s" % (tag, DOMAIN)
    seed(lab, lambda data: data["users"].append({
        "userPrincipalName": upn, "displayName": "Import Me %s" % tag, "mailNickname": "imp%s" % tag,
        "password": "Cloud-Passw0rd-%s!" % tag, "usageLocation": "US"}))
    roles_lab.play(lab, "enable_integration", tmp_path, "-e", "add_upn_suffix=true")
    dn = add_ad_user(lab, "old%s" % tag, "Old", "Holder%s" % tag, "Ad-Passw0rd-%s-3" % tag, upn=upn)
    before = ad_users(lab, "(sAMAccountName=old%s)" % tag)["old%s" % tag]
    try:
        for check in (True, False):
            admin(lab, "/counters/reset", {})
            proc, recap = play(lab, tmp_path, "import_cloud_accounts", {"cloud_users": [upn]}, check=check)
            assert proc.returncode != 0 and "an AD account already exists as %s" % dn in proc.stdout, proc.stdout[-3000:]
            after = ad_users(lab, "(sAMAccountName=old%s)" % tag)["old%s" % tag]
            assert after["uSNChanged"] == before["uSNChanged"]
            assert admin(lab, "/counters")["totals"]["writes"] == 0
            assert cloud_password_works(lab, upn, "Cloud-Passw0rd-%s!" % tag) == "ok"
            assert cloud_by_upn(lab, upn)["onPremisesImmutableId"] is None
        assert not passwords(tmp_path, "import_cloud_accounts")
        failed = [r for r in report_rows(tmp_path, "import_cloud_accounts") if r["status"] == "failed"]
        assert [r["upn"] for r in failed] == [upn]
    finally:
        delete_ad_users(lab, "(sAMAccountName=old%s)" % tag)


def test_a_lost_password_file_is_reported_and_reset_on_request(fresh, tmp_path):
    lab, tag = fresh, uuid.uuid4().hex[:5]
    sam = "lost%s" % tag
    upn = "%s@%s" % (sam, DOMAIN)
    rows = {"users": [{"given_name": "Lost", "surname": "File%s" % tag, "username": sam}]}
    try:
        proc, recap = play(lab, tmp_path, "onboard_new_users", rows)
        assert proc.returncode == 0, proc.stdout[-3000:]
        first = passwords(tmp_path, "onboard_new_users")[upn]["password"]
        (tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv").unlink()
        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, tmp_path, "onboard_new_users", rows)
        assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
        assert "1 users exist but the password file holds no password for them" in proc.stdout
        assert "reset_unknown_passwords=true" in proc.stdout
        assert admin(lab, "/counters")["totals"]["writes"] == 0
        assert kinit(lab, "%s@%s" % (sam, lab["LAB_REALM"]), first)[0] == 0
        # On request: a new password, recorded first, then set on both sides.
        proc, recap = play(lab, tmp_path, "onboard_new_users", dict(rows, reset_unknown_passwords=True))
        assert proc.returncode == 0, proc.stdout[-3000:]
        row = passwords(tmp_path, "onboard_new_users")[upn]
        assert row["password"] != first and row["set_in"] == "ad cloud" and row["password"] not in proc.stdout
        assert kinit(lab, "%s@%s" % (sam, lab["LAB_REALM"]), row["password"])[0] == 0
        assert kinit(lab, "%s@%s" % (sam, lab["LAB_REALM"]), first)[0] != 0
        assert cloud_password_works(lab, upn, row["password"]) == "ok"
        # Recorded now: the option finds nothing to reset.
        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, tmp_path, "onboard_new_users", dict(rows, reset_unknown_passwords=True))
        assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
        assert admin(lab, "/counters")["totals"]["writes"] == 0
    finally:
        delete_ad_users(lab, "(sAMAccountName=%s)" % sam)
