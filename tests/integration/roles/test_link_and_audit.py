"""hybrid.identity.link_accounts (method 4: by rules, from a CSV of pairs) and hybrid.identity.audit in the lab.
The cloud users are seeded through the simulator's admin API and the AD users written with ldap3, so every
fact the tests rely on comes from outside the collection; results are read back the same way."""
import json
import os
import uuid

import pytest
import yaml

from roles_lab import (ROOT, add_ad_user, admin, ad_users, cloud_user, delete_ad_users, immutable_id, ldap_connect,
                       play, report_rows, text, writes)

TAG = uuid.uuid4().hex[:5]
PASSWORD = "Lnk-Onprem-Pw-%s-7q" % TAG
DEPT = "Lnk%s" % TAG
SCOPE = ["-e", json.dumps({"ad_filter": "(department=%s)" % DEPT, "cloud_filter": "department eq '%s'" % DEPT})]


def cloud_id(n):
    return "5e1d0000-0000-4000-8000-%012d" % n


def seed_cloud(lab, users):
    with open(os.path.join(ROOT, "tests", "lab", "tenant.yml")) as handle:
        data = yaml.safe_load(handle)
    data["apps"][0]["certificate_file"] = os.path.join(ROOT, ".lab", "pki", "app.pem")
    data["users"] += users
    admin(lab, "/reset", {"seed": data})


def cloud(n, local, **extra):
    user = {"id": cloud_id(n), "userPrincipalName": "%s%s@corp.example.com" % (local, TAG),
            "displayName": "%s %s" % (local.title(), TAG), "mailNickname": local + TAG, "department": DEPT,
            "usageLocation": "US", "password": "Cloud-Pw-%s-%d-x9Q" % (TAG, n)}
    user.update(extra)
    return user


@pytest.fixture()
def link_lab(lab):
    yield lab
    delete_ad_users(lab, "(department=%s)" % DEPT)
    admin(lab, "/reset", {})


def _linked(lab, sam, upn):
    entry = ad_users(lab, "(sAMAccountName=%s)" % sam)[sam]
    user = cloud_user(lab, upn)
    return user["onPremisesImmutableId"] == immutable_id(entry) and text(entry, "msDS-cloudExtensionAttribute1") == user["id"]


def test_link_by_rules(link_lab, tmp_path):
    lab = link_lab
    seed_cloud(lab, [cloud(1, "lra"), cloud(2, "lrbcloud", mail="lrb.mail%s@corp.example.com" % TAG),
                     cloud(3, "lrnobody")])
    # lra: same UPN; lrb: same mail (different UPN); lrn: nothing matches
    add_ad_user(lab, "lra" + TAG, "Lra", DEPT, PASSWORD, upn="lra%s@corp.example.com" % TAG, department=DEPT)
    add_ad_user(lab, "lrb" + TAG, "Lrb", DEPT, PASSWORD, department=DEPT, mail="lrb.mail%s@corp.example.com" % TAG)
    add_ad_user(lab, "lrn" + TAG, "Lrn", DEPT, PASSWORD, department=DEPT)
    args = ["-e", '{"rules": ["upn", "mail"]}'] + SCOPE
    before = ad_users(lab, "(department=%s)" % DEPT)

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "link_accounts", tmp_path, *args, check=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, "(department=%s)" % DEPT) == before
    assert cloud_user(lab, "lra%s@corp.example.com" % TAG).get("onPremisesImmutableId") is None
    planned = dict((r["name"], r) for r in report_rows(tmp_path, "link_accounts", check=True))
    assert planned["lra" + TAG]["status"] == "linked" and planned["lra" + TAG]["rule"] == "upn"
    assert planned["lrb" + TAG]["status"] == "linked" and planned["lrb" + TAG]["rule"] == "mail"

    proc, recap = play(lab, "link_accounts", tmp_path, *args)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _linked(lab, "lra" + TAG, "lra%s@corp.example.com" % TAG)
    assert _linked(lab, "lrb" + TAG, "lrbcloud%s@corp.example.com" % TAG)
    after = ad_users(lab, "(department=%s)" % DEPT)
    assert after["lra" + TAG]["pwdLastSet"] == b"0"  # force_password_change: default on
    assert after["lrn" + TAG] == before["lrn" + TAG]
    assert cloud_user(lab, "lrnobody%s@corp.example.com" % TAG).get("onPremisesImmutableId") is None
    done = dict((r["name"], r) for r in report_rows(tmp_path, "link_accounts"))
    assert done["lra" + TAG]["status"] == "linked" and done["lrb" + TAG]["status"] == "linked"

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "link_accounts", tmp_path, *args)
    assert proc.returncode == 0 and "changed=0" in recap["localhost"], proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, "(department=%s)" % DEPT) == after


