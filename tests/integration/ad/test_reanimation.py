"""What the lab's Samba (4.17 on Debian 12, 4.22 on Debian 13) does with a deleted user, measured over LDAP as
docs/offboarding.md describes it: where the tombstone is, which attributes it keeps without the AD Recycle Bin,
and that reanimating it (the Show Deleted control, isDeleted removed, a new distinguishedName) brings back the
same objectGUID, so a cloud account's anchor and the restore record still match it."""
import ldap3

SHOW_DELETED = ("1.2.840.113556.1.4.417", True, None)
LINK = "msDS-cloudExtensionAttribute1"
MARKER = "msDS-cloudExtensionAttribute2"


def test_a_deleted_user_is_a_tombstone_that_reanimates_with_its_guid(ldap, ou, uid):
    dn = "CN=Rean %s,%s" % (uid, ou)
    group = "CN=Rean Group %s,%s" % (uid, ou)
    assert ldap.add(dn, ["top", "person", "organizationalPerson", "user"], {
        "sAMAccountName": "rean%s" % uid, "userPrincipalName": "rean%s@corp.example.com" % uid, "givenName": "Rean",
        "sn": uid, "displayName": "Rean %s" % uid, "department": "Leavers", LINK: "6d1f1b7e-0000-4c38-9f2a-0a1b2c3d4e5f",
        MARKER: "hybrid.identity offboarded 2026-12-01T00:00:00Z", "userAccountControl": "514"}), ldap.result
    assert ldap.add(group, ["top", "group"], {"sAMAccountName": "reang%s" % uid, "member": [dn]}), ldap.result
    ldap.search(dn, "(objectClass=user)", ldap3.BASE, attributes=["objectGUID", "objectSid"])
    guid, sid = ldap.entries[0].objectGUID.raw_values[0], ldap.entries[0].objectSid.raw_values[0]
    assert ldap.delete(dn), ldap.result

    # the tombstone: in Deleted Objects, found only with the Show Deleted control
    ldap.search(ldap.base, "(sAMAccountName=rean%s)" % uid, attributes=["cn"])
    assert not ldap.entries
    assert ldap.search(ldap.base, "(&(isDeleted=TRUE)(objectGUID=%s))" % ldap3.utils.conv.escape_bytes(guid),
                       attributes=["*"], controls=[SHOW_DELETED])
    tomb = ldap.entries[0]
    assert "CN=Deleted Objects," in tomb.entry_dn
    kept = set(tomb.entry_attributes)
    # without the Recycle Bin (off in a new Samba domain) the names, the link and the marker are gone; the
    # identity (GUID, SID, sAMAccountName) stays
    assert {"objectGUID", "objectSid", "sAMAccountName"} <= kept
    assert not {"userPrincipalName", "givenName", "department", LINK, MARKER} & kept, kept
    ldap.search(group, "(objectClass=group)", ldap3.BASE, attributes=["member"])
    assert ldap.entries[0].member.values == []   # memberships are links: never in a tombstone

    # reanimation: remove isDeleted and give it a DN, in one modify with the Show Deleted control
    assert ldap.modify(tomb.entry_dn, {"isDeleted": [(ldap3.MODIFY_DELETE, [])],
                                       "distinguishedName": [(ldap3.MODIFY_REPLACE, [dn])]},
                       controls=[SHOW_DELETED]), ldap.result
    ldap.search(dn, "(objectClass=user)", ldap3.BASE, attributes=["objectGUID", "objectSid", "sAMAccountName",
                                                                 "userPrincipalName", LINK])
    back = ldap.entries[0]
    assert back.objectGUID.raw_values[0] == guid and back.objectSid.raw_values[0] == sid
    assert str(back.sAMAccountName.value) == "rean%s" % uid
    assert back.userPrincipalName.value is None and back[LINK].value is None


def test_ad_user_restore_check_mode_restore_rerun_and_unknown(run, ldap, ou, uid):
    dn = "CN=Mod Rean %s,%s" % (uid, ou)
    assert ldap.add(dn, ["top", "person", "organizationalPerson", "user"], {
        "sAMAccountName": "mrean%s" % uid, "userAccountControl": "514"}), ldap.result
    created = run("ad_user_info", {"identity": ["mrean%s" % uid]})["users"][0]
    guid = created["object_guid"]
    assert ldap.delete(dn), ldap.result

    check = run("ad_user_restore", {"users": [{"identity": guid}]}, check=True, diff=True)
    item = check["users"][0]
    assert check["changed"] and item["action"] == "updated" and item["dn"] == dn and "restored" in item["changed_attributes"]
    ldap.search(ou, "(sAMAccountName=mrean%s)" % uid, attributes=["cn"])
    assert not ldap.entries, "check mode wrote"

    real = run("ad_user_restore", {"users": [{"identity": "{%s}" % guid}]})
    assert real["changed"] and real["users"][0]["action"] == "updated"
    again = run("ad_user_info", {"identity": ["mrean%s" % uid]})["users"][0]
    assert again["object_guid"] == guid and again["dn"] == dn and again["enabled"] is False

    rerun = run("ad_user_restore", {"users": [{"identity": guid}]})
    assert not rerun["changed"] and rerun["users"][0]["action"] == "unchanged"

    gone = run("ad_user_restore", {"users": [{"identity": "00000000-1111-2222-3333-444444444444"}]},
               expect_failure=True)
    assert gone["failed"] and "no deleted object has the objectGUID" in gone["users"][0]["error"]
