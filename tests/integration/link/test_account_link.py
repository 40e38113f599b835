# -*- coding: utf-8 -*-
"""account_link against the lab DC and the tenant simulator, in microsoft.ad's pattern:
check mode -> nothing written (read with ldap3 and /_admin/state directly) -> real run ->
both sides verified from outside -> rerun -> changed=false."""
import ldap3

from integration.link.conftest import LINK_ATTR, add_ad_user, anchor_of, by_name, link_of, pwd_last_set, set_ad

DOMAIN = "corp.example.com"
ADMIN = "admin@corp.example.com"           # Global Administrator in the lab seed
SYNCED = "sam.synced@corp.example.com"     # onPremisesSyncEnabled, immutable id MyIRAFVEd2aImaq7zN3u/w==


def cloud(upn, **props):
    return dict({"userPrincipalName": upn, "displayName": upn.split("@")[0]}, **props)


def make_password_old(ldap, dn):
    """pwdLastSet -1 = 'now': the user need not change the password (so 0 afterwards means we set it)."""
    set_ad(ldap, dn, pwdLastSet="-1")
    assert pwd_last_set(ldap, dn) > 0


def test_explicit_pairs_every_identity_form_check_apply_rerun(run, sim, ldap, ou, uid):
    names = ["a%d-%s" % (i, uid) for i in range(4)]
    dns = [add_ad_user(ldap, ou, n, upn="%s@%s" % (n, DOMAIN)) for n in names]
    for dn in dns:
        make_password_old(ldap, dn)
    sim.reset([cloud("c%d-%s@%s" % (i, uid, DOMAIN)) for i in range(4)])
    ids = dict((u["userPrincipalName"], u["id"]) for u in sim.state()["users"])
    guid = str(__import__("uuid").UUID(bytes_le=__import__("base64").b64decode(anchor_of(ldap, dns[3]))))
    pairs = [{"ad": names[0], "cloud": "c0-%s@%s" % (uid, DOMAIN)},                      # sAMAccountName -> UPN
             {"ad": "%s@%s" % (names[1], DOMAIN), "cloud": ids["c1-%s@%s" % (uid, DOMAIN)]},  # UPN -> object id
             {"ad": dns[2], "cloud": "C2-%s@%s" % (uid, DOMAIN.upper())},               # DN -> UPN, other case
             {"ad": guid, "cloud": "c3-%s@%s" % (uid, DOMAIN)}]                         # objectGUID
    before = sim.users()

    check = run("account_link", {"pairs": pairs}, check=True, diff=True)
    assert check["changed"] and check["summary"]["linked"] == 4
    assert [x["action"] for x in check["links"]] == ["linked"] * 4
    assert check["diff"]["after"][names[0]]["cloud"]["onPremisesImmutableId"] == anchor_of(ldap, dns[0])
    assert check["diff"]["after"][names[0]]["ad"]["pwdLastSet"] == 0
    assert sim.users() == before, "check mode wrote to the cloud"
    assert all(link_of(ldap, dn) is None and pwd_last_set(ldap, dn) > 0 for dn in dns), "check mode wrote to AD"

    real = run("account_link", {"pairs": pairs})
    assert real["changed"] and real["summary"]["linked"] == 4 and real["summary"]["passwords_forced"] == 4
    users = sim.users()
    for i, dn in enumerate(dns):
        user = users["c%d-%s@%s" % (i, uid, DOMAIN)]
        assert user["onPremisesImmutableId"] == anchor_of(ldap, dn)     # base64 of objectGUID bytes_le
        assert link_of(ldap, dn) == user["id"]
        assert pwd_last_set(ldap, dn) == 0                            # must change at next logon
        item = real["links"][i]
        assert item["cloud_id"] == user["id"] and item["ad_dn"].lower() == dn.lower()
        assert item["immutable_id"] == user["onPremisesImmutableId"] and item["rule"] == "pair"
    assert real["ldap_operations"]["writes"] == 4

    # the user changes the password meanwhile: a rerun must not force it again
    make_password_old(ldap, dns[0])
    again = run("account_link", {"pairs": pairs})
    assert not again["changed"] and again["summary"]["unchanged"] == 4
    assert again["ldap_operations"]["writes"] == 0 and again["graph"]["writes"] == 0
    assert pwd_last_set(ldap, dns[0]) > 0


