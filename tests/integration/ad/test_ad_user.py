# -*- coding: utf-8 -*-
"""ad_user against the lab DC, in microsoft.ad's pattern: check mode -> nothing written (read
with ldap3 directly) -> real run -> verified from outside -> rerun -> not changed."""
import json
import secrets

from integration.ad.conftest import kinit, read_user

PASSWORD = "Lab!" + secrets.token_hex(6) + "Aa1"


def _group(ldap, ou, name):
    dn = "CN=%s,%s" % (name, ou)
    assert ldap.add(dn, ["top", "group"], {"sAMAccountName": name}), ldap.result
    return dn


def test_every_option_check_apply_rerun_update_delete(run, ldap, ou, uid, lab, tmp_path):
    staff = _group(ldap, ou, "staff-" + uid)
    sales = _group(ldap, ou, "sales-" + uid)
    sam = "full-" + uid
    spec = {
        "name": "Full Option " + uid, "path": ou, "sam_account_name": sam, "upn": "%s@corp.example.local" % sam,
        "given_name": "Full", "surname": "Option", "display_name": "Full Option (%s)" % uid,
        "email": "%s@contoso.com" % sam, "description": "every option", "title": "Engineer", "department": "IT",
        "company": "Contoso", "office": "HQ 1.23", "telephone_number": "+49 30 1234", "mobile": "+49 170 1234",
        "employee_id": "E-" + uid, "street": "Main St 1", "city": "Berlin", "state_province": "BE",
        "postal_code": "10115", "country": "DE", "web_page": "https://contoso.com",
        "attributes": {"set": {"otherTelephone": ["+1 555 0100", "+1 555 0101"], "employeeType": "staff"}},
        "groups": {"add": [staff, "sales-" + uid]}, "enabled": True, "password": PASSWORD,
        "password_never_expires": True, "password_expired": False,
    }
    check = run("ad_user", {"users": [spec]}, check=True, diff=True)
    assert check["changed"] and check["users"][0]["action"] == "created"
    assert check["users"][0]["object_guid"] is None
    assert check["diff"]["after"][spec["name"]]["password"] == "(hidden)"
    assert read_user(ldap, sam) is None, "check mode wrote"

    real = run("ad_user", {"users": [spec]}, diff=True)
    item = real["users"][0]
    assert real["changed"] and item["action"] == "created" and item["object_guid"]
    got = read_user(ldap, sam, attributes=["*", "objectGUID", "memberOf"])
    assert got["dn"] == "CN=Full Option %s,%s" % (uid, ou) == item["dn"]
    expected = {"givenName": "Full", "sn": "Option", "displayName": spec["display_name"], "mail": spec["email"],
                "description": "every option", "title": "Engineer", "department": "IT", "company": "Contoso",
                "physicalDeliveryOfficeName": "HQ 1.23", "telephoneNumber": "+49 30 1234", "mobile": "+49 170 1234",
                "employeeID": "E-" + uid, "streetAddress": "Main St 1", "l": "Berlin", "st": "BE", "postalCode": "10115",
                "c": "DE", "wWWHomePage": "https://contoso.com", "userPrincipalName": spec["upn"],
                "employeeType": "staff"}
    for attr, value in expected.items():
        assert got[attr] == [value], attr
    assert sorted(got["otherTelephone"]) == ["+1 555 0100", "+1 555 0101"]
    assert int(got["userAccountControl"][0]) == 512 | 65536
    assert sorted(m.lower() for m in got["memberOf"]) == sorted([staff.lower(), sales.lower()])
    import uuid
    assert str(uuid.UUID(bytes_le=got["objectGUID"][0])) == item["object_guid"]
    import base64
    assert base64.b64decode(item["immutable_id"]) == got["objectGUID"][0]
    assert kinit(lab, "%s@%s" % (sam, lab["LAB_REALM"]), PASSWORD, tmp_path).returncode == 0

    again = run("ad_user", {"users": [spec]})
    assert not again["changed"] and again["users"][0]["action"] == "unchanged"
    assert again["ldap_operations"]["writes"] == 0

    moved = dict(spec, name="Renamed " + uid, path="CN=Users," + lab["LAB_DOMAIN_DN"], title="Lead", mobile="",
                 enabled=False, password_never_expires=False, groups={"set": ["staff-" + uid]},
                 attributes={"add": {"otherTelephone": "+1 555 0102"}, "remove": {"otherTelephone": "+1 555 0100"},
                             "set": {"employeeType": None}})
    check = run("ad_user", {"users": [moved]}, check=True, diff=True)
    assert check["users"][0]["action"] == "updated"
    assert set(check["users"][0]["changed_attributes"]) >= {"name", "path", "title", "mobile", "enabled", "groups"}
    assert read_user(ldap, sam)["title"] == ["Engineer"]
    upd = run("ad_user", {"users": [moved]})
    assert upd["changed"]
    got = read_user(ldap, sam, attributes=["*", "memberOf"])
    assert got["dn"] == "CN=Renamed %s,CN=Users,%s" % (uid, lab["LAB_DOMAIN_DN"])
    assert got["title"] == ["Lead"] and "mobile" not in got and "employeeType" not in got
    assert sorted(got["otherTelephone"]) == ["+1 555 0101", "+1 555 0102"]
    assert int(got["userAccountControl"][0]) == 514
    assert [m.lower() for m in got["memberOf"]] == [staff.lower()]
    assert not run("ad_user", {"users": [moved]})["changed"]

    gone = run("ad_user", {"users": [{"identity": item["object_guid"], "state": "absent"}]}, check=True)
    assert gone["users"][0]["action"] == "deleted" and read_user(ldap, sam) is not None
    gone = run("ad_user", {"users": [{"identity": item["object_guid"], "state": "absent"}]})
    assert gone["changed"] and read_user(ldap, sam) is None
    assert not run("ad_user", {"users": [{"identity": sam, "state": "absent"}]})["changed"]


