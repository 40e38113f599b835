"""The method playbooks end to end in the lab, checked from outside the collection:
kinit (Samba KDC) for AD passwords, the simulator's state dump and its password grant for cloud ones."""
import csv
import json
import os
import uuid

import pytest

import roles_lab
from roles_lab import (kinit, LINK_ATTRIBUTE, ROOT, ad_users, admin, cloud_password_works, delete_ad_users, immutable_id,
                        report_rows, text)

TAG = uuid.uuid4().hex[:5]


def play(lab, name, tmp, *args, check=False):
    """roles_lab.play, with the localhost recap line alone (these tests run one host)."""
    proc, recap = roles_lab.play(lab, name, tmp, *args, check=check)
    return proc, recap.get("localhost", "")


def user_by_upn(state, upn):
    return next((u for u in state["users"] if u["userPrincipalName"].lower() == upn.lower()), None)


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    yield lab


def test_onboard_end_to_end_rerun_and_check_mode(fresh, tmp_path):
    lab = fresh
    # Names carry the run's tag: the lab's directory outlives a run (an object's CN must be new too).
    users = [{"given_name": "Gen", "surname": "Erated%s" % TAG, "username": "gen%s" % TAG,
              "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"},
             {"given_name": "Giv", "surname": "En%s" % TAG, "username": "giv%s" % TAG, "password": "Zq8-Strong-Pw-%s-9x" % TAG}]
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"users": users}))
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % vars_file, "--diff", check=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0  # planned (changed=2), nothing written
    # --diff shows the plan of every step, never a password
    assert "hybrid.identity.ad_user (plan, users 1-2 of 2)" in proc.stdout, proc.stdout[-3000:]
    assert "hybrid.identity.cloud_user (plan, users 1-2 of 2)" in proc.stdout
    assert "plan: 2 of 2 users to create or change" in proc.stdout
    assert "Zq8-Strong-Pw" not in proc.stdout
    assert user_by_upn(admin(lab, "/state"), "gen%s@corp.example.com" % TAG) is None
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % vars_file)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Zq8-Strong-Pw" not in proc.stdout
    # Two creates that carry the anchor, one license: no separate link PATCH in the cloud.
    assert admin(lab, "/counters")["totals"]["writes"] == 3
    pwfile = tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv"
    assert oct(pwfile.stat().st_mode & 0o777) == "0o600"
    rows = list(csv.DictReader(pwfile.open()))
    assert [r["sam_account_name"] for r in rows] == ["gen%s" % TAG]
    assert rows[0]["password"] not in proc.stdout
    rc, out = kinit(lab, "gen%s@%s" % (TAG, lab["LAB_REALM"]), rows[0]["password"])
    assert rc == 0, out
    assert cloud_password_works(lab, "gen%s@corp.example.com" % TAG, rows[0]["password"]) == "ok"
    assert cloud_password_works(lab, "giv%s@corp.example.com" % TAG, "Zq8-Strong-Pw-%s-9x" % TAG) == "ok"
    cloud = user_by_upn(admin(lab, "/state"), "gen%s@corp.example.com" % TAG)
    assert cloud["onPremisesImmutableId"] and cloud["_licenses"]
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % vars_file)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
    # The rerun reads: one token per module run that talks to Graph. Linked and licensed users are
    # seen in ad_user's and cloud_user's results, so only cloud_tenant_info and cloud_user run.
    totals = admin(lab, "/counters")["totals"]
    assert (totals["tokens_issued"], totals["writes"]) == (2, 0), totals
    delete_ad_users(lab, "(|(sAMAccountName=gen%s)(sAMAccountName=giv%s))" % (TAG, TAG))


def test_onboard_overlapping_chunks_converge_around_a_failed_user(fresh, tmp_path):
    """Five users in chunks of two: chunk k's cloud steps and link run while ad_user writes chunk k+1.
    A row naming an OU that does not exist fails alone, in the plan; every other user ends created, licensed and
    linked on both sides, the progress lines keep the chunks' order, and a rerun writes nothing."""
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    names = ["ch%s%d" % (tag, i) for i in range(5)]
    users = [{"given_name": "Chunk", "surname": "User%s%d" % (tag, i), "username": name,
              "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"} for i, name in enumerate(names)]
    missing_ou = "OU=Missing%s,%s" % (tag, lab["LAB_DOMAIN_DN"])
    users[2]["ou"] = missing_ou
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"users": users, "chunk_size": 2}))
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % vars_file)
    try:
        assert proc.returncode != 0 and "1 of 5 users failed" in proc.stdout, proc.stdout[-3000:]
        lines = proc.stdout.splitlines()
        # The user whose OU is missing fails in the plan and is never written: the chunks hold the other four.
        plan_line = next(line for line in lines if "plan: 4 of 5 users to create or change" in line)
        assert "ad created=4 failed=1" in plan_line, plan_line
        order = [next(i for i, line in enumerate(lines) if "] %s:" % label in line)
                 for label in ("users 1-2 of 4", "users 3-4 of 4")]
        assert order == sorted(order), order
        assert "ad created=2," in lines[order[1]], lines[order[1]]
        # 4 creates carrying the anchor + 4 licenses; nothing for the failed user
        assert admin(lab, "/counters")["totals"]["writes"] == 8
        ad = ad_users(lab, "(|%s)" % "".join("(sAMAccountName=%s)" % n for n in names))
        assert sorted(ad) == sorted(n for i, n in enumerate(names) if i != 2)
        state = admin(lab, "/state")
        assert user_by_upn(state, "%s@corp.example.com" % names[2]) is None
        for name, entry in ad.items():
            cloud = user_by_upn(state, "%s@corp.example.com" % name)
            assert text(entry, LINK_ATTRIBUTE) == cloud["id"], name
            assert cloud["onPremisesImmutableId"] == immutable_id(entry), name
            assert cloud["_licenses"], name
        failed = [r for r in report_rows(tmp_path, "onboard_new_users") if r["status"] == "failed"]
        assert [r["upn"] for r in failed] == ["%s@corp.example.com" % names[2]]
        assert missing_ou.lower() in failed[0]["reason"].lower() and "create it first" in failed[0]["reason"]

        admin(lab, "/counters/reset", {})
        proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % vars_file)
        assert proc.returncode != 0 and "changed=0" in recap, proc.stdout[-3000:]
        assert "plan: 0 of 5 users to create or change (" in proc.stdout
        assert admin(lab, "/counters")["totals"]["writes"] == 0
    finally:
        delete_ad_users(lab, "(|%s)" % "".join("(sAMAccountName=%s)" % n for n in names))


