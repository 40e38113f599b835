"""cloud_user against the Graph tenant simulator: check mode -> verify -> run -> verify -> rerun."""
import pytest

from cloud_helpers import by_name, run, run_fail, run_ok

M = "hybrid.identity.cloud_user"
PW = "Fresh-Passw0rd!42"
FULL = {
    "user_principal_name": "jane.doe@corp.example.com", "given_name": "Jane", "surname": "Doe",
    "display_name": "Jane Doe (IT)", "mail_nickname": "jdoe", "account_enabled": True, "usage_location": "dk",
    "job_title": "Engineer", "department": "IT", "office_location": "HQ 2.14", "business_phones": ["+45 1234 5678"],
    "mobile_phone": "+45 8765 4321", "employee_id": "E2001", "company_name": "Corp Example",
    "street_address": "Main Street 1", "city": "Aarhus", "state_province": "Midtjylland", "postal_code": "8000",
    "country": "Denmark", "on_premises_immutable_id": "MyIRAFVEd2aImaq7zN3u/w==x", "password": PW,
    "force_change_password_next_sign_in": False, "password_policies": ["DisablePasswordExpiration"],
}
MINIMAL = {"user_principal_name": "min.user@corp.example.com", "password": PW}


def writes(sim):
    return sim.counters()["totals"]["writes"]


def test_create_check_mode_writes_nothing(sim, cloud_lab):
    sim.reset_counters()
    res = run_ok(M, {"users": [FULL, MINIMAL]}, cloud_lab, check=True, diff=True)
    assert res["changed"] is True
    assert [u["action"] for u in res["users"]] == ["created", "created"]
    assert res["diff"]["after"]["jane.doe@corp.example.com"]["password"] == "(hidden)"
    assert "jane.doe@corp.example.com" not in sim.users()
    assert writes(sim) == 0


def test_create_sets_every_option(sim, cloud_lab):
    res = run_ok(M, {"users": [FULL, MINIMAL]}, cloud_lab, diff=True)
    assert res["summary"]["created"] == 2
    users = sim.users()
    jane = users["jane.doe@corp.example.com"]
    expected = {"givenName": "Jane", "surname": "Doe", "displayName": "Jane Doe (IT)", "mailNickname": "jdoe",
                "accountEnabled": True, "usageLocation": "DK", "jobTitle": "Engineer", "department": "IT",
                "officeLocation": "HQ 2.14", "businessPhones": ["+45 1234 5678"], "mobilePhone": "+45 8765 4321",
                "employeeId": "E2001", "companyName": "Corp Example", "streetAddress": "Main Street 1",
                "city": "Aarhus", "state": "Midtjylland", "postalCode": "8000", "country": "Denmark",
                "onPremisesImmutableId": "MyIRAFVEd2aImaq7zN3u/w==x", "passwordPolicies": "DisablePasswordExpiration"}
    for key, value in expected.items():
        assert jane[key] == value, key
    assert by_name(res)["jane.doe@corp.example.com"]["id"] == jane["id"]
    mini = users["min.user@corp.example.com"]
    assert (mini["mailNickname"], mini["displayName"], mini["accountEnabled"]) == ("min.user", "min.user", True)
    assert sim.password_works("jane.doe@corp.example.com", PW)[0]
    assert sim.password_works("min.user@corp.example.com", PW)[0]


def test_rerun_is_unchanged_and_writes_nothing(sim, cloud_lab):
    sim.reset_counters()
    res = run_ok(M, {"users": [FULL, MINIMAL]}, cloud_lab)
    assert res["changed"] is False and res["summary"]["unchanged"] == 2
    assert writes(sim) == 0


def test_update_and_clear_check_then_run(sim, cloud_lab):
    change = {"user_principal_name": "jane.doe@corp.example.com", "job_title": "Lead Engineer",
              "on_premises_immutable_id": "", "business_phones": [], "password_policies": [],
              "account_enabled": False}
    sim.reset_counters()
    res = run_ok(M, {"users": [change]}, cloud_lab, check=True, diff=True)
    item = res["users"][0]
    assert item["action"] == "updated"
    assert item["changed_attributes"] == sorted(["job_title", "on_premises_immutable_id", "business_phones",
                                                 "password_policies", "account_enabled"])
    assert res["diff"]["before"]["jane.doe@corp.example.com"]["job_title"] == "Engineer"
    assert writes(sim) == 0 and sim.users()["jane.doe@corp.example.com"]["jobTitle"] == "Engineer"
    run_ok(M, {"users": [change]}, cloud_lab)
    jane = sim.users()["jane.doe@corp.example.com"]
    assert (jane["jobTitle"], jane["onPremisesImmutableId"], jane["businessPhones"], jane["accountEnabled"]) == \
        ("Lead Engineer", None, [], False)
    assert jane["passwordPolicies"] in (None, "None")
    assert run_ok(M, {"users": [change]}, cloud_lab)["changed"] is False


