# -*- coding: utf-8 -*-
"""cloud_user's delete protection against the tenant simulator: over a limit the whole run is refused before
any write, in check mode and for real (checked through /_admin); raised, the users go; a rerun changes nothing."""
from cloud_helpers import run_fail, run_ok

M = "hybrid.identity.cloud_user"
COUNT = 11   # one more than the share limit always lets through, so the share (and the tenant count) decides
UPNS = ["leaver%02d@corp.example.com" % i for i in range(COUNT)]


def test_over_the_limit_refused_then_raised_deletes(sim, cloud_lab):
    run_ok(M, {"users": [{"user_principal_name": u, "password": "Fresh-Passw0rd!42"} for u in UPNS]}, cloud_lab)
    task = {"state": "absent", "users": [{"user_principal_name": u} for u in UPNS] +
            [{"user_principal_name": "stays@corp.example.com", "state": "present",
             "password": "Fresh-Passw0rd!42"}]}
    sim.reset_counters()

    check = run_fail(M, dict(task, max_delete_percent=0), cloud_lab, check=True)
    assert "cloud_user refuses to delete %d of the " % COUNT in check["msg"]
    assert "users in the tenant" in check["msg"] and "max_delete_percent=0" in check["msg"]
    assert check["summary"]["failed"] == COUNT + 1

    real = run_fail(M, dict(task, max_deletes=COUNT - 1), cloud_lab)
    assert "refuses to delete %d users" % COUNT in real["msg"] and "set max_deletes: %d" % COUNT in real["msg"]
    assert all(u["action"] == "failed" and "max_deletes=%d" % (COUNT - 1) in u["error"] for u in real["users"])
    users = sim.users()
    assert all(u in users for u in UPNS) and "stays@corp.example.com" not in users
    assert sim.counters()["totals"]["writes"] == 0, "a refused run wrote"

    done = run_ok(M, dict(task, max_deletes=COUNT, max_delete_percent=100, users=task["users"][:COUNT]), cloud_lab)
    assert done["changed"] and done["summary"]["deleted"] == COUNT
    users, deleted = sim.users(), sim.deleted()
    assert not any(u in users for u in UPNS) and all(u in deleted for u in UPNS)

    again = run_ok(M, dict(task, users=task["users"][:COUNT]), cloud_lab)
    assert again["changed"] is False and again["summary"]["absent"] == COUNT
