"""offboard_users end to end in the lab, checked from outside the collection: ldap3 for AD, the simulator's
state dump for the cloud, kinit (Samba KDC) and the password grant for sign-ins. The pattern is check mode ->
nothing changed -> real run -> verify -> rerun -> nothing written; then onboarding leaves the leavers alone."""
import csv
import json
import ssl
import urllib.parse
import urllib.request
import uuid

import pytest

import roles_lab
from roles_lab import admin, cloud_password_works, kinit, ldap_connect, report_rows, site

MARKER = "msDS-cloudExtensionAttribute2"


def play(lab, name, tmp, *args, check=False, diff=False):
    proc, recap = roles_lab.play(lab, name, tmp, *args, check=check, diff=diff)
    return proc, recap.get("localhost", "")


def cloud(lab, upn):
    return next((u for u in admin(lab, "/state")["users"] if u["userPrincipalName"].lower() == upn.lower()), None)


def ad_entry(lab, sam):
    conn = ldap_connect(lab)
    try:
        conn.search(site(lab)[3], "(sAMAccountName=%s)" % sam,
                    attributes=["userAccountControl", "memberOf", MARKER, "uSNChanged"])
        entry = conn.entries[0]
        return {"dn": entry.entry_dn, "uac": int(entry.userAccountControl.value),
                "groups": [str(g) for g in entry.memberOf.values], "marker": entry[MARKER].value,
                "usn": int(entry.uSNChanged.value)}
    finally:
        conn.unbind()


def set_marker(lab, sam, value):
    """Write the marker attribute from outside (an older offboarding, or someone else's use of it)."""
    conn = ldap_connect(lab)
    try:
        assert conn.modify(ad_entry(lab, sam)["dn"], {MARKER: [("MODIFY_REPLACE", [value])]}), conn.result
    finally:
        conn.unbind()


def ldap_add(lab, dn, attributes):
    conn = ldap_connect(lab)
    try:
        assert conn.add(dn, attributes=attributes), conn.result
    finally:
        conn.unbind()


def ldap_member(lab, group_dn, user_dn):
    conn = ldap_connect(lab)
    try:
        assert conn.modify(group_dn, {"member": [("MODIFY_ADD", [user_dn])]}), conn.result
    finally:
        conn.unbind()


@pytest.fixture()
def joiners(lab, tmp_path):
    """Three users onboarded by the onboarding job (A and B licensed), A in a group; an OU for leavers.
    Names carry a tag of their own: the lab's directory outlives a test."""
    admin(lab, "/reset", {})
    TAG = uuid.uuid4().hex[:5]
    base = site(lab)[3]
    rows = [{"given_name": "Off", "surname": "Alpha%s" % TAG, "username": "offa%s" % TAG,
             "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"},
            {"given_name": "Off", "surname": "Bravo%s" % TAG, "username": "offb%s" % TAG,
             "licenses": ["O365_BUSINESS_PREMIUM"], "usage_location": "US"},
            {"given_name": "Off", "surname": "Charlie%s" % TAG, "username": "offc%s" % TAG}]
    vars_file = tmp_path / "joiners.json"
    vars_file.write_text(json.dumps({"users": rows}))
    proc, _recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % vars_file)
    assert proc.returncode == 0, proc.stdout[-3000:]
    passwords = dict((r["sam_account_name"], r["password"]) for r in csv.DictReader(
        (tmp_path / "hybrid_identity_reports" / "onboard_new_users-passwords.csv").open()))
    group = "CN=Off Team %s,CN=Users,%s" % (TAG, base)
    ldap_add(lab, group, {"objectClass": ["top", "group"], "sAMAccountName": "offteam%s" % TAG})
    ldap_member(lab, group, ad_entry(lab, "offa%s" % TAG)["dn"])
    leavers = "OU=Leavers %s,%s" % (TAG, base)
    ldap_add(lab, leavers, {"objectClass": ["top", "organizationalUnit"]})
    return {"vars": vars_file, "passwords": passwords, "group": group, "ou": leavers, "tag": TAG}


def upn_of(lab, sam):
    conn = ldap_connect(lab)
    try:
        conn.search(site(lab)[3], "(sAMAccountName=%s)" % sam, attributes=["userPrincipalName"])
        return str(conn.entries[0].userPrincipalName.value)
    finally:
        conn.unbind()