def test_force_password_change_off_and_half_done_link_is_completed(run, sim, ldap, ou, uid):
    dn = add_ad_user(ldap, ou, "h-" + uid)
    make_password_old(ldap, dn)
    # an interrupted run left only the cloud half
    sim.reset([cloud("h-%s@%s" % (uid, DOMAIN), onPremisesImmutableId=anchor_of(ldap, dn))])
    pair = {"ad": "h-" + uid, "cloud": "h-%s@%s" % (uid, DOMAIN)}
    res = run("account_link", {"pairs": [pair], "force_password_change": False})
    item = res["links"][0]
    assert item["action"] == "updated" and item["changed_attributes"] == ["ad:" + LINK_ATTR]
    assert not item["password_change_forced"]
    assert link_of(ldap, dn) == sim.users()["h-%s@%s" % (uid, DOMAIN)]["id"]
    assert pwd_last_set(ldap, dn) > 0, "force_password_change=false must leave pwdLastSet alone"


def test_each_rule_in_order_over_scopes(run, sim, ldap, ou, uid):
    p = "r%s" % uid   # every cloud user of this test starts with p (the cloud_filter scope)
    dns = {
        "upn": add_ad_user(ldap, ou, "u-" + uid, upn="%s-upn@%s" % (p, DOMAIN)),
        "mail": add_ad_user(ldap, ou, "m-" + uid, mail="Mail.%s@contoso.com" % uid),
        "smtp": add_ad_user(ldap, ou, "s-" + uid, mail="smtp.%s@contoso.com" % uid),
        "nick": add_ad_user(ldap, ou, "n-" + uid),
        "emp": add_ad_user(ldap, ou, "e-" + uid, employeeID="E-%s" % uid),
        "custom": add_ad_user(ldap, ou, "x-" + uid, employeeNumber="X-%s" % uid),
        "none": add_ad_user(ldap, ou, "z-" + uid),
    }
    sim.reset([
        cloud("%s-upn@%s" % (p, DOMAIN)),
        cloud("%s-mail@%s" % (p, DOMAIN), mail="mail.%s@contoso.com" % uid),
        cloud("%s-smtp@%s" % (p, DOMAIN), proxyAddresses=["SMTP:smtp.%s@contoso.com" % uid,
                                                          "smtp:other.%s@contoso.com" % uid]),
        cloud("%s-nick@%s" % (p, DOMAIN), mailNickname="n-" + uid),
        cloud("%s-emp@%s" % (p, DOMAIN), employeeId="e-%s" % uid),
        cloud("%s-custom@%s" % (p, DOMAIN), employeeType="x-%s" % uid),
        cloud("%s-lonely@%s" % (p, DOMAIN)),
        cloud("upn-outside-%s@%s" % (uid, DOMAIN), mailNickname="z-" + uid),   # outside the cloud scope
    ])
    args = {"ad_search_base": ou, "cloud_filter": "startswith(userPrincipalName,'%s')" % p,
            "rules": ["upn", "mail", "mail_nickname", "employee_id",
                      {"ad_attribute": "employeeNumber", "cloud_property": "employeeType"}]}
    check = run("account_link", args, check=True)
    assert check["changed"]
    assert sim.users()["%s-upn@%s" % (p, DOMAIN)].get("onPremisesImmutableId") is None
    res = run("account_link", args)
    got = dict((x["cloud_upn"].split("@")[0].split("-", 1)[1], x) for x in res["links"])
    assert dict((k, v["rule"]) for k, v in got.items()) == {
        "upn": "upn", "mail": "mail", "smtp": "mail", "nick": "mail_nickname", "emp": "employee_id",
        "custom": "employeeNumber=employeeType"}
    assert all(v["action"] == "linked" for v in got.values())
    users = sim.users()
    for key, dn in dns.items():
        if key == "none":
            continue
        user = users["%s-%s@%s" % (p, key, DOMAIN)]
        assert user["onPremisesImmutableId"] == anchor_of(ldap, dn) and link_of(ldap, dn) == user["id"], key
    assert res["unmatched"]["ad"] == [dns["none"]] or [d.lower() for d in res["unmatched"]["ad"]] == [dns["none"].lower()]
    assert res["unmatched"]["cloud"] == ["%s-lonely@%s" % (p, DOMAIN)]
    assert users["upn-outside-%s@%s" % (uid, DOMAIN)].get("onPremisesImmutableId") is None
    again = run("account_link", args)
    assert not again["changed"] and again["summary"]["unchanged"] == 6
    assert all(x["rule"] == "existing" for x in again["links"])   # hard match first, as Entra Connect


