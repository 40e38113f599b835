# -*- coding: utf-8 -*-
"""Users whose names hold RFC 4514 special characters, against the real Samba DC: created, a rerun
finds them unchanged (no write), an update reaches them, all read back from outside with ldap3.

Samba writes such DNs back with its own escapes (CN=Who\\? Me, \\3D, \\3B...) and ldap3 doubles the
backslash of an escape it does not know, so before the fix a user named "Who? Me" could be created
but never found or changed again ("does not exist" on every rerun)."""
import ldap3

from integration.ad.conftest import read_user

# The CN values (%s: the test's tag); every RFC 4514 special, and ? and = (which Samba escapes).
NAMES = ["Who? Me %s", "A, B %s", "C+D %s", 'E"F %s', "G\\H %s", "<I> %s", "J;K %s", "#L%s", " M%s", "N%s ",
         "M=N %s", "O#P %s", "Ünï? Çødé %s"]


def _spec(name, index, uid, ou, **extra):
    sam = "dn%d-%s" % (index, uid)
    return dict({"name": name % uid, "path": ou, "sam_account_name": sam, "upn": "%s@corp.example.local" % sam,
                 "given_name": "Dn", "surname": "Special%d" % index, "enabled": False}, **extra)


def _by_sam(ldap, ou, sams):
    ok = ldap.search(ou, "(objectClass=user)", ldap3.LEVEL, attributes=["sAMAccountName", "cn", "title"])
    assert ok, ldap.result
    out = {}
    for entry in ldap.response:
        if entry.get("type") == "searchResEntry":
            raw = entry["raw_attributes"]
            out[raw["sAMAccountName"][0].decode()] = dict(
                dn=entry["dn"], cn=raw["cn"][0].decode(), title=raw["title"][0].decode() if raw.get("title") else None)
    return dict((s, out.get(s)) for s in sams)


def test_special_characters_in_names_create_rerun_update(run, ldap, ou, uid):
    specs = [_spec(name, i, uid, ou) for i, name in enumerate(NAMES)]
    sams = [s["sam_account_name"] for s in specs]

    created = run("ad_user", {"users": specs})
    assert [u["action"] for u in created["users"]] == ["created"] * len(NAMES), created["users"]
    found = _by_sam(ldap, ou, sams)
    for spec in specs:
        got = found[spec["sam_account_name"]]
        assert got is not None and got["cn"] == spec["name"], (spec["name"], got)
    # The server's own spelling of these DNs (Samba escapes ? and =, which we do not).
    assert "\\?" in found[sams[0]]["dn"] or "\\3F" in found[sams[0]]["dn"].upper(), found[sams[0]]["dn"]

    again = run("ad_user", {"users": specs})
    assert not again["changed"], again["users"]
    assert [u["action"] for u in again["users"]] == ["unchanged"] * len(NAMES)
    assert again["ldap_operations"]["writes"] == 0

    updated = run("ad_user", {"users": [dict(s, title="Title %d" % i) for i, s in enumerate(specs)]})
    assert [u["action"] for u in updated["users"]] == ["updated"] * len(NAMES), updated["users"]
    found = _by_sam(ldap, ou, sams)
    assert [found[s]["title"] for s in sams] == ["Title %d" % i for i in range(len(NAMES))]

    # renamed to another special name and back: modify DN through the server's spelling
    renamed = run("ad_user", {"users": [dict(specs[0], name="Why? Not %s" % uid)]})
    assert renamed["users"][0]["action"] == "updated", renamed["users"]
    assert read_user(ldap, sams[0])["cn"] == ["Why? Not %s" % uid]

    # and the users can be deleted by the module (state=absent finds them by their DN); more than 10 of a fresh
    # lab's few dozen users is over the default share limit (max_delete_percent=10), raised for the test's own
    gone = run("ad_user", {"users": [{"sam_account_name": s, "state": "absent"} for s in sams],
                           "max_delete_percent": 100})
    assert [u["action"] for u in gone["users"]] == ["deleted"] * len(NAMES), gone["users"]
    assert all(read_user(ldap, s) is None for s in sams)