def test_names_unicode_apostrophe_long_display_and_derived_sams(run, ldap, ou, uid):
    display = ("Dr. Maximiliane Wolfenstein-Oberhausen " + uid)[:40]
    assert len(display) == 40
    users = [
        {"name": u"José Müller " + uid, "given_name": u"José", "surname": u"Müller", "path": ou},
        {"name": "Sean O'Brien " + uid, "given_name": "Sean", "surname": "O'Brien", "path": ou,
         "upn": "sean.obrien.%s@corp.example.local" % uid},
        {"name": "Wolfenstein, Maximiliane " + uid, "display_name": display, "given_name": "Maximiliane",
         "surname": "Wolfenstein-Oberhausen", "path": ou, "sam_account_name": "mw" + uid},
    ]
    check = run("ad_user", {"users": users}, check=True)
    sams = [u["sam_account_name"] for u in check["users"]]
    assert sams[1] == "sean.obrien." + uid and sams[2] == "mw" + uid
    assert check["summary"]["created"] == 3
    real = run("ad_user", {"users": users})
    assert [u["sam_account_name"] for u in real["users"]] == sams
    jose = read_user(ldap, sams[0])
    assert jose["cn"] == [u"José Müller " + uid] and jose["givenName"] == [u"José"]
    assert read_user(ldap, "mw" + uid)["displayName"] == [display]
    assert read_user(ldap, sams[1])["sn"] == ["O'Brien"]
    again = run("ad_user", {"users": users})
    assert not again["changed"] and again["summary"]["unchanged"] == 3


def test_sam_derivation_collides_predictably(run, ldap, ou, uid):
    # jose.muller may exist from other runs: the rule picks the next free number either way
    first = run("ad_user", {"users": [{"name": "Coll A " + uid, "given_name": "Zed" + uid, "surname": "Q", "path": ou},
                                      {"name": "Coll B " + uid, "given_name": "Zed" + uid, "surname": "Q",
                                       "path": ou}]})
    sams = [u["sam_account_name"] for u in first["users"]]
    assert sams == ["zed%s.q" % uid, "zed%s.q2" % uid]
    third = run("ad_user", {"users": [{"name": "Coll C " + uid, "given_name": "Zed" + uid, "surname": "Q",
                                       "path": ou}]})
    assert third["users"][0]["sam_account_name"] == "zed%s.q3" % uid