def test_refusals_are_reported_not_written(run, sim, ldap, ou, uid):
    p = "f%s" % uid
    amb = add_ad_user(ldap, ou, "amb-" + uid, employeeID="E1-" + uid)
    taken = add_ad_user(ldap, ou, "tkn-" + uid, upn="%s-taken@%s" % (p, DOMAIN))
    bound = add_ad_user(ldap, ou, "bnd-" + uid, upn="%s-bound@%s" % (p, DOMAIN))
    set_ad(ldap, bound, **{LINK_ATTR: "0badc0de-0000-4000-8000-000000000001"})
    adm = add_ad_user(ldap, ou, "adm-" + uid, upn=ADMIN)
    syn = add_ad_user(ldap, ou, "syn-" + uid, upn=SYNCED)
    ok = add_ad_user(ldap, ou, "ok-" + uid, upn="%s-ok@%s" % (p, DOMAIN))
    sim.reset([
        cloud("%s-e1@%s" % (p, DOMAIN), employeeId="E1-" + uid),
        cloud("%s-e2@%s" % (p, DOMAIN), employeeId="E1-" + uid),
        cloud("%s-taken@%s" % (p, DOMAIN), onPremisesImmutableId="AAAAAAAAAAAAAAAAAAAAAA=="),
        cloud("%s-bound@%s" % (p, DOMAIN)),
        cloud("%s-ok@%s" % (p, DOMAIN)),
    ])
    before = sim.users()
    args = {"ad_search_base": ou, "rules": ["upn", "employee_id"]}
    res = run("account_link", args)
    items = dict((x["sam_account_name"], x) for x in res["links"])
    assert items["amb-" + uid]["action"] == "skipped" and items["amb-" + uid]["reason"] == "ambiguous"
    assert len(items["amb-" + uid]["candidates"]) == 2
    assert items["tkn-" + uid]["reason"] == "conflict" and "another AD object" in items["tkn-" + uid]["message"]
    assert items["bnd-" + uid]["reason"] == "conflict" and "another cloud user" in items["bnd-" + uid]["message"]
    assert items["adm-" + uid]["reason"] == "privileged" and "allow_privileged" in items["adm-" + uid]["message"]
    assert items["syn-" + uid]["reason"] == "sync_mastered"
    assert items["ok-" + uid]["action"] == "linked"
    assert res["summary"]["skipped"] == 5 and res["summary"]["linked"] == 1 and not res.get("failed")
    assert res["summary"]["skipped_by_reason"] == {"ambiguous": 1, "conflict": 2, "privileged": 1,
                                                   "sync_mastered": 1, "guest": 0}
    after = sim.users()
    for upn in before:
        if upn != "%s-ok@%s" % (p, DOMAIN):
            assert after[upn].get("onPremisesImmutableId") == before[upn].get("onPremisesImmutableId"), upn
    for dn in (amb, taken, adm, syn):
        assert link_of(ldap, dn) is None
    assert link_of(ldap, bound) == "0badc0de-0000-4000-8000-000000000001"

    strict = run("account_link", dict(args, fail_on_skipped=True), expect_failure=True)
    assert "5 of 6 links failed or were skipped" in strict["msg"]

    # an AD user already linked on the cloud side to another cloud user (its anchor is held elsewhere)
    other = add_ad_user(ldap, ou, "dup-" + uid, upn="%s-dup@%s" % (p, DOMAIN))
    sim.reset([cloud("%s-dup@%s" % (p, DOMAIN)), cloud("%s-holder@%s" % (p, DOMAIN),
                                                       onPremisesImmutableId=anchor_of(ldap, other))])
    res = run("account_link", {"pairs": [{"ad": "dup-" + uid, "cloud": "%s-dup@%s" % (p, DOMAIN)}]})
    assert res["links"][0]["reason"] == "conflict" and "holds its immutable id" in res["links"][0]["message"]

    # allow_privileged links the admin
    sim.reset()
    res = run("account_link", {"pairs": [{"ad": "adm-" + uid, "cloud": ADMIN}], "allow_privileged": True,
                               "force_password_change": False})
    assert res["links"][0]["action"] == "linked"
    assert sim.users()[ADMIN]["onPremisesImmutableId"] == anchor_of(ldap, adm)


