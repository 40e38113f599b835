# -*- coding: utf-8 -*-
"""ad_user's microsoft.ad.user names against the lab DC: groups.lookup_failure_action (and the old
lookup_failure), lastname, module-level state / update_password with per-user overrides,
account_locked=false on a really locked account, and the distinguished_name / sid results (also
ad_user_info's). Pattern: check mode -> nothing written (read with ldap3) -> real run -> verified
from outside -> rerun -> not changed."""
import secrets
import ssl
import time

import ldap3
from ldap3.protocol.formatters.formatters import format_sid

from integration.ad.conftest import kinit, read_user

PASSWORD = "Lab!" + secrets.token_hex(6) + "Aa1"


def _group(ldap, ou, name):
    dn = "CN=%s,%s" % (name, ou)
    assert ldap.add(dn, ["top", "group"], {"sAMAccountName": name}), ldap.result
    return dn


def _members_of(ldap, sam):
    return sorted(m.lower() for m in (read_user(ldap, sam, attributes=["memberOf"]) or {}).get("memberOf", []))


def _create(run, ou, *sams, **extra):
    res = run("ad_user", {"users": [dict({"name": "N " + s, "sam_account_name": s, "path": ou}, **extra)
                                    for s in sams]})
    assert res["summary"]["created"] == len(sams)
    return res


def _bind(lab, upn, password):
    """A simple bind as the user: (ok, the DC's message). A locked account answers data 775."""
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab["HYBRID_IDENTITY_CA_PATH"])
    server = ldap3.Server(lab["HYBRID_IDENTITY_DOMAIN_SERVER"], port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, upn, password)
    ok = conn.bind()
    message = conn.result.get("message") or ""
    conn.unbind()
    return ok, message


def test_lookup_failure_action_and_the_old_name(run, ldap, ou, uid):
    staff = _group(ldap, ou, "staff-" + uid)
    _create(run, ou, "lfa-" + uid, "lfo-" + uid)
    ghost = "no-such-group-" + uid
    users = [{"identity": "lfa-" + uid, "groups": {"add": ["staff-" + uid, ghost], "lookup_failure_action": "warn"}},
             {"identity": "lfo-" + uid, "groups": {"add": ["staff-" + uid, ghost], "lookup_failure": "ignore"}}]
    # the default (fail) still fails, naming the new option
    failed = run("ad_user", {"users": [{"identity": "lfa-" + uid, "groups": {"add": [ghost]}}]}, expect_failure=True)
    assert failed["failed"] and "groups.lookup_failure_action" in failed["users"][0]["error"]

    check = run("ad_user", {"users": users}, check=True)
    assert [u["action"] for u in check["users"]] == ["updated", "updated"]
    assert _members_of(ldap, "lfa-" + uid) == [] and _members_of(ldap, "lfo-" + uid) == []

    real = run("ad_user", {"users": users})
    assert real["changed"] and real["summary"]["failed"] == 0
    assert any(ghost in w for w in real.get("warnings", [])), real.get("warnings")
    assert _members_of(ldap, "lfa-" + uid) == [staff.lower()] == _members_of(ldap, "lfo-" + uid)

    again = run("ad_user", {"users": users})
    assert not again["changed"] and again["ldap_operations"]["writes"] == 0


def test_lastname_sets_sn(run, ldap, ou, uid):
    spec = {"name": "Last " + uid, "sam_account_name": "last-" + uid, "path": ou, "firstname": "Ann",
            "lastname": "Lee-" + uid}
    check = run("ad_user", {"users": [spec]}, check=True)
    assert check["users"][0]["action"] == "created" and read_user(ldap, "last-" + uid) is None
    assert run("ad_user", {"users": [spec]})["changed"]
    got = read_user(ldap, "last-" + uid)
    assert got["sn"] == ["Lee-" + uid] and got["givenName"] == ["Ann"]
    assert not run("ad_user", {"users": [spec]})["changed"]
    changed = run("ad_user", {"users": [dict(spec, lastname="Other")]})
    assert changed["users"][0]["changed_attributes"] == ["surname"]
    assert read_user(ldap, "last-" + uid)["sn"] == ["Other"]


