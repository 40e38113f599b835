# -*- coding: utf-8 -*-
"""account_link's delete protection over unlinks against the lab: an unlink by scope over the limit is refused
before any write, in check mode and for real (both sides read from outside); raised, it unlinks; a rerun does not."""
from integration.link.conftest import add_ad_user, anchor_of, link_of

DOMAIN = "corp.example.com"
COUNT = 3


def test_scope_unlink_over_the_limit_is_refused_then_raised_unlinks(run, sim, ldap, ou, uid):
    names = ["ul%d-%s" % (i, uid) for i in range(COUNT)]
    dns = [add_ad_user(ldap, ou, n) for n in names]
    # linked on both sides already (seeded, no linking run): the anchor in the cloud, the cloud id in AD
    sim.reset([{"userPrincipalName": "%s@%s" % (n, DOMAIN), "displayName": n, "onPremisesImmutableId":
                anchor_of(ldap, dn)} for n, dn in zip(names, dns)])
    ids = dict((u["userPrincipalName"], u["id"]) for u in sim.state()["users"])
    for n, dn in zip(names, dns):
        assert ldap.modify(dn, {"msDS-cloudExtensionAttribute1": [("MODIFY_REPLACE", [ids["%s@%s" % (n, DOMAIN)]])]})
    task = {"state": "absent", "ad_search_base": ou, "max_deletes": COUNT - 1}

    def still_linked():
        users = sim.users()
        return all(link_of(ldap, dn) and users["%s@%s" % (n, DOMAIN)]["onPremisesImmutableId"]
                   for n, dn in zip(names, dns))

    check = run("account_link", task, check=True, expect_failure=True)
    assert "account_link refuses to unlink %d users" % COUNT in check["msg"]
    assert "set max_deletes: %d" % COUNT in check["msg"]
    assert check["summary"]["failed"] == COUNT and {x["reason"] for x in check["links"]} == {"delete_limit"}
    real = run("account_link", task, expect_failure=True)
    assert "max_deletes=%d" % (COUNT - 1) in real["msg"] and not real["changed"]
    assert still_linked(), "a refused run unlinked"

    done = run("account_link", dict(task, max_deletes=COUNT))
    assert done["changed"] and done["summary"]["unlinked"] == COUNT
    assert not any(link_of(ldap, dn) for dn in dns)
    assert not run("account_link", dict(task, max_deletes=COUNT))["changed"]
