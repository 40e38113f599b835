"""cloud_user's mail and user_type, azure_rm_aduser's names, and cloud_user_info's selectors, against the simulator.

Pattern: check mode -> verify nothing changed (simulator /_admin) -> real run -> verify -> rerun -> changed=false.
The tests of this module build on each other in order (one simulator reset per module).
"""
from cloud_helpers import by_name, run, run_fail, run_ok

M = "hybrid.identity.cloud_user"
INFO = "hybrid.identity.cloud_user_info"
PW = "Azure-Names-Passw0rd!7"
ANCHOR = "AzNamesAnchor0000000w=="
# azure_rm_aduser's names for the password, the forced change and the anchor.
MIA = {"user_principal_name": "mia@corp.example.com", "password_profile": PW, "password_force_change": False,
       "immutable_id": ANCHOR, "mail": "Mia.Mail@corp.example.com", "user_type": "Guest", "given_name": "Mia"}
NOAH = {"user_principal_name": "noah@corp.example.com", "password": PW, "mail": "noah.n@corp.example.com"}


def writes(sim):
    return sim.counters()["totals"]["writes"]


def refused_writes(sim):
    """Writes Graph answered with an error (none may be sent for a user the module refuses itself)."""
    counters = sim.counters()
    return dict((k, v) for part in ("http", "subrequests") for k, v in counters[part].items()
                if k.split()[0] in ("POST", "PATCH", "DELETE") and not k.endswith((" 200", " 201", " 204")))


def test_create_check_mode_writes_nothing(sim, cloud_lab):
    sim.reset_counters()
    res = run_ok(M, {"users": [MIA, NOAH]}, cloud_lab, check=True, diff=True)
    assert res["changed"] is True and [u["action"] for u in res["users"]] == ["created", "created"]
    mia = by_name(res)["mia@corp.example.com"]
    assert sorted(mia["changed_attributes"]) == sorted(["user_principal_name", "password", "on_premises_immutable_id",
                                                        "mail", "user_type", "given_name", "mail_nickname",
                                                        "display_name", "account_enabled"])
    assert mia["user_type"] == "Guest" and "object_id" not in mia   # no id before the create
    assert res["diff"]["after"]["mia@corp.example.com"]["password"] == "(hidden)"
    assert "mia@corp.example.com" not in sim.users() and "noah@corp.example.com" not in sim.users()
    assert writes(sim) == 0 and PW not in repr(res)


def test_create_with_azure_names_mail_and_guest_type(sim, cloud_lab):
    res = run_ok(M, {"users": [MIA, NOAH]}, cloud_lab)
    assert res["summary"]["created"] == 2
    users = sim.users()
    mia, noah = users["mia@corp.example.com"], users["noah@corp.example.com"]
    assert (mia["mail"], mia["userType"]) == ("Mia.Mail@corp.example.com", "Guest")
    assert mia["onPremisesImmutableId"] == ANCHOR
    assert mia["proxyAddresses"] == ["SMTP:Mia.Mail@corp.example.com"] and mia["_forceChangePasswordNextSignIn"] is False
    assert (noah["mail"], noah["userType"]) == ("noah.n@corp.example.com", "Member")
    item = by_name(res)["mia@corp.example.com"]
    assert item["object_id"] == item["id"] == mia["id"]
    assert item["user_type"] == "Guest" and item["on_premises_immutable_id"] == ANCHOR
    assert sim.password_works("mia@corp.example.com", PW)[0]   # password_profile is the password
    assert PW not in repr(res)


def test_rerun_is_unchanged_even_in_another_case(sim, cloud_lab):
    sim.reset_counters()
    again = dict(MIA, mail="mia.mail@CORP.example.com")   # addresses compare case-insensitively
    res = run_ok(M, {"users": [again, NOAH]}, cloud_lab)
    assert res["changed"] is False and res["summary"]["unchanged"] == 2 and writes(sim) == 0


def test_change_mail_and_type_check_then_run_then_rerun(sim, cloud_lab):
    change = {"user_principal_name": "mia@corp.example.com", "mail": "mia.new@corp.example.com", "user_type": "Member"}
    sim.reset_counters()
    res = run_ok(M, {"users": [change]}, cloud_lab, check=True, diff=True)
    item = res["users"][0]
    assert item["action"] == "updated" and item["changed_attributes"] == ["mail", "user_type"]
    assert res["diff"]["before"]["mia@corp.example.com"] == {"mail": "Mia.Mail@corp.example.com", "user_type": "Guest"}
    assert writes(sim) == 0
    assert (sim.users()["mia@corp.example.com"]["mail"], sim.users()["mia@corp.example.com"]["userType"]) == \
        ("Mia.Mail@corp.example.com", "Guest")
    res = run_ok(M, {"users": [change]}, cloud_lab)
    assert res["users"][0]["action"] == "updated" and res["users"][0]["user_type"] == "Member"
    mia = sim.users()["mia@corp.example.com"]
    assert (mia["mail"], mia["userType"]) == ("mia.new@corp.example.com", "Member")
    assert mia["proxyAddresses"] == ["SMTP:mia.new@corp.example.com", "smtp:Mia.Mail@corp.example.com"]
    assert run_ok(M, {"users": [change]}, cloud_lab)["changed"] is False