def test_update_password_always_and_force_change(sim, cloud_lab):
    new_pw = "Rotated-Passw0rd!77"
    spec = {"user_principal_name": "min.user@corp.example.com", "password": new_pw,
            "force_change_password_next_sign_in": True}
    res = run_ok(M, {"users": [spec]}, cloud_lab)
    assert res["changed"] is False                                  # on_create: the password is left alone
    assert sim.password_works("min.user@corp.example.com", PW)[0]
    res = run_ok(M, {"users": [spec], "update_password": "always"}, cloud_lab, diff=True)
    assert res["users"][0]["changed_attributes"] == ["password"]
    assert new_pw not in str(res)
    ok, error = sim.password_works("min.user@corp.example.com", new_pw)
    assert not ok and "50055" in error                              # must change it first
    assert sim.users()["min.user@corp.example.com"]["_forceChangePasswordNextSignIn"] is True


def test_rename_by_id(sim, cloud_lab):
    uid = sim.users()["min.user@corp.example.com"]["id"]
    res = run_ok(M, {"users": [{"id": uid, "user_principal_name": "mini.renamed@corpexample.onmicrosoft.com"}]},
                 cloud_lab)
    assert res["users"][0]["changed_attributes"] == ["user_principal_name"]
    assert "mini.renamed@corpexample.onmicrosoft.com" in sim.users()


def test_synced_user_refused_others_converge(sim, cloud_lab):
    res = run_fail(M, {"users": [{"user_principal_name": "sam.synced@corp.example.com", "job_title": "Boss"},
                                 {"user_principal_name": "bob.cloud@corp.example.com", "job_title": "Seller"}]},
                   cloud_lab)
    users = by_name(res)
    assert users["sam.synced@corp.example.com"]["action"] == "failed"
    assert "directory sync" in users["sam.synced@corp.example.com"]["error"]
    assert "on-premises" in res["msg"]
    assert users["bob.cloud@corp.example.com"]["action"] == "updated"
    assert sim.users()["bob.cloud@corp.example.com"]["jobTitle"] == "Seller"
    assert sim.users()["sam.synced@corp.example.com"]["jobTitle"] is None
    # Asking for what a synced user already has is fine: nothing to write.
    res = run_ok(M, {"users": [{"user_principal_name": "sam.synced@corp.example.com", "given_name": "Sam"}]},
                 cloud_lab)
    assert res["users"][0]["action"] == "unchanged"


def test_unverified_domain_fails_only_those_users(sim, cloud_lab):
    res = run_fail(M, {"users": [{"user_principal_name": "eve@unverified.example.org", "password": PW},
                                 {"user_principal_name": "frank@corp.example.com", "password": PW}]}, cloud_lab)
    users = by_name(res)
    assert "unverified.example.org is not a verified domain" in users["eve@unverified.example.org"]["error"]
    assert users["frank@corp.example.com"]["action"] == "created"
    assert "eve@unverified.example.org" not in sim.users()


def test_bad_input_fails_per_user(sim, cloud_lab):
    res = run_fail(M, {"users": [{"user_principal_name": "nopw@corp.example.com"},
                                 {"user_principal_name": "bad name@corp.example.com", "password": PW},
                                 {"user_principal_name": "weak@corp.example.com", "password": "short"}]}, cloud_lab)
    users = by_name(res)
    assert "password is required" in users["nopw@corp.example.com"]["error"]
    assert "may only use" in users["bad name@corp.example.com"]["error"]
    assert users["weak@corp.example.com"]["action"] == "failed" and "short" not in users["weak@corp.example.com"]["error"].split(":")[0]


def test_absent_soft_deletes_then_reports_absent(sim, cloud_lab):
    args = {"users": [{"user_principal_name": "frank@corp.example.com"}], "state": "absent"}
    res = run_ok(M, args, cloud_lab, check=True)
    assert res["users"][0]["action"] == "deleted" and "frank@corp.example.com" in sim.users()
    res = run_ok(M, args, cloud_lab)
    assert res["users"][0]["action"] == "deleted"
    assert "frank@corp.example.com" not in sim.users() and "frank@corp.example.com" in sim.deleted()
    res = run_ok(M, args, cloud_lab)
    assert res["changed"] is False and res["users"][0]["action"] == "absent"
    res = run_fail(M, {"users": [{"user_principal_name": "sam.synced@corp.example.com", "state": "absent"}]},
                   cloud_lab)
    assert "directory sync" in res["users"][0]["error"]


def test_duplicate_entries_fail(sim, cloud_lab):
    res = run_fail(M, {"users": [{"user_principal_name": "bob.cloud@corp.example.com"},
                                 {"user_principal_name": "BOB.cloud@corp.example.com"}]}, cloud_lab)
    assert "listed twice" in res["users"][1]["error"] and res["users"][0]["action"] == "unchanged"


