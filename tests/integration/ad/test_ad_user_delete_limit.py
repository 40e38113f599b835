# -*- coding: utf-8 -*-
"""ad_user's delete protection against the lab DC: over a limit the whole run is refused before any write,
in check mode and for real (checked with ldap3); with the limit raised the users go; a rerun changes nothing."""
from integration.ad.conftest import read_user

COUNT = 11   # one more than the share limit always lets through, so the share (and the domain count) decides


def test_over_the_limit_refused_then_raised_deletes(run, ldap, ou, uid):
    sams = ["del%d-%s" % (i, uid) for i in range(COUNT)]
    for sam in sams:
        assert ldap.add("CN=%s,%s" % (sam, ou), ["top", "person", "organizationalPerson", "user"],
                        {"sAMAccountName": sam}), ldap.result
    # A user to create in the same task: a refused run writes no user at all, not only no delete.
    task = {"state": "absent", "users": [{"identity": s} for s in sams] +
            [{"name": "keep-" + uid, "path": ou, "state": "present"}]}

    # check mode, share limit: 11 of the domain's users is more than 0 % (the domain is counted by the module)
    check = run("ad_user", dict(task, max_delete_percent=0), check=True, expect_failure=True)
    assert check.get("failed") and "ad_user refuses to delete %d of the " % COUNT in check["msg"]
    assert "users in the domain" in check["msg"] and "max_delete_percent=0" in check["msg"]
    assert check["summary"]["failed"] == COUNT + 1 and check["summary"]["deleted"] == 0

    # for real, count limit
    real = run("ad_user", dict(task, max_deletes=COUNT - 1), expect_failure=True)
    assert real.get("failed") and "refuses to delete %d users" % COUNT in real["msg"]
    assert "set max_deletes: %d" % COUNT in real["msg"]
    assert all(u["action"] == "failed" and "max_deletes=%d" % (COUNT - 1) in u["error"] for u in real["users"])
    assert all(read_user(ldap, s) is not None for s in sams), "a refused run deleted"
    assert read_user(ldap, "keep-" + uid) is None, "a refused run created"

    # the limit raised as the message says
    done = run("ad_user", dict(task, max_deletes=COUNT, max_delete_percent=100))
    assert not done.get("failed"), done.get("msg")
    assert done["changed"] and done["summary"]["deleted"] == COUNT and done["summary"]["created"] == 1
    assert all(read_user(ldap, s) is None for s in sams)

    # rerun: nothing left to delete, and the default limits pass a run without deletes
    again = run("ad_user", task)
    assert not again.get("failed") and again["changed"] is False
    assert again["summary"]["absent"] == COUNT