def test_duplicate_sams_in_input_and_against_directory(run, ldap, ou, uid):
    existing = "dup-" + uid
    run("ad_user", {"users": [{"name": "Existing " + uid, "sam_account_name": existing, "path": ou}]})
    users = [
        {"name": "Twin A " + uid, "sam_account_name": "twin-" + uid, "path": ou},
        {"name": "Twin B " + uid, "sam_account_name": "TWIN-" + uid, "upn": "twinb%s@corp.example.local" % uid,
         "path": ou},
        {"name": "Clash " + uid, "upn": "clash%s@corp.example.local" % uid, "sam_account_name": existing,
         "identity": "clash%s@corp.example.local" % uid, "path": ou},
        {"name": "Fine " + uid, "path": ou},
    ]
    result = run("ad_user", {"users": users}, expect_failure=True)
    assert result["failed"]
    by = dict((u["name"], u) for u in result["users"])
    assert by["Twin A " + uid]["action"] == "created"
    assert "also wanted by users[0]" in by["Twin B " + uid]["error"]
    assert "already in use by CN=Existing" in by["Clash " + uid]["error"]
    assert by["Fine " + uid]["action"] == "created"
    assert "Twin B " + uid in result["msg"] and "Clash " + uid in result["msg"]
    assert read_user(ldap, "twin-" + uid)["cn"] == ["Twin A " + uid]


def test_return_attributes_read_with_the_users(run, ldap, ou, uid):
    """return_attributes come from the searches that find the users (no extra LDAP operation), for
    existing users as found and for a created user as read back; check mode writes nothing."""
    attr = "msDS-cloudExtensionAttribute1"
    run("ad_user", {"users": [{"name": "Ret A " + uid, "sam_account_name": "reta-" + uid, "path": ou,
                               "attributes": {"set": {attr: "marker-" + uid}}}]})
    users = [{"name": "Ret A " + uid, "sam_account_name": "reta-" + uid, "path": ou},
             {"name": "Ret B " + uid, "sam_account_name": "retb-" + uid, "path": ou}]
    args = {"users": users, "return_attributes": [attr, "description"]}
    checked = run("ad_user", args, check=True)
    a, b = checked["users"]
    assert (a["action"], b["action"]) == ("unchanged", "created")
    assert a["attributes"] == {attr: "marker-" + uid, "description": None}
    assert b["attributes"] == {attr: None, "description": None}
    assert read_user(ldap, "retb-" + uid) is None
    # the same users without return_attributes cost the same searches (a new user's OU and mail
    # addresses are checked either way)
    same = run("ad_user", {"users": users}, check=True)
    assert "attributes" not in same["users"][0]
    assert checked["ldap_operations"] == same["ldap_operations"]
    plain = run("ad_user", {"users": users[:1]})
    assert "attributes" not in plain["users"][0]
    created = run("ad_user", args)
    assert created["users"][1]["action"] == "created" and created["users"][1]["attributes"][attr] is None
    assert created["users"][0]["attributes"][attr] == "marker-" + uid
    assert run("ad_user", args)["changed"] is False


def test_password_policy_rejection_names_the_user_and_others_converge(run, ldap, ou, uid):
    users = [{"name": "Weak " + uid, "sam_account_name": "weak-" + uid, "password": "abc", "path": ou},
             {"name": "Strong " + uid, "sam_account_name": "strong-" + uid, "password": PASSWORD, "path": ou}]
    result = run("ad_user", {"users": users}, expect_failure=True)
    weak, strong = result["users"]
    assert weak["action"] == "failed" and "password policy" in weak["error"] and "too short" in weak["error"]
    assert strong["action"] == "created"
    assert read_user(ldap, "weak-" + uid) is None          # a rejected add leaves nothing behind
    assert "abc" not in json.dumps(result).replace("abcd", "")