def test_module_state_absent_with_a_per_user_override(run, ldap, ou, uid):
    _create(run, ou, "gone-" + uid, "kept-" + uid)
    args = {"state": "absent", "users": [{"identity": "gone-" + uid},
                                         {"identity": "kept-" + uid, "state": "present", "title": "stays"}]}
    check = run("ad_user", args, check=True)
    assert [u["action"] for u in check["users"]] == ["deleted", "updated"]
    assert read_user(ldap, "gone-" + uid) is not None and "title" not in read_user(ldap, "kept-" + uid)

    real = run("ad_user", args)
    assert [u["action"] for u in real["users"]] == ["deleted", "updated"]
    assert read_user(ldap, "gone-" + uid) is None
    assert read_user(ldap, "kept-" + uid)["title"] == ["stays"]

    again = run("ad_user", args)
    assert not again["changed"] and [u["action"] for u in again["users"]] == ["absent", "unchanged"]


def test_module_update_password_always_with_a_per_user_override(run, ldap, ou, uid, lab, tmp_path):
    _create(run, ou, "pwa-" + uid, "pwo-" + uid, password=PASSWORD)
    new = PASSWORD + "Z"
    args = {"update_password": "always",
            "users": [{"identity": "pwa-" + uid, "password": new},
                      {"identity": "pwo-" + uid, "password": new, "update_password": "on_create"}]}

    def works(sam, password):
        return kinit(lab, "%s@%s" % (sam, lab["LAB_REALM"]), password, tmp_path).returncode == 0

    check = run("ad_user", args, check=True)
    assert [u["action"] for u in check["users"]] == ["updated", "unchanged"]
    assert works("pwa-" + uid, PASSWORD), "check mode changed the password"

    real = run("ad_user", args)
    assert [u["action"] for u in real["users"]] == ["updated", "unchanged"]
    assert real["users"][0]["changed_attributes"] == ["password"]
    assert works("pwa-" + uid, new) and not works("pwa-" + uid, PASSWORD)
    assert works("pwo-" + uid, PASSWORD) and not works("pwo-" + uid, new)

    # always means every run resets it; the user overriding with on_create stays untouched
    again = run("ad_user", args)
    assert [u["action"] for u in again["users"]] == ["updated", "unchanged"]
    assert not run("ad_user", dict(args, update_password="on_create"))["changed"]