def test_object_id_finds_the_user(sim, cloud_lab):
    uid = sim.users()["noah@corp.example.com"]["id"]
    entry = {"object_id": uid, "user_principal_name": "noah.renamed@corp.example.com", "job_title": "Pilot"}
    res = run_ok(M, {"users": [entry]}, cloud_lab, check=True)
    assert res["users"][0]["object_id"] == uid and "noah@corp.example.com" in sim.users()
    res = run_ok(M, {"users": [entry]}, cloud_lab)
    assert sorted(res["users"][0]["changed_attributes"]) == ["job_title", "user_principal_name"]
    renamed = sim.users()["noah.renamed@corp.example.com"]
    assert renamed["id"] == uid and renamed["jobTitle"] == "Pilot"
    assert run_ok(M, {"users": [entry]}, cloud_lab)["changed"] is False


def test_mail_another_user_holds_is_refused_before_writing(sim, cloud_lab):
    """Bob's address (his mail), and Mia's former primary address (now her secondary proxy address): each user
    that asks for one fails, naming itself, the holder and the fix; nothing of theirs is written, others converge."""
    bob = sim.users()["bob.cloud@corp.example.com"]
    mia = sim.users()["mia@corp.example.com"]
    users = [{"user_principal_name": "noah.renamed@corp.example.com", "mail": "BOB.cloud@corp.example.com"},
             {"user_principal_name": "olga@corp.example.com", "password": PW, "mail": "mia.mail@corp.example.com"},
             {"user_principal_name": "carol.cloud@corp.example.com", "job_title": "Auditor"}]
    for check in (True, False):
        sim.reset_counters()
        res = run_fail(M, {"users": users}, cloud_lab, check=check)
        items = by_name(res)
        noah, olga = items["noah.renamed@corp.example.com"], items["olga@corp.example.com"]
        assert noah["action"] == "failed" and olga["action"] == "failed"
        assert noah["error"].startswith("mail BOB.cloud@corp.example.com of noah.renamed@corp.example.com is an "
                                        "address of another cloud account (bob.cloud@corp.example.com, id %s"
                                        % bob["id"])
        assert "give noah.renamed@corp.example.com another mail address" in noah["error"]
        assert "(mia@corp.example.com, id %s" % mia["id"] in olga["error"] and "olga@corp.example.com" in olga["error"]
        assert items["carol.cloud@corp.example.com"]["action"] == "updated"
        assert "noah.renamed@corp.example.com" in res["msg"] and "olga@corp.example.com" in res["msg"]
        assert refused_writes(sim) == {}   # not even tried: Graph was never asked to take the addresses
        assert writes(sim) == (0 if check else 1)
    users_now = sim.users()
    assert users_now["noah.renamed@corp.example.com"]["mail"] == "noah.n@corp.example.com"
    assert "olga@corp.example.com" not in users_now
    assert users_now["carol.cloud@corp.example.com"]["jobTitle"] == "Auditor"


def test_two_users_asking_for_one_address(sim, cloud_lab):
    res = run_fail(M, {"users": [
        {"user_principal_name": "p1@corp.example.com", "password": PW, "mail": "team@corp.example.com"},
        {"user_principal_name": "p2@corp.example.com", "password": PW, "mail": "TEAM@corp.example.com"}]}, cloud_lab)
    first, second = res["users"]
    assert first["action"] == "created" and second["action"] == "failed"
    assert "also claimed by p1@corp.example.com" in second["error"]
    assert sim.users()["p1@corp.example.com"]["mail"] == "team@corp.example.com"
    assert "p2@corp.example.com" not in sim.users()