def test_missing_ou_is_clear(run, ldap, uid):
    missing = "OU=Nowhere-%s,%s" % (uid, ldap.base)
    result = run("ad_user", {"users": [{"name": "Lost " + uid, "path": missing}]}, expect_failure=True)
    assert result["failed"]
    assert "'%s' does not exist" % missing in result["users"][0]["error"]


def test_kerberos_proves_password_and_password_expired(run, ldap, ou, uid, lab, tmp_path):
    users = [{"name": "Krb Ok " + uid, "sam_account_name": "krbok-" + uid, "password": PASSWORD, "path": ou},
             {"name": "Krb Exp " + uid, "sam_account_name": "krbexp-" + uid, "password": PASSWORD, "path": ou,
              "password_expired": True}]
    result = run("ad_user", {"users": users})
    assert result["summary"]["created"] == 2
    ok = kinit(lab, "krbok-%s@%s" % (uid, lab["LAB_REALM"]), PASSWORD, tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = kinit(lab, "krbok-%s@%s" % (uid, lab["LAB_REALM"]), PASSWORD + "x", tmp_path)
    assert bad.returncode != 0
    expired = kinit(lab, "krbexp-%s@%s" % (uid, lab["LAB_REALM"]), PASSWORD, tmp_path)
    assert expired.returncode != 0
    assert "expired" in (expired.stderr + expired.stdout).lower(), expired.stderr
    assert read_user(ldap, "krbexp-" + uid)["pwdLastSet"] == ["0"]
    # clearing it makes the same password work, and the rerun is then quiet
    clear = [dict(users[1], password_expired=False)]
    assert run("ad_user", {"users": clear})["changed"]
    assert kinit(lab, "krbexp-%s@%s" % (uid, lab["LAB_REALM"]), PASSWORD, tmp_path).returncode == 0
    assert not run("ad_user", {"users": clear})["changed"]


def test_update_password_always_sets_a_new_password(run, ldap, ou, uid, lab, tmp_path):
    user = {"name": "Reset " + uid, "sam_account_name": "reset-" + uid, "password": PASSWORD, "path": ou}
    run("ad_user", {"users": [user]})
    new = PASSWORD + "Z"
    on_create = run("ad_user", {"users": [dict(user, password=new)]})
    assert not on_create["changed"]
    always = run("ad_user", {"users": [dict(user, password=new, update_password="always")]}, diff=True)
    assert always["changed"] and always["users"][0]["changed_attributes"] == ["password"]
    assert always["diff"]["after"]["Reset " + uid]["password"] == "(hidden)"
    assert kinit(lab, "reset-%s@%s" % (uid, lab["LAB_REALM"]), new, tmp_path).returncode == 0


def test_dc_down_is_clear_and_failover_works(run, uid):
    down = run("ad_user", {"users": [{"identity": "Administrator"}], "domain_server": ["127.0.0.1:1"]},
               expect_failure=True)
    assert down["failed"] and "127.0.0.1:1" in down["msg"] and "refused" in down["msg"]
    up = run("ad_user", {"users": [{"identity": "Administrator"}], "domain_server": ["127.0.0.1:1", "127.0.0.1"]})
    assert up["domain_controller"] == "127.0.0.1:636"
    assert up["users"][0]["action"] == "unchanged"


def test_no_secret_in_vvvv_output(ad_env, ou, uid):
    from integration.ansible_runner import run_playbook
    secret = "Vv!" + secrets.token_hex(8) + "Qq9"
    task = {"hybrid.identity.ad_user": {"users": [{"name": "Secret " + uid, "password": secret, "path": ou,
                                                   "update_password": "always"},
                                                  {"name": "Weak secret " + uid, "password": "s3" + uid, "path": ou}]},
            "ignore_errors": True}
    out = run_playbook([task, task], diff=True, verbosity=4, env=ad_env, raw_output=True)
    text = out.stdout + out.stderr
    assert "Secret " + uid in text
    assert secret not in text
    assert "s3" + uid not in text
    assert ad_env["HYBRID_IDENTITY_DOMAIN_PASSWORD"] not in text