def test_offboard_check_mode_run_rerun_and_onboarding_leaves_them_alone(lab, joiners, tmp_path):
    a, b, c = ("off%s%s" % (x, joiners["tag"]) for x in "abc")
    upn_a, upn_b = upn_of(lab, a), upn_of(lab, b)
    assert cloud_password_works(lab, upn_a, joiners["passwords"][a]) == "ok"
    leavers = tmp_path / "leavers.json"
    # A by sAMAccountName, B by its cloud UPN (its AD user is found through the link)
    leavers.write_text(json.dumps({"users": [a, upn_b], "move_to": joiners["ou"], "remove_groups": True}))
    before = dict((s, ad_entry(lab, s)) for s in (a, b, c))

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers, check=True, diff=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "changed=1" in recap
    assert "plan: 2 of 2 users to create or change" in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    assert dict((s, ad_entry(lab, s)) for s in (a, b, c)) == before
    assert not (tmp_path / "hybrid_identity_reports" / "offboard_users-record.jsonl").exists()

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    # per user: block, revoke, licence removal in the cloud
    assert admin(lab, "/counters")["totals"]["writes"] == 6
    for sam, upn in ((a, upn_a), (b, upn_b)):
        entry = ad_entry(lab, sam)
        assert entry["uac"] & 2, sam
        assert entry["dn"].endswith(joiners["ou"]), entry["dn"]
        assert entry["groups"] == []
        assert entry["marker"].startswith("hybrid.identity offboarded 20")
        user = cloud(lab, upn)
        assert user["accountEnabled"] is False
        assert user["assignedLicenses"] == []
        assert user["signInSessionsValidFromDateTime"]
        assert user["onPremisesImmutableId"]   # the link stays
    assert ad_entry(lab, c) == before[c]
    code, output = kinit(lab, a, joiners["passwords"][a])
    assert code != 0 and "revoked" in output.lower(), output
    assert "50057" in cloud_password_works(lab, upn_a, joiners["passwords"][a])   # AADSTS50057: the account is disabled
    record = [json.loads(line) for line in
              (tmp_path / "hybrid_identity_reports" / "offboard_users-record.jsonl").read_text().splitlines()]
    by_upn = dict((r["upn"].lower(), r) for r in record)
    assert by_upn[upn_a.lower()]["groups"] == [joiners["group"]]
    assert by_upn[upn_a.lower()]["ad_path"] == "CN=Users,%s" % site(lab)[3]
    assert len(by_upn[upn_b.lower()]["sku_ids"]) == 1
    rows = report_rows(tmp_path, "offboard_users")
    assert sorted(r["status"] for r in rows) == ["updated", "updated"], rows

    admin(lab, "/counters/reset", {})
    after = dict((s, ad_entry(lab, s)) for s in (a, b))
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "changed=0" in recap, recap
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    assert dict((s, ad_entry(lab, s)) for s in (a, b)) == after

    # The onboarding CSV run again: the leavers are neither enabled nor licensed, and say why.
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % joiners["vars"])
    assert proc.returncode != 0
    assert "was offboarded on" in proc.stdout and "restore_users" in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    assert cloud(lab, upn_a)["assignedLicenses"] == [] and cloud(lab, upn_a)["accountEnabled"] is False
    assert ad_entry(lab, a)["uac"] & 2

    # Named in reactivate, A comes back on both sides (the marker cleared); B stays offboarded.
    reactivate = tmp_path / "reactivate.json"
    reactivate.write_text(json.dumps(dict(json.loads(joiners["vars"].read_text()), reactivate=[a])))
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % reactivate)
    assert proc.returncode != 0, proc.stdout[-3000:]   # B still refused
    assert "offb%s" % joiners["tag"] in proc.stdout and "was offboarded on" in proc.stdout
    entry = ad_entry(lab, a)
    assert not entry["uac"] & 2 and entry["marker"] is None
    assert cloud(lab, upn_a)["accountEnabled"] is True and len(cloud(lab, upn_a)["assignedLicenses"]) == 1
    assert ad_entry(lab, b)["uac"] & 2 and cloud(lab, upn_b)["accountEnabled"] is False


