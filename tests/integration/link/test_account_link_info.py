# -*- coding: utf-8 -*-
"""account_link_info: one pass over both directories, every category, counts and proposals."""
from integration.link.conftest import LINK_ATTR, add_ad_user, anchor_of, set_ad

DOMAIN = "corp.example.com"


def cloud(upn, **props):
    return dict({"userPrincipalName": upn, "displayName": upn.split("@")[0]}, **props)


def test_audit_classifies_both_sides(run, sim, ldap, ou, uid):
    p = "i%s" % uid
    ok = add_ad_user(ldap, ou, "ok-" + uid)
    half = add_ad_user(ldap, ou, "half-" + uid)
    dangling = add_ad_user(ldap, ou, "dang-" + uid)
    wrong = add_ad_user(ldap, ou, "wrong-" + uid)
    add_ad_user(ldap, ou, "lonely-" + uid)
    add_ad_user(ldap, ou, "prop-" + uid, upn="%s-prop@%s" % (p, DOMAIN))
    add_ad_user(ldap, ou, "adm-" + uid, upn="admin@corp.example.com")
    sim.reset([
        cloud("%s-ok@%s" % (p, DOMAIN), id="11111111-1111-4111-8111-%s000001" % uid, onPremisesImmutableId=anchor_of(ldap, ok)),
        cloud("%s-half@%s" % (p, DOMAIN), onPremisesImmutableId=anchor_of(ldap, half)),
        cloud("%s-orphan@%s" % (p, DOMAIN), onPremisesImmutableId="AAAAAAAAAAAAAAAAAAAAAA=="),
        cloud("%s-w@%s" % (p, DOMAIN), id="22222222-2222-4222-8222-%s000002" % uid),
        cloud("%s-free@%s" % (p, DOMAIN)),
        cloud("%s-prop@%s" % (p, DOMAIN)),
    ])
    set_ad(ldap, ok, **{LINK_ATTR: "11111111-1111-4111-8111-%s000001" % uid})
    set_ad(ldap, dangling, **{LINK_ATTR: "33333333-3333-4333-8333-%s000003" % uid})
    set_ad(ldap, wrong, **{LINK_ATTR: "22222222-2222-4222-8222-%s000002" % uid})
    before = sim.users()

    res = run("account_link_info", {"ad_search_base": ou, "rules": ["upn"]})
    assert not res["changed"] and sim.users() == before
    sams = lambda key: sorted(x["sam_account_name"] for x in res[key])  # noqa: E731
    assert sams("linked") == ["ok-" + uid]
    assert res["linked"][0]["cloud_upn"] == "%s-ok@%s" % (p, DOMAIN)
    mism = dict((x["sam_account_name"], x) for x in res["mismatched"])
    assert set(mism) == {"half-" + uid, "wrong-" + uid}
    assert mism["half-" + uid]["reason"] == "the AD link attribute is empty"
    assert "immutable id does not name" in mism["wrong-" + uid]["reason"]
    assert sams("broken_ad") == ["dang-" + uid]
    orphans = [x["cloud_upn"] for x in res["broken_cloud"]]
    assert "%s-orphan@%s" % (p, DOMAIN) in orphans and "sam.synced@corp.example.com" in orphans
    assert sams("unlinked_ad") == sorted(["lonely-" + uid, "prop-" + uid, "adm-" + uid])
    unlinked_cloud = [x["cloud_upn"] for x in res["unlinked_cloud"]]
    assert "%s-free@%s" % (p, DOMAIN) in unlinked_cloud and "%s-prop@%s" % (p, DOMAIN) in unlinked_cloud
    assert not any("#EXT#" in u for u in unlinked_cloud)   # guests left out
    proposed = dict((x["sam_account_name"], x) for x in res["proposed"])
    assert proposed["prop-" + uid]["verdict"] == "link" and proposed["prop-" + uid]["rule"] == "upn"
    assert proposed["adm-" + uid]["verdict"] == "skip" and proposed["adm-" + uid]["reason"] == "privileged"
    counts = res["counts"]
    assert counts["linked"] == 1 and counts["mismatched"] == 2 and counts["broken_ad"] == 1
    assert counts["proposed"] == 2 and counts["proposed_to_link"] == 1 and counts["ad_users"] == 7
    assert counts["cloud_guests_ignored"] == 1


def test_link_to_a_user_outside_the_scope_is_not_broken(run, sim, ldap, ou, uid):
    inside = add_ad_user(ldap, ou, "in-" + uid)
    sim.reset([cloud("out-%s@%s" % (uid, DOMAIN), id="44444444-4444-4444-8444-%s000004" % uid,
                     onPremisesImmutableId=anchor_of(ldap, inside))])
    set_ad(ldap, inside, **{LINK_ATTR: "44444444-4444-4444-8444-%s000004" % uid})
    # cloud scope excludes the partner: looked up by id, reported outside the scope
    res = run("account_link_info", {"ad_search_base": ou, "cloud_filter": "startswith(userPrincipalName,'zz-none')"})
    assert res["counts"]["broken_ad"] == 0 and res["outside_scope"][0]["outside"] == "cloud"
    assert res["outside_scope"][0]["cloud_upn"] == "out-%s@%s" % (uid, DOMAIN)
    # AD scope excludes the partner (an empty OU-free filter): looked up by objectGUID
    res = run("account_link_info", {"ad_filter": "(sAMAccountName=nobody-%s)" % uid,
                                    "cloud_filter": "startswith(userPrincipalName,'out-%s')" % uid})
    assert res["counts"]["broken_cloud"] == 0 and res["outside_scope"][0]["outside"] == "ad"
    assert res["outside_scope"][0]["sam_account_name"] == "in-" + uid