def test_bad_mail_and_user_type_fail_per_user(sim, cloud_lab):
    res = run_fail(M, {"users": [{"user_principal_name": "q1@corp.example.com", "password": PW,
                                  "mail": u"q\u00e9@corp.example.com"},
                                 {"user_principal_name": "q2@corp.example.com", "password": PW, "mail": "q2"}]},
                   cloud_lab)
    q1, q2 = res["users"]
    assert "non-ASCII" in q1["error"] and "local@domain" in q2["error"]
    assert "q1@corp.example.com" not in sim.users() and "q2@corp.example.com" not in sim.users()
    bad_type = run(M, {"users": [{"user_principal_name": "q3@corp.example.com", "password": PW,
                                  "user_type": "member"}]}, cloud_lab).result
    assert bad_type["failed"] and "user_type" in bad_type["msg"] and "Member, Guest" in bad_type["msg"]


def test_password_under_azure_name_is_hidden(sim, cloud_lab):
    secret = "Alias-Secret-Passw0rd!9"
    run_ = run(M, {"users": [{"user_principal_name": "r1@corp.example.com", "password_profile": secret,
                              "job_title": "x %s y" % secret}]}, cloud_lab, diff=True, verbosity=3,
               env={"ANSIBLE_INJECT_INVOCATION": "true"})
    assert run_.result["users"][0]["action"] == "created"
    assert secret not in repr(run_.result) + run_.stdout + run_.stderr
    assert sim.password_works("r1@corp.example.com", secret)[0]


def test_create_only_with_a_taken_mail_fails_in_the_read_batch(sim, cloud_lab):
    """create_only users' holder query rides in the batch that reads them: the taken mail is found there and
    costs no request of its own."""
    alice = sim.users()["alice.cloud@corp.example.com"]
    sim.reset_counters()
    res = run_fail(M, {"users": [{"user_principal_name": "s1@corp.example.com", "password": PW, "create_only": True,
                                  "mail": "Alice.Cloud@corp.example.com"}]}, cloud_lab)
    item = res["users"][0]
    assert item["action"] == "failed" and "(alice.cloud@corp.example.com, id %s" % alice["id"] in item["error"]
    assert "s1@corp.example.com" not in sim.users() and refused_writes(sim) == {}
    assert res["graph"]["batches"] == 1   # the read (users, domains, holders) and nothing else


# --- cloud_user_info ----------------------------------------------------------------------------

def test_info_needs_a_selector_and_reads_nothing_without_one(sim, cloud_lab):
    sim.reset_counters()
    for args in ({}, {"filter": ""}, {"resolve_licenses": False}):
        res = run_fail(INFO, args, cloud_lab)
        assert "say which users to read" in res["msg"] and "all=true" in res["msg"], args
        assert "users" not in res or res["users"] == []
    res = run_fail(INFO, {"all": True, "users": ["mia@corp.example.com"]}, cloud_lab)
    assert "cannot be combined" in res["msg"]
    totals = sim.counters()["totals"]
    assert totals["http_requests"] == 0 and totals["tokens_issued"] == 0   # refused before connecting


def test_info_all_reads_the_whole_tenant(sim, cloud_lab):
    res = run_ok(INFO, {"all": True}, cloud_lab)
    assert res["count"] == len(sim.users()) == len(res["users"])
    mia = dict((u["user_principal_name"], u) for u in res["users"])["mia@corp.example.com"]
    # azure_rm_aduser_info's keys beside ours
    assert mia["object_id"] == mia["id"] == sim.users()["mia@corp.example.com"]["id"]
    assert (mia["mail"], mia["user_type"], mia["mail_nickname"], mia["given_name"]) == \
        ("mia.new@corp.example.com", "Member", "mia", "Mia")
    assert mia["on_premises_immutable_id"] == ANCHOR and mia["account_enabled"] is True


def test_info_odata_filter_and_azure_selectors(sim, cloud_lab):
    res = run_ok(INFO, {"odata_filter": "userType eq 'Guest'"}, cloud_lab)
    assert [u["user_principal_name"] for u in res["users"]] == ["partner_example.net#EXT#@corpexample.onmicrosoft.com"]
    assert res["users"][0]["user_type"] == "Guest" and res["users"][0]["mail"] == "partner@example.net"
    res = run_ok(INFO, {"user_principal_name": "mia@corp.example.com"}, cloud_lab)
    assert [u["user_principal_name"] for u in res["users"]] == ["mia@corp.example.com"]
    uid = sim.users()["carol.cloud@corp.example.com"]["id"]
    res = run_ok(INFO, {"object_id": uid}, cloud_lab)
    assert [u["object_id"] for u in res["users"]] == [uid] and res["missing"] == []
    res = run_fail(INFO, {"odata_filter": "userType eq 'Guest'", "users": ["mia@corp.example.com"]}, cloud_lab)
    assert "mutually exclusive" in res["msg"]
