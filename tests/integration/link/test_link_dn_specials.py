# -*- coding: utf-8 -*-
"""account_link for AD users whose CN holds characters Samba escapes its own way (CN=Who\\? Me):
linked on both sides, and a rerun finds the link and writes nothing. Before the DN fix the AD write
went to CN=Who\\\\? Me (ldap3 doubles the backslash of \\?) and failed with "does not exist" every time."""
from integration.link.conftest import anchor_of, link_of

DOMAIN = "corp.example.com"


def test_question_mark_and_other_specials_link_and_rerun(run, sim, ldap, ou, uid):
    names = ["Who? Me %s" % uid, "A, B? %s" % uid, "S=T %s" % uid]
    sams = ["q%d-%s" % (i, uid) for i in range(len(names))]
    dns = []
    for name, sam in zip(names, sams):
        dn = "CN=%s,%s" % (name.replace(",", "\\,"), ou)
        assert ldap.add(dn, ["top", "person", "organizationalPerson", "user"],
                        {"sAMAccountName": sam, "userAccountControl": "514",
                         "userPrincipalName": "%s@%s" % (sam, DOMAIN)}), ldap.result
        dns.append(dn)
    # As Samba writes them back
    ldap.search(ou, "(sAMAccountName=q0-%s)" % uid, attributes=["cn"])
    server_dn = ldap.response[0]["dn"]
    assert "\\?" in server_dn or "\\3f" in server_dn.lower(), server_dn
    sim.reset([{"userPrincipalName": "%s@%s" % (sam, DOMAIN), "displayName": name} for name, sam in zip(names, sams)])
    pairs = [{"ad": server_dn, "cloud": "%s@%s" % (sams[0], DOMAIN)}]          # the DN as the server spells it
    pairs += [{"ad": sam, "cloud": "%s@%s" % (sam, DOMAIN)} for sam in sams[1:]]  # by sAMAccountName

    real = run("account_link", {"pairs": pairs, "force_password_change": False})
    assert [x["action"] for x in real["links"]] == ["linked"] * len(names), real["links"]
    users = sim.users()
    for sam, dn in zip(sams, dns):
        cloud = users["%s@%s" % (sam, DOMAIN)]
        assert cloud["onPremisesImmutableId"] == anchor_of(ldap, dn)
        assert link_of(ldap, dn) == cloud["id"]

    sim.reset_counters()
    again = run("account_link", {"pairs": pairs, "force_password_change": False})
    assert not again["changed"], again["links"]
    assert [x["action"] for x in again["links"]] == ["unchanged"] * len(names), again["links"]
    assert again["ldap_operations"]["writes"] == 0
    assert sim.counters()["totals"]["writes"] == 0