def test_bad_input_is_caught_before_anything_is_written(fresh, tmp_path):
    lab = fresh
    admin(lab, "/counters/reset", {})
    proc, _ = play(lab, "onboard_new_users", tmp_path, "-e", "users_csv=%s/examples/data/bad_users.csv" % ROOT)
    assert proc.returncode != 0
    assert "line 2" in proc.stdout and "NO_SUCH_SKU" in proc.stdout and "line 3" in proc.stdout and "line 4" in proc.stdout
    assert admin(lab, "/counters")["totals"]["writes"] == 0


def test_enable_integration_stops_on_a_sync_engine(fresh, tmp_path):
    lab = fresh
    proc, recap = play(lab, "enable_integration", tmp_path)
    assert "permissions: onboard_new_users" in proc.stdout
    seed = admin(lab, "/state")
    import yaml
    with open(os.path.join(ROOT, "tests", "lab", "tenant.yml")) as handle:
        data = yaml.safe_load(handle)
    data["organization"]["onPremisesSyncEnabled"] = True
    data["apps"][0]["certificate_file"] = os.path.join(ROOT, ".lab", "pki", "app.pem")
    admin(lab, "/reset", {"seed": data})
    try:
        proc, _ = play(lab, "enable_integration", tmp_path, "-e", "add_upn_suffix=true")
        assert proc.returncode != 0 and "sync engine" in proc.stdout
        proc, _ = play(lab, "enable_integration", tmp_path, "-e", "add_upn_suffix=true", "-e", "allow_sync_engine=true")
        assert proc.returncode == 0, proc.stdout[-3000:]
    finally:
        admin(lab, "/reset", {})
    assert seed["tenant_id"]


def test_import_passwords_file_kinit_and_must_change(fresh, tmp_path):
    lab = fresh
    upn = "imp%s@corp.example.com" % TAG
    state = admin(lab, "/state")
    assert user_by_upn(state, "alice.cloud@corp.example.com")
    # A fresh cloud user to import (the seeded ones may already exist in the shared lab's AD).
    proc, _ = play(lab, "enable_integration", tmp_path, "-e", "add_upn_suffix=true")
    from ansible_runner import run_module
    run_module("hybrid.identity.cloud_user", {"users": [{"user_principal_name": upn, "display_name": "Imp %s" % TAG,
                                                         "password": "Cloud-Only-Pw-%s-1" % TAG}]},
               env=roles_lab.env(lab))
    # no choice of users (an empty computed list, say) never imports the whole tenant
    writes_before = admin(lab, "/counters")["totals"]["writes"]
    proc, recap = play(lab, "import_cloud_accounts", tmp_path, "-e", '{"cloud_users": []}')
    assert proc.returncode != 0 and "set all_users: true" in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == writes_before
    assert not (tmp_path / "hybrid_identity_reports" / "import_cloud_accounts-passwords.csv").exists()
    proc, recap = play(lab, "import_cloud_accounts", tmp_path, "-e", '{"cloud_users": ["%s", "reception@corp.example.com"]}' % upn)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "shared-mailbox-like" in proc.stdout
    rows = list(csv.DictReader((tmp_path / "hybrid_identity_reports" / "import_cloud_accounts-passwords.csv").open()))
    password = [r for r in rows if r["upn"] == upn][0]["password"]
    assert password not in proc.stdout
    rc, out = kinit(lab, "%s@%s" % (upn.split("@")[0], lab["LAB_REALM"]), password)
    assert rc != 0 and "expired" in out.lower()
    assert cloud_password_works(lab, upn, password) == "ok"
    proc, recap = play(lab, "import_cloud_accounts", tmp_path, "-e", '{"cloud_users": ["%s"]}' % upn)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
    run_module("hybrid.identity.ad_user", {"users": [{"identity": upn, "state": "absent"}]}, env=roles_lab.env(lab))