def test_account_locked_false_unlocks_a_locked_account(run, ldap, ou, uid, lab):
    sam = "lock-" + uid
    upn = "%s@%s" % (sam, lab["LAB_REALM"].lower())
    _create(run, ou, sam, password=PASSWORD, upn=upn)
    dn = read_user(ldap, sam)["dn"]
    assert _bind(lab, upn, PASSWORD)[0]
    # Samba lets an administrator write lockoutTime (Windows does not): the DC then refuses logons, data 775
    now = str(int((time.time() + 11644473600) * 10 ** 7))
    assert ldap.modify(dn, {"lockoutTime": [(ldap3.MODIFY_REPLACE, [now])]}), ldap.result
    ok, message = _bind(lab, upn, PASSWORD)
    assert not ok and "data 775" in message, message

    spec = {"identity": sam, "account_locked": False}
    check = run("ad_user", {"users": [spec]}, check=True, diff=True)
    assert check["changed"] and check["users"][0]["changed_attributes"] == ["account_locked"]
    assert check["diff"]["before"][sam] == {"account_locked": True}
    assert read_user(ldap, sam)["lockoutTime"] == [now] and not _bind(lab, upn, PASSWORD)[0]

    real = run("ad_user", {"users": [spec]})
    assert real["changed"] and real["users"][0]["action"] == "updated"
    assert read_user(ldap, sam)["lockoutTime"] == ["0"]
    assert _bind(lab, upn, PASSWORD)[0]

    again = run("ad_user", {"users": [spec]})
    assert not again["changed"] and again["ldap_operations"]["writes"] == 0

    # A lockout whose lockoutDuration has run out keeps its lockoutTime, but the DC no longer holds the
    # account locked: nothing to unlock, nothing written, and ad_user_info says it is not locked out.
    expired = str(int((time.time() - 86400 + 11644473600) * 10 ** 7))
    assert ldap.modify(dn, {"lockoutTime": [(ldap3.MODIFY_REPLACE, [expired])]}), ldap.result
    assert not run("ad_user", {"users": [spec]})["changed"]
    assert read_user(ldap, sam)["lockoutTime"] == [expired]
    assert run("ad_user_info", {"identity": [sam]})["users"][0]["locked_out"] is False
    assert _bind(lab, upn, PASSWORD)[0]      # (a successful logon is what clears lockoutTime then)
    assert ldap.modify(dn, {"lockoutTime": [(ldap3.MODIFY_REPLACE, [now])]}), ldap.result
    assert run("ad_user_info", {"identity": [sam]})["users"][0]["locked_out"] is True
    assert ldap.modify(dn, {"lockoutTime": [(ldap3.MODIFY_REPLACE, ["0"])]}), ldap.result

    # true cannot be done by an administrator: that user fails by name, the others converge
    refused = run("ad_user", {"users": [{"identity": sam, "account_locked": True},
                                        {"identity": sam + "-x", "name": "X " + uid, "sam_account_name": sam + "-x",
                                         "path": ou}]}, expect_failure=True)
    assert refused["failed"] and ("%s: cannot lock %s" % (sam, sam)) in refused["msg"]
    assert refused["users"][1]["action"] == "created" and read_user(ldap, sam + "-x") is not None
    assert read_user(ldap, sam)["lockoutTime"] == ["0"]


def test_distinguished_name_and_sid_match_the_directory(run, ldap, ou, uid):
    sam = "sid-" + uid
    check = run("ad_user", {"users": [{"name": "Sid " + uid, "sam_account_name": sam, "path": ou}]}, check=True)
    planned = check["users"][0]
    assert planned["distinguished_name"] == planned["dn"] == "CN=Sid %s,%s" % (uid, ou)
    assert planned["sid"] is None and read_user(ldap, sam) is None

    created = run("ad_user", {"users": [{"name": "Sid " + uid, "sam_account_name": sam, "path": ou}]})["users"][0]
    got = read_user(ldap, sam, attributes=["objectSid"])
    sid = format_sid(got["objectSid"][0])      # ldap3's own decoder, independent of the module's
    assert sid.startswith("S-1-5-21-")
    assert created["sid"] == sid and created["distinguished_name"] == created["dn"] == got["dn"]

    unchanged = run("ad_user", {"users": [{"identity": sam}]})["users"][0]
    assert unchanged["action"] == "unchanged" and unchanged["sid"] == sid
    assert unchanged["distinguished_name"] == got["dn"]

    # the sid finds the user again (microsoft.ad's rename example): renamed, not created a second time
    renamed = {"identity": sid, "name": "Sid renamed " + uid, "path": ou, "title": "by sid"}
    check = run("ad_user", {"users": [renamed]}, check=True)["users"][0]
    assert check["action"] == "updated" and read_user(ldap, sam)["dn"] == got["dn"]
    done = run("ad_user", {"users": [renamed]})["users"][0]
    after = read_user(ldap, sam)
    assert done["action"] == "updated" and after["dn"] == "CN=Sid renamed %s,%s" % (uid, ou) == done["distinguished_name"]
    assert after["title"] == ["by sid"] and done["sid"] == sid
    assert not run("ad_user", {"users": [renamed]})["changed"]

    info = run("ad_user_info", {"identity": [sid, sam]})
    assert info["count"] == 1 and info["missing"] == []
    assert info["users"][0]["sid"] == sid
    assert info["users"][0]["distinguished_name"] == info["users"][0]["dn"] == after["dn"]

    gone = run("ad_user", {"state": "absent", "users": [{"identity": sam}]})["users"][0]
    assert gone["action"] == "deleted" and gone["sid"] == sid and read_user(ldap, sam) is None
