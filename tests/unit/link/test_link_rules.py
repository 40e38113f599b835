from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import (
    audit, judge_link, judge_unlink, match, validate_rules)


def ad(sam, upn=None, mail=None, emp=None, anchor=None, link=None, attrs=None):
    return {"sam": sam, "upn": upn, "mail": mail, "employee_id": emp, "immutable_id": anchor or sam + "==",
            "link": link, "dn": "CN=%s" % sam, "attrs": attrs or {}}


def cloud(cid, upn, mail=None, nick=None, emp=None, anchor=None, admin=False, synced=False, proxies=None, props=None):
    return {"id": cid, "upn": upn, "mail": mail, "mail_nickname": nick, "employee_id": emp, "immutable_id": anchor,
            "is_admin": admin, "sync_enabled": synced, "proxy_addresses": proxies or [], "props": props or {}}


def test_rules_apply_in_order_and_later_rules_catch_the_rest():
    ads = [ad("ann", upn="ann@corp.example.com"), ad("bob", mail="Bob@Example.com"), ad("cy", emp="42")]
    clouds = [cloud("c1", "ANN@corp.example.com"), cloud("c2", "robert@x", mail="bob@example.com"),
              cloud("c3", "cy@x", emp="42")]
    pairs, amb, un_ad, un_cloud = match(ads, clouds, ["upn", "mail", "employee_id"])
    assert pairs == [(0, 0, "upn"), (1, 1, "mail"), (2, 2, "employee_id")]
    assert amb == [] and un_ad == [] and un_cloud == []


def test_primary_smtp_proxy_counts_for_mail_but_not_secondary():
    ads = [ad("ann", mail="ann@example.com"), ad("bob", mail="bob@example.com")]
    clouds = [cloud("c1", "a@x", proxies=["SMTP:ann@example.com"]), cloud("c2", "b@x", proxies=["smtp:bob@example.com"])]
    pairs, _, un_ad, un_cloud = match(ads, clouds, ["mail"])
    assert pairs == [(0, 0, "mail")] and un_ad == [1] and un_cloud == [1]


def test_two_cloud_candidates_is_ambiguous_and_not_retried_by_later_rules():
    ads = [ad("ann", emp="7")]
    clouds = [cloud("c1", "a@x", emp="7"), cloud("c2", "b@x", emp="7"), cloud("c3", "c@x", nick="ann")]
    pairs, amb, un_ad, un_cloud = match(ads, clouds, ["employee_id", "mail_nickname"])
    # mail_nickname would match c3, but guessing after an ambiguity is worse than asking
    assert pairs == [] and amb == [{"ad": 0, "cloud": [0, 1], "rule": "employee_id"}]
    assert un_ad == [] and un_cloud == [0, 1, 2]


def test_two_ad_candidates_for_one_cloud_user_is_ambiguous():
    ads = [ad("ann", emp="7"), ad("ann2", emp="7")]
    clouds = [cloud("c1", "a@x", emp="7")]
    pairs, amb, un_ad, un_cloud = match(ads, clouds, ["employee_id"])
    assert pairs == [] and amb[0]["ad_candidates"] == [0, 1] and un_ad == [] and un_cloud == []


def test_custom_rule_and_validation():
    ads = [ad("ann", attrs={"extensionAttribute5": "E-1"})]
    clouds = [cloud("c1", "a@x", props={"employeeId": "e-1"})]
    rule = {"ad_attribute": "extensionAttribute5", "cloud_property": "employeeId"}
    assert match(ads, clouds, [rule])[0] == [(0, 0, "extensionAttribute5=employeeId")]
    assert validate_rules(["upn", rule]) == []
    errors = validate_rules(["upn", "phone", {"ad_attribute": "x"}])
    assert len(errors) == 2 and "phone" in errors[0]


def test_judge_link_outcomes():
    a, c = ad("ann"), cloud("c1", "ann@x")
    assert judge_link(a, c) == ("link", "link", {"cloud_immutable_id": "ann==", "ad_link": "c1"})
    assert judge_link(ad("ann", link="C1"), cloud("c1", "ann@x", anchor="ann=="))[0] == "linked"
    # half done (interrupted run): only the missing side is written
    assert judge_link(ad("ann"), cloud("c1", "ann@x", anchor="ann=="))[2] == {"ad_link": "c1"}
    verdict, detail, _ = judge_link(a, cloud("c1", "ann@x", anchor="other=="))
    assert verdict == "conflict" and "another AD object" in detail
    verdict, detail, _ = judge_link(ad("ann", link="c9"), c)
    assert verdict == "conflict" and "c9" in detail
    verdict, detail, _ = judge_link(a, cloud("c1", "ann@x", admin=True))
    assert verdict == "refused" and "allow_privileged" in detail
    assert judge_link(a, cloud("c1", "ann@x", admin=True), allow_privileged=True)[0] == "link"
    assert judge_link(a, cloud("c1", "ann@x", synced=True))[0] == "refused"


def test_judge_unlink_only_clears_links_to_each_other():
    assert judge_unlink(ad("ann", link="c1"), cloud("c1", "x", anchor="ann==")) == \
        {"cloud_immutable_id": None, "ad_link": None}
    assert judge_unlink(ad("ann", link="c2"), cloud("c1", "x", anchor="bob==")) == {}
    assert judge_unlink(ad("ann"), cloud("c1", "x")) == {}


def test_audit_classifies_everything_once():
    ads = [ad("ok", link="c1"), ad("half"), ad("dangling", link="gone"), ad("lonely"), ad("wrong", link="c4")]
    clouds = [cloud("c1", "ok@x", anchor="ok=="), cloud("c2", "half@x", anchor="half=="),
              cloud("c3", "orphan@x", anchor="nobody=="), cloud("c4", "w@x"), cloud("c5", "free@x")]
    result = audit(ads, clouds)
    assert result["linked"] == [(0, 0)]
    assert result["mismatched"] == [{"ad": 1, "cloud": 1, "reason": "the AD link attribute is empty"},
                                    {"ad": 4, "cloud": 3,
                                     "reason": "the cloud user's immutable id does not name this AD user"}]
    assert result["broken_cloud"] == [2] and result["broken_ad"] == [2]
    assert result["unlinked_ad"] == [3] and result["unlinked_cloud"] == [4]