def test_missing_users_fail_the_task_after_linking_the_rest(run, sim, ldap, ou, uid):
    add_ad_user(ldap, ou, "good-" + uid)
    sim.reset([cloud("good-%s@%s" % (uid, DOMAIN))])
    res = run("account_link", {"pairs": [{"ad": "good-" + uid, "cloud": "good-%s@%s" % (uid, DOMAIN)},
                                         {"ad": "ghost-" + uid, "cloud": "good2-%s@%s" % (uid, DOMAIN)},
                                         {"ad": "good-" + uid, "cloud": "nobody-%s@%s" % (uid, DOMAIN)}]},
              expect_failure=True)
    actions = [x["action"] for x in res["links"]]
    assert actions == ["linked", "failed", "failed"]
    assert res["links"][1]["reason"] == "not_found"
    assert "2 of 3 links failed" in res["msg"]
    assert sim.users()["good-%s@%s" % (uid, DOMAIN)]["onPremisesImmutableId"]


def test_unlink_both_sides_check_apply_rerun(run, sim, ldap, ou, uid):
    names = ["ul%d-%s" % (i, uid) for i in range(3)]
    dns = [add_ad_user(ldap, ou, n) for n in names]
    sim.reset([cloud("%s@%s" % (n, DOMAIN)) for n in names])
    run("account_link", {"pairs": [{"ad": n, "cloud": "%s@%s" % (n, DOMAIN)} for n in names]})
    assert all(link_of(ldap, dn) for dn in dns)

    by_pair = {"pairs": [{"ad": names[0], "cloud": "%s@%s" % (names[0], DOMAIN)}, {"ad": names[1]}], "state": "absent"}
    check = run("account_link", by_pair, check=True, diff=True)
    assert check["changed"] and [x["action"] for x in check["links"]] == ["unlinked", "unlinked"]
    assert check["diff"]["after"][names[0]]["cloud"]["onPremisesImmutableId"] is None
    assert link_of(ldap, dns[0]) and sim.users()["%s@%s" % (names[0], DOMAIN)]["onPremisesImmutableId"]
    res = run("account_link", by_pair)
    users = sim.users()
    for i in (0, 1):
        assert link_of(ldap, dns[i]) is None
        assert users["%s@%s" % (names[i], DOMAIN)]["onPremisesImmutableId"] is None   # JSON null
    assert link_of(ldap, dns[2]) and users["%s@%s" % (names[2], DOMAIN)]["onPremisesImmutableId"]
    again = run("account_link", by_pair)
    assert not again["changed"] and [x["action"] for x in again["links"]] == ["unchanged", "unchanged"]

    run("account_link", {"state": "absent"}, expect_failure=True)   # no scope: refused
    scoped = run("account_link", {"state": "absent", "ad_search_base": ou})
    assert [x["name"] for x in scoped["links"]] == [names[2]] and scoped["links"][0]["rule"] == "scope"
    assert link_of(ldap, dns[2]) is None
    assert sim.users()["%s@%s" % (names[2], DOMAIN)]["onPremisesImmutableId"] is None
    assert not run("account_link", {"state": "absent", "ad_search_base": ou})["changed"]


def test_unlink_refuses_sync_mastered(run, sim, ldap, ou, uid):
    dn = add_ad_user(ldap, ou, "sy-" + uid)
    sim.reset([cloud("sy-%s@%s" % (uid, DOMAIN), onPremisesSyncEnabled=True,
                     onPremisesImmutableId=anchor_of(ldap, dn))])
    res = run("account_link", {"pairs": [{"ad": "sy-" + uid}], "state": "absent"})
    assert res["links"][0]["action"] == "skipped" and res["links"][0]["reason"] == "sync_mastered"
    assert sim.users()["sy-%s@%s" % (uid, DOMAIN)]["onPremisesImmutableId"] == anchor_of(ldap, dn)


def test_bad_options_fail_before_any_connection(run, sim):
    res = run("account_link", {"rules": ["phone"]}, expect_failure=True)
    assert "unknown match rule" in res["msg"]
    res = run("account_link", {}, expect_failure=True)
    assert "nothing to link" in res["msg"]
    res = run("account_link", {"rules": ["upn"], "link_attribute": "bad attr"}, expect_failure=True)
    assert "link_attribute" in res["msg"]
