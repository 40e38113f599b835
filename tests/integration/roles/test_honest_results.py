"""Honest results, checked from outside the collection (ldap3, the simulator's state, the report files):

- replication lag after creates: onboard_new_users links and licenses every user in the same run, or,
  with a lag longer than the replication wait, exits non-zero, counts them failed and names the step;
- a licence shortage by one seat: cloud_license fails the last user only, naming SKU, counts and fix;
- the DC killed mid-run: ad_user reports the users written before the kill as created and the others
  as failed with a connection error; ldap3 finds exactly those; a rerun converges.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
import yaml

import roles_lab
from roles_lab import (LINK_ATTRIBUTE, ROOT, ad_users, admin, delete_ad_users, immutable_id, ldap_connect,
                       report_rows, text)
from integration.ansible_runner import _base_env, run_module

DOMAIN = "corp.example.com"


def user_by_upn(state, upn):
    return next((u for u in state["users"] if u["userPrincipalName"].lower() == upn.lower()), None)


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    yield lab
    admin(lab, "/faults", {"clear": True})


def new_users(tag, count, licenses=("O365_BUSINESS_PREMIUM",)):
    return [{"given_name": "Lag", "surname": "User%s%d" % (tag, i), "username": "rl%s%d" % (tag, i),
             "licenses": list(licenses), "usage_location": "US"} for i in range(count)]


def sam_filter(names):
    return "(|%s)" % "".join("(sAMAccountName=%s)" % n for n in names)


# --- replication lag ------------------------------------------------------------------------

def test_replication_lag_of_seconds_converges_in_the_same_run(fresh, tmp_path):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    users = new_users(tag, 4)
    names = [u["username"] for u in users]
    (tmp_path / "vars.json").write_text(json.dumps({"users": users}))
    admin(lab, "/faults", {"replication_delay_ms": 4000})
    try:
        started = time.monotonic()
        proc, _recap = roles_lab.play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % (tmp_path / "vars.json"))
        took = time.monotonic() - started
        assert proc.returncode == 0, proc.stdout[-4000:]
        assert "created 4, updated 0, unchanged 0, failed 0" in proc.stdout, proc.stdout[-3000:]
        rows = report_rows(tmp_path, "onboard_new_users")
        assert [r["status"] for r in rows] == ["created"] * 4
        assert all("link=" in r["steps"] and "license=updated" in r["steps"] for r in rows), rows
        state = admin(lab, "/state")
        ad = ad_users(lab, sam_filter(names))
        assert sorted(ad) == sorted(names)
        for name, entry in ad.items():
            cloud = user_by_upn(state, "%s@%s" % (name, DOMAIN))
            assert text(entry, LINK_ATTRIBUTE) == cloud["id"], name
            assert cloud["onPremisesImmutableId"] == immutable_id(entry), name
            assert [l["skuId"] for l in cloud["_licenses"]], name
        print("replication lag 4 s, 4 users: converged in one run of %.1f s" % took)
    finally:
        delete_ad_users(lab, sam_filter(names))


def test_replication_lag_beyond_the_wait_fails_the_users_and_names_the_step(fresh, tmp_path):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    users = new_users(tag, 3)
    names = [u["username"] for u in users]
    (tmp_path / "vars.json").write_text(json.dumps({"users": users}))
    admin(lab, "/faults", {"replication_delay_ms": 60000})
    try:
        # a replication wait of 2 s, shorter than the 60 s lag
        proc, _recap = roles_lab.play(dict(lab, HYBRID_IDENTITY_REPLICATION_WAIT="2"), "onboard_new_users", tmp_path,
                                      "-e", "@%s" % (tmp_path / "vars.json"))
        assert proc.returncode != 0, proc.stdout[-4000:]
        assert "failed 3 (total 3)" in proc.stdout and "3 of 3 users failed" in proc.stdout, proc.stdout[-4000:]
        rows = report_rows(tmp_path, "onboard_new_users")
        assert [r["status"] for r in rows] == ["failed"] * 3
        for row in rows:
            assert "link=failed" in row["steps"] and "ad=created" in row["steps"] and "cloud=created" in row["steps"]
            assert "link: cloud user" in row["reason"] and "replication" in row["reason"], row
            assert "done: ad created, cloud created" in row["reason"], row
        # what the report says is what the directory holds: created in AD, no link attribute
        ad = ad_users(lab, sam_filter(names))
        assert sorted(ad) == sorted(names) and not any(text(e, LINK_ATTRIBUTE) for e in ad.values())
    finally:
        delete_ad_users(lab, sam_filter(names))


# --- licence shortage by one seat -------------------------------------------------------------

def test_licence_short_by_one_seat_fails_only_the_last_user(fresh):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    free = next(s for s in admin(lab, "/state")["skus"] if s["skuPartNumber"] == "ENTERPRISEPACK")["free"]
    upns = ["seat%s%d@%s" % (tag, i, DOMAIN) for i in range(free + 1)]
    run_module("hybrid.identity.cloud_user", {"users": [
        {"user_principal_name": u, "password": "Zq8-Strong-Pw-%s-9x" % tag, "usage_location": "US"} for u in upns]})
    result = run_module("hybrid.identity.cloud_license", {
        "users": [{"user": u, "licenses": [{"sku": "ENTERPRISEPACK"}]} for u in upns]}, expect_failure=True)
    assert result["failed"] and [u["action"] for u in result["users"]] == ["updated"] * free + ["failed"]
    last = result["users"][-1]
    assert last["name"] == upns[-1]
    assert "need %d of ENTERPRISEPACK, %d free" % (free + 1, free) in last["error"], last
    assert "buy or free 1 unit(s) of ENTERPRISEPACK" in last["error"]
    assert upns[-1] in result["msg"] and "1 of %d users failed" % (free + 1) in result["msg"]
    state = admin(lab, "/state")
    assert all(user_by_upn(state, u)["_licenses"] for u in upns[:-1])
    assert user_by_upn(state, upns[-1])["_licenses"] == []
    assert next(s for s in state["skus"] if s["skuPartNumber"] == "ENTERPRISEPACK")["free"] == 0


def test_a_short_sku_never_fails_the_users_of_another_sku(fresh):
    lab = fresh
    tag = uuid.uuid4().hex[:5]
    free = next(s for s in admin(lab, "/state")["skus"] if s["skuPartNumber"] == "ENTERPRISEPACK")["free"]
    ep = ["ep%s%d@%s" % (tag, i, DOMAIN) for i in range(free + 2)]
    bp = ["bp%s%d@%s" % (tag, i, DOMAIN) for i in range(2)]
    run_module("hybrid.identity.cloud_user", {"users": [
        {"user_principal_name": u, "password": "Zq8-Strong-Pw-%s-9x" % tag, "usage_location": "US"} for u in ep + bp]})
    order = [ep[0], bp[0]] + ep[1:] + [bp[1]]
    for strict in (False, True):
        if strict:
            admin(lab, "/reset", {})
            run_module("hybrid.identity.cloud_user", {"users": [
                {"user_principal_name": u, "password": "Zq8-Strong-Pw-%s-9x" % tag, "usage_location": "US"}
                for u in ep + bp]})
        result = run_module("hybrid.identity.cloud_license", {
            "allow_partial": not strict,
            "users": [{"user": u, "licenses": [{"sku": "ENTERPRISEPACK" if u in ep else "O365_BUSINESS_PREMIUM"}]}
                      for u in order]}, expect_failure=True)
        actions = dict((u["name"], u["action"]) for u in result["users"])
        assert actions[bp[0]] == actions[bp[1]] == "updated", result["users"]
        failed = [u for u in order if actions[u] == "failed"]
        assert failed == (ep if strict else ep[free:]), failed


# --- the DC killed mid-run --------------------------------------------------------------------

SITE2_PIDFILE = os.path.join(ROOT, ".lab", "site2", "lab-samba.pid")


def _site2_up():
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "up", "--site", "site1", "--site",
                    "site2"], check=True, stdout=subprocess.DEVNULL, timeout=300)


def _ad_user_async(site_env, users, workdir):
    play = [{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": [
        {"name": "under test", "hybrid.identity.ad_user": {"users": users}, "ignore_errors": True}]}]
    path = os.path.join(workdir, "play.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(play, handle)
    env = _base_env({k: site_env[k] for k in ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME",
                                              "HYBRID_IDENTITY_DOMAIN_PASSWORD")})
    return subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                             path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=workdir)


def _task_result(stdout):
    data = json.loads(stdout[stdout.find("{"):])
    return data["plays"][0]["tasks"][-1]["hosts"]["localhost"]


@pytest.mark.slow
def test_dc_killed_mid_run_reports_each_user_by_what_happened(lab, lab_site2):
    tag = uuid.uuid4().hex[:5]
    total, kill_at = 300, 100
    users = [{"name": "Kill %s %03d" % (tag, i), "sam_account_name": "dk%s%03d" % (tag, i),
              "password": "Zq8-Strong-Pw-%s-%03d" % (tag, i)} for i in range(total)]
    lab2 = _site2(lab, lab_site2)
    base = lab_site2["LAB_DOMAIN_DN"]
    site_env = dict((k, lab_site2[k]) for k in ("HYBRID_IDENTITY_DOMAIN_SERVER", "HYBRID_IDENTITY_DOMAIN_USERNAME",
                                                "HYBRID_IDENTITY_DOMAIN_PASSWORD"))
    with open(SITE2_PIDFILE) as handle:
        pid = int(handle.read().strip())
    killed_at = None
    try:
        with tempfile.TemporaryDirectory() as workdir:
            proc = _ad_user_async(site_env, users, workdir)
            watch = ldap_connect(lab2, "site2")
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline and proc.poll() is None:
                seen = len(_sams(watch, base, tag))
                if seen >= kill_at:
                    os.kill(pid, signal.SIGKILL)   # only the pid the lab recorded for site2's samba
                    killed_at = seen
                    break
                time.sleep(0.05)
            stdout, _stderr = proc.communicate(timeout=600)
        assert killed_at is not None, "the run ended before %d users were added" % kill_at
        result = _task_result(stdout)
        assert result.get("failed"), result.get("msg")
        _site2_up()
        check = ldap_connect(lab2, "site2")
        in_ad = _sams(check, base, tag)
        check.unbind()
        by_action = {}
        for item in result["users"]:
            by_action.setdefault(item["action"], []).append(item)
        created = set(i["sam_account_name"] for i in by_action.get("created", []))
        failed = by_action.get("failed", [])
        assert len(created) + len(failed) == total and len(created) >= kill_at - 1, sorted(by_action)
        # every user reported created exists; of the failed ones, only the one in flight may exist
        assert created <= in_ad, sorted(created - in_ad)[:5]
        assert len(in_ad - created) <= 1, sorted(in_ad - created)
        in_flight = [i for i in failed if "may or may not" in i["error"]]
        never_sent = [i for i in failed if i["error"].startswith("not written:")]
        assert len(in_flight) == 1 and len(never_sent) == len(failed) - 1, [i["error"] for i in failed[:3]]
        server = lab_site2["HYBRID_IDENTITY_DOMAIN_SERVER"]
        assert all(server in i["error"] and "rerun converges" in i["error"] for i in failed)
        print("DC killed after %d adds seen: %d reported created, %d failed (1 in flight), %d in AD after restart"
              % (killed_at, len(created), len(failed), len(in_ad)))
        print("in flight: %s\nnever sent: %s" % (in_flight[0]["error"], never_sent[0]["error"] if never_sent else "-"))
        # the rerun converges: everyone exists, nothing fails
        rerun = run_module("hybrid.identity.ad_user", {"users": users}, env=site_env)
        check = ldap_connect(lab2, "site2")
        assert rerun["summary"]["failed"] == 0 and len(_sams(check, base, tag)) == total
        check.unbind()
        assert rerun["summary"].get("created", 0) == total - len(in_ad)
    finally:
        _site2_up()
        delete_ad_users(lab2, "(sAMAccountName=dk%s*)" % tag, name="site2")


def _sams(conn, base, tag):
    conn.search(base, "(&(objectClass=user)(sAMAccountName=dk%s*))" % tag, attributes=["sAMAccountName"],
                paged_size=1000)
    return set(e["raw_attributes"]["sAMAccountName"][0].decode() for e in conn.response
               if e.get("type") == "searchResEntry")


def _site2(lab, lab_site2):
    """lab with site2's connection under the LAB_SITE2_* names roles_lab reads (lab.env may predate site2)."""
    return dict(lab, LAB_SITE2_DOMAIN_SERVER=lab_site2["HYBRID_IDENTITY_DOMAIN_SERVER"],
                LAB_SITE2_DOMAIN_USERNAME=lab_site2["HYBRID_IDENTITY_DOMAIN_USERNAME"],
                LAB_SITE2_DOMAIN_PASSWORD=lab_site2["HYBRID_IDENTITY_DOMAIN_PASSWORD"],
                LAB_SITE2_DOMAIN_DN=lab_site2["LAB_DOMAIN_DN"], LAB_SITE2_REALM=lab_site2["LAB_REALM"])