def test_link_from_a_csv_of_pairs(link_lab, tmp_path):
    lab = link_lab
    seed_cloud(lab, [cloud(11, "pcloud-one"), cloud(12, "pcloud-two")])
    add_ad_user(lab, "lpa" + TAG, "Lpa", DEPT, PASSWORD, department=DEPT)
    add_ad_user(lab, "lpb" + TAG, "Lpb", DEPT, PASSWORD, department=DEPT)
    pairs = tmp_path / "pairs.csv"
    # by sAMAccountName -> UPN, and by UPN -> object id
    pairs.write_text("ad,cloud\nlpa%s,pcloud-one%s@corp.example.com\nlpb%s@%s,%s\n"
                     % (TAG, TAG, TAG, lab["LAB_REALM"].lower(), cloud_id(12)))
    args = ["-e", "pairs_csv=%s" % pairs, "-e", "force_password_change=false"]
    before = ad_users(lab, "(department=%s)" % DEPT)

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "link_accounts", tmp_path, *args, check=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, "(department=%s)" % DEPT) == before
    assert sorted(r["status"] for r in report_rows(tmp_path, "link_accounts", check=True)) == ["linked", "linked"]

    proc, recap = play(lab, "link_accounts", tmp_path, *args)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _linked(lab, "lpa" + TAG, "pcloud-one%s@corp.example.com" % TAG)
    assert _linked(lab, "lpb" + TAG, "pcloud-two%s@corp.example.com" % TAG)
    after = ad_users(lab, "(department=%s)" % DEPT)
    assert all(after[s]["pwdLastSet"] != b"0" for s in after)  # force_password_change=false

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "link_accounts", tmp_path, *args)
    assert proc.returncode == 0 and "changed=0" in recap["localhost"], proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, "(department=%s)" % DEPT) == after
    assert sorted(r["status"] for r in report_rows(tmp_path, "link_accounts")) == ["unchanged", "unchanged"]

    # a bad CSV is refused before anything is written, naming the line
    bad = tmp_path / "bad.csv"
    bad.write_text("ad,cloud\nlpa%s,\nlpa%s,pcloud-two%s@corp.example.com\n" % (TAG, TAG, TAG))
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "link_accounts", tmp_path, "-e", "pairs_csv=%s" % bad)
    assert proc.returncode != 0 and "line 2" in proc.stdout, proc.stdout[-3000:]
    assert writes(lab) == 0


def test_audit_report_and_counts(link_lab, tmp_path):
    lab = link_lab
    # Linked (both sides agree), broken on the AD side (its cloud id names nobody), unlinked on each side,
    # and one pair a rule would link.
    add_ad_user(lab, "aua" + TAG, "Aua", DEPT, PASSWORD, department=DEPT)
    add_ad_user(lab, "aub" + TAG, "Aub", DEPT, PASSWORD, department=DEPT)
    add_ad_user(lab, "auc" + TAG, "Auc", DEPT, PASSWORD, department=DEPT)
    add_ad_user(lab, "aud" + TAG, "Aud", DEPT, PASSWORD, upn="aud%s@corp.example.com" % TAG, department=DEPT)
    entries = ad_users(lab, "(department=%s)" % DEPT)
    seed_cloud(lab, [cloud(21, "aua", onPremisesImmutableId=immutable_id(entries["aua" + TAG])),
                     cloud(22, "aucloudonly"), cloud(23, "aud")])
    conn = ldap_connect(lab)
    try:
        assert conn.modify(entries["aua" + TAG]["dn"], {"msDS-cloudExtensionAttribute1": [("MODIFY_REPLACE", [cloud_id(21)])]})
        assert conn.modify(entries["aub" + TAG]["dn"], {"msDS-cloudExtensionAttribute1": [("MODIFY_REPLACE", [cloud_id(99)])]})
    finally:
        conn.unbind()
    before = ad_users(lab, "(department=%s)" % DEPT)

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "audit", tmp_path, "-e", '{"rules": ["upn"]}', *SCOPE, check=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert writes(lab) == 0
    proc, recap = play(lab, "audit", tmp_path, "-e", '{"rules": ["upn"]}', *SCOPE)
    assert proc.returncode == 0 and "changed=0" in recap["localhost"], proc.stdout[-4000:]
    assert writes(lab) == 0
    assert ad_users(lab, "(department=%s)" % DEPT) == before

    rows = report_rows(tmp_path, "audit")
    by_status = {}
    for row in rows:
        by_status.setdefault(row["status"], []).append(row)
    assert [r["name"] for r in by_status["linked"]] == ["aua" + TAG]
    assert by_status["linked"][0]["cloud"] == "aua%s@corp.example.com" % TAG
    assert [r["name"] for r in by_status["broken_ad"]] == ["aub" + TAG]
    assert sorted(r["name"] for r in by_status["unlinked_ad"]) == sorted(["auc" + TAG, "aud" + TAG])
    assert sorted(r["cloud"] for r in by_status["unlinked_cloud"]) == sorted(
        ["aucloudonly%s@corp.example.com" % TAG, "aud%s@corp.example.com" % TAG])
    assert [(r["name"], r["cloud"]) for r in by_status["proposed"]] == [("aud" + TAG, "aud%s@corp.example.com" % TAG)]
    assert "rule upn: link" in by_status["proposed"][0]["reason"]
    # the printed summary gives the counts
    assert "linked 1" in proc.stdout and "broken_ad 1" in proc.stdout and "unlinked_ad 2" in proc.stdout
    assert "unlinked_cloud 2" in proc.stdout and "proposed 1" in proc.stdout