def test_offboard_refuses_unknown_names_and_protected_accounts_before_any_write(lab, joiners, tmp_path):
    TAG = joiners["tag"]
    leavers = tmp_path / "leavers.json"
    leavers.write_text(json.dumps({"users": ["offa%s" % TAG, "nobody-%s@example.com" % TAG]}))
    admin(lab, "/counters/reset", {})
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode != 0
    assert "No AD or cloud user is named nobody-%s@example.com" % TAG in proc.stdout, proc.stdout[-3000:]
    leavers.write_text(json.dumps({"users": ["offa%s" % TAG, "Administrator"]}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode != 0
    assert "protected group (adminCount=1" in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    assert not ad_entry(lab, "offa%s" % TAG)["uac"] & 2
    # the disabled accounts of the whole domain, planned: krbtgt and Guest (built in, disabled) are never taken
    scope = tmp_path / "scope.json"
    scope.write_text(json.dumps({"disabled_accounts": True}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % scope, check=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    names = [r["name"].casefold() for r in report_rows(tmp_path, "offboard_users", check=True)]
    assert "krbtgt" not in names and "guest" not in names
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    # the marker attribute in use for something else: never overwritten
    c = "offc%s" % TAG
    set_marker(lab, c, "cost centre 42")
    leavers.write_text(json.dumps({"users": [c]}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode != 0 and "which is not an offboarded marker" in proc.stdout, proc.stdout[-3000:]
    assert ad_entry(lab, c)["marker"] == "cost centre 42" and not ad_entry(lab, c)["uac"] & 2


def test_restore_undoes_the_offboarding_from_its_record(lab, joiners, tmp_path):
    a = "offa%s" % joiners["tag"]
    upn_a = upn_of(lab, a)
    before = ad_entry(lab, a)
    sku_before = [l["skuId"] for l in cloud(lab, upn_a)["assignedLicenses"]]
    leavers = tmp_path / "leavers.json"
    leavers.write_text(json.dumps({"users": [a], "move_to": joiners["ou"], "remove_groups": True}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert ad_entry(lab, a)["uac"] & 2

    who = tmp_path / "who.json"
    who.write_text(json.dumps({"users": [upn_a]}))
    admin(lab, "/counters/reset", {})
    offboarded = ad_entry(lab, a)
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who, check=True, diff=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "changed=1" in recap and "plan: 1 of 1 users" in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0 and ad_entry(lab, a) == offboarded

    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode == 0, proc.stdout[-3000:]
    entry = ad_entry(lab, a)
    assert not entry["uac"] & 2 and entry["marker"] is None
    assert entry["dn"] == before["dn"] and entry["groups"] == before["groups"] == [joiners["group"]]
    user = cloud(lab, upn_a)
    assert user["accountEnabled"] is True and [l["skuId"] for l in user["assignedLicenses"]] == sku_before
    code, output = kinit(lab, a, joiners["passwords"][a])
    assert code == 0, output
    record = (tmp_path / "hybrid_identity_reports" / "offboard_users-record.jsonl").read_text().splitlines()
    assert json.loads(record[-1])["restored"]

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    # restored, the user is onboarding's like any other again
    proc, recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % joiners["vars"])
    assert proc.returncode == 0 and "changed=0" in recap and "was offboarded" not in proc.stdout, proc.stdout[-3000:]


def test_restore_refuses_a_user_the_record_does_not_hold(lab, joiners, tmp_path):
    who = tmp_path / "who.json"
    who.write_text(json.dumps({"users": ["offc%s" % joiners["tag"]]}))
    proc, _recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode != 0
    assert "has no offboarding in the restore record" in proc.stdout, proc.stdout[-3000:]


def test_retention_deletes_both_sides_behind_the_delete_limits(lab, joiners, tmp_path):
    a, b = "offa%s" % joiners["tag"], "offb%s" % joiners["tag"]
    upn_a, upn_b = upn_of(lab, a), upn_of(lab, b)
    leavers = tmp_path / "leavers.json"
    leavers.write_text(json.dumps({"users": [a, b]}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    # A was offboarded 40 days ago (its marker says so), B today
    set_marker(lab, a, "hybrid.identity offboarded 2026-10-01T00:00:00Z")
    due = tmp_path / "due.json"
    due.write_text(json.dumps({"users": [a, b], "delete_after_days": 30, "max_deletes": 0}))
    admin(lab, "/counters/reset", {})
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % due)
    assert proc.returncode != 0
    assert "max_deletes" in proc.stdout and "nothing was written" in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0

    due.write_text(json.dumps({"users": [a, b], "delete_after_days": 30}))
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % due, check=True)
    assert proc.returncode == 0 and "changed=1" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0 and cloud(lab, upn_a) is not None

    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % due)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert cloud(lab, upn_a) is None
    assert any(u["userPrincipalName"].lower() == upn_a.lower() for u in admin(lab, "/state")["deletedItems"])
    conn = ldap_connect(lab)
    try:
        conn.search(site(lab)[3], "(sAMAccountName=%s)" % a, attributes=["cn"])
        assert conn.entries == []
    finally:
        conn.unbind()
    assert cloud(lab, upn_b)["accountEnabled"] is False and ad_entry(lab, b)["uac"] & 2   # not due: kept

    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % due)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0
    rows = dict((r["name"], r) for r in report_rows(tmp_path, "offboard_users"))
    excluded = [r for r in rows.values() if r["status"] == "excluded"]
    assert len(excluded) == 1 and "after 30 days offboarded" in excluded[0]["reason"], rows


def graph_delete(lab, user_id):
    """Delete a cloud user with an app token (as an administrator would in the portal): it goes to deleted items."""
    ctx = ssl.create_default_context(cafile=lab["HYBRID_IDENTITY_CA_PATH"])
    data = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": lab["AZURE_CLIENT_ID"],
                                   "client_secret": lab["AZURE_CLIENT_SECRET"],
                                   "scope": lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/.default"}).encode()
    url = "%s/%s/oauth2/v2.0/token" % (lab["AZURE_AUTHORITY_HOST"], lab["AZURE_TENANT_ID"])
    token = json.load(urllib.request.urlopen(urllib.request.Request(url, data=data), context=ctx))["access_token"]
    request = urllib.request.Request("%s/v1.0/users/%s" % (lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"], user_id),
                                     method="DELETE", headers={"Authorization": "Bearer " + token})
    assert urllib.request.urlopen(request, context=ctx).status == 204


def test_restore_brings_a_deleted_cloud_account_back_with_its_id(lab, joiners, tmp_path):
    a = "offa%s" % joiners["tag"]
    upn_a = upn_of(lab, a)
    leavers = tmp_path / "leavers.json"
    leavers.write_text(json.dumps({"users": [a]}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    old = cloud(lab, upn_a)
    graph_delete(lab, old["id"])
    assert cloud(lab, upn_a) is None
    who = tmp_path / "who.json"
    who.write_text(json.dumps({"users": [old["id"]]}))   # the cloud object id: only the record still knows it
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who, check=True)
    assert proc.returncode == 0 and "changed=1" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0 and cloud(lab, upn_a) is None
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode == 0, proc.stdout[-3000:]
    back = cloud(lab, upn_a)
    assert back["id"] == old["id"] and back["onPremisesImmutableId"] == old["onPremisesImmutableId"]
    assert back["accountEnabled"] is True and len(back["assignedLicenses"]) == 1
    assert not ad_entry(lab, a)["uac"] & 2 and ad_entry(lab, a)["marker"] is None
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]


def test_a_block_without_its_revoke_is_finished_by_the_rerun(lab, joiners, tmp_path):
    """A run that blocked the account but did not revoke (here: revoke_sessions=false, as a run stopped between
    the two) leaves Graph's signInSessionsValidFromDateTime older than the marker: the next run revokes, once."""
    a = "offa%s" % joiners["tag"]
    upn_a = upn_of(lab, a)
    leavers = tmp_path / "leavers.json"
    leavers.write_text(json.dumps({"users": [a], "revoke_sessions": False}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert cloud(lab, upn_a)["accountEnabled"] is False and not cloud(lab, upn_a).get("signInSessionsValidFromDateTime")
    leavers.write_text(json.dumps({"users": [a]}))
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0 and "changed=1" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 1 and cloud(lab, upn_a)["signInSessionsValidFromDateTime"]
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0


def test_a_deleted_linked_cloud_account_is_not_replaced_by_a_duplicate(lab, joiners, tmp_path):
    """The onboarding CSV again after someone deleted a linked cloud account in the portal: the user fails,
    naming the missing account and the fix; no second account is created or licensed."""
    c = "offc%s" % joiners["tag"]
    upn_c = upn_of(lab, c)
    old = cloud(lab, upn_c)
    graph_delete(lab, old["id"])
    admin(lab, "/counters/reset", {})
    proc, _recap = play(lab, "onboard_new_users", tmp_path, "-e", "@%s" % joiners["vars"])
    assert proc.returncode != 0
    assert "is linked to the cloud account %s" % old["id"] in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0 and cloud(lab, upn_c) is None
    rows = dict((r["upn"].lower(), r) for r in report_rows(tmp_path, "onboard_new_users"))
    assert rows[upn_c.lower()]["status"] == "failed"
    assert rows[upn_of(lab, "offa%s" % joiners["tag"]).lower()]["status"] == "unchanged"
    # method 2 for the same AD user: the same refusal, no account
    adds = tmp_path / "adds.json"
    adds.write_text(json.dumps({"ad_users": [c], "usage_location": "US"}))
    proc, _recap = play(lab, "add_cloud_accounts", tmp_path, "-e", "@%s" % adds)
    assert proc.returncode != 0 and "is linked to the cloud account %s" % old["id"] in proc.stdout, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0 and cloud(lab, upn_c) is None


def test_restore_after_the_retention_reanimates_the_ad_user_and_brings_back_both(lab, joiners, tmp_path):
    a = "offa%s" % joiners["tag"]
    upn_a = upn_of(lab, a)
    before, old = ad_entry(lab, a), cloud(lab, upn_a)
    conn = ldap_connect(lab)
    try:
        conn.search(before["dn"], "(objectClass=user)", attributes=["objectGUID"], search_scope="BASE")
        guid = conn.entries[0].objectGUID.raw_values[0]
    finally:
        conn.unbind()
    leavers = tmp_path / "leavers.json"
    leavers.write_text(json.dumps({"users": [a], "move_to": joiners["ou"], "remove_groups": True}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    set_marker(lab, a, "hybrid.identity offboarded 2026-10-01T00:00:00Z")
    leavers.write_text(json.dumps({"users": [a], "delete_after_days": 30}))
    proc, _recap = play(lab, "offboard_users", tmp_path, "-e", "@%s" % leavers)
    assert proc.returncode == 0 and cloud(lab, upn_a) is None, proc.stdout[-3000:]

    who = tmp_path / "who.json"
    who.write_text(json.dumps({"users": [a]}))   # its sAMAccountName: neither directory knows it, the record does
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who, check=True)
    assert proc.returncode == 0 and "changed=1" in recap, proc.stdout[-3000:]
    assert admin(lab, "/counters")["totals"]["writes"] == 0 and cloud(lab, upn_a) is None
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode == 0, proc.stdout[-3000:]
    entry = ad_entry(lab, a)
    assert entry["dn"] == before["dn"] and not entry["uac"] & 2 and entry["groups"] == [joiners["group"]]
    conn = ldap_connect(lab)
    try:
        conn.search(entry["dn"], "(objectClass=user)", attributes=["objectGUID", "userPrincipalName",
                                                                   "msDS-cloudExtensionAttribute1"], search_scope="BASE")
        back = conn.entries[0]
        assert back.objectGUID.raw_values[0] == guid and str(back.userPrincipalName.value) == upn_a
        assert str(back["msDS-cloudExtensionAttribute1"].value) == old["id"]   # the link, which no tombstone keeps
    finally:
        conn.unbind()
    user = cloud(lab, upn_a)
    assert user["id"] == old["id"] and user["accountEnabled"] is True and len(user["assignedLicenses"]) == 1
    proc, recap = play(lab, "restore_users", tmp_path, "-e", "@%s" % who)
    assert proc.returncode == 0 and "changed=0" in recap, proc.stdout[-3000:]