def test_immutable_id_on_create_only_touches_new_users(sim, cloud_lab):
    """update_immutable_id=on_create: a new user is created linked; an existing user's anchor is left
    to account_link, even when the listed value differs."""
    existing = {"user_principal_name": "anchor.kept@corp.example.com", "password": PW,
                "on_premises_immutable_id": "AAAAAAAAAAAAAAAAAAAAAA=="}
    run_ok(M, {"users": [existing]}, cloud_lab)
    new = {"user_principal_name": "anchor.new@corp.example.com", "password": PW,
           "on_premises_immutable_id": "BBBBBBBBBBBBBBBBBBBBBB=="}
    other = dict(existing, on_premises_immutable_id="CCCCCCCCCCCCCCCCCCCCCC==")
    args = {"users": [new, other], "update_immutable_id": "on_create"}
    sim.reset_counters()
    res = run_ok(M, args, cloud_lab, check=True, diff=True)
    assert [u["action"] for u in res["users"]] == ["created", "unchanged"]
    assert res["diff"]["after"]["anchor.new@corp.example.com"]["on_premises_immutable_id"] == "BBBBBBBBBBBBBBBBBBBBBB=="
    assert writes(sim) == 0
    res = run_ok(M, args, cloud_lab)
    assert [u["action"] for u in res["users"]] == ["created", "unchanged"]
    # the anchor each user is left with, for a linking step that need not read them again
    assert [(u["on_premises_immutable_id"], u["user_type"]) for u in res["users"]] == [
        ("BBBBBBBBBBBBBBBBBBBBBB==", "Member"), ("AAAAAAAAAAAAAAAAAAAAAA==", "Member")]
    assert [u["assigned_sku_ids"] for u in res["users"]] == [[], []]
    assert writes(sim) == 1   # the create carried the anchor: no second write
    users = sim.users()
    assert users["anchor.new@corp.example.com"]["onPremisesImmutableId"] == "BBBBBBBBBBBBBBBBBBBBBB=="
    assert users["anchor.kept@corp.example.com"]["onPremisesImmutableId"] == "AAAAAAAAAAAAAAAAAAAAAA=="
    assert run_ok(M, args, cloud_lab)["changed"] is False
    # the default (always) does change the existing user's anchor
    res = run_ok(M, {"users": [other]}, cloud_lab, check=True)
    assert res["users"][0]["changed_attributes"] == ["on_premises_immutable_id"]


def test_many_passwords_are_hidden_in_results(sim, cloud_lab):
    """400 users with their own passwords: the linear no_log scrub hides each one in the echoed
    invocation, in the diff and in per-user errors, as Ansible's own scrub would."""
    users = [{"user_principal_name": "scrub%03d@corp.example.com" % i, "password": "Scrub-%03d-Pass!word" % i}
             for i in range(400)]
    users[3]["job_title"] = "Role %s x" % users[2]["password"]   # another user's password inside a value
    users.append({"user_principal_name": "scrub-bad@nowhere.invalid", "password": "Scrub-bad-Pass!word"})
    # ansible-core 2.21 echoes the module arguments (`invocation`) only with ANSIBLE_INJECT_INVOCATION (off by
    # default); earlier releases always do, and ignore the variable. Either way the echo must be scrubbed.
    run_ = run(M, {"users": users}, cloud_lab, diff=True, verbosity=4, env={"ANSIBLE_INJECT_INVOCATION": "true"})
    res = run_.result
    assert res["failed"] and res["summary"]["created"] == 400 and res["summary"]["failed"] == 1
    text = repr(res) + run_.stdout + run_.stderr
    for user in users:
        assert user["password"] not in text
    assert run_.stdout.count("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER") >= 401   # -vvvv shows the masked invocation
    assert res["diff"]["after"]["scrub003@corp.example.com"]["job_title"] == "Role ******** x"
    assert "scrub-bad@nowhere.invalid" in res["msg"]



def test_create_only_never_changes_an_existing_account(sim, cloud_lab):
    """alice.cloud exists: create_only fails her with the holder named and changes nothing; a free UPN in
    the same run is created (the holder query for create_only users rides in the batch that reads them)."""
    before = sim.users()["alice.cloud@corp.example.com"]
    sim.reset_counters()
    taken = {"user_principal_name": "alice.cloud@corp.example.com", "display_name": "Someone Else", "password": PW,
             "create_only": True}
    res = run_fail(M, {"users": [taken, dict(MINIMAL, create_only=True)]}, cloud_lab)
    alice, minimal = res["users"]
    assert alice["action"] == "failed" and "already holds alice.cloud@corp.example.com" in alice["error"]
    assert "link_accounts" in alice["error"] and minimal["action"] == "created"
    assert sim.users()["alice.cloud@corp.example.com"]["displayName"] == before["displayName"]
    assert writes(sim) == 1
