"""LinkRun / run_audit with an in-memory LinkIO: planning, write order, failures, requests."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._link_engine import LinkRun, run_audit
from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import (
    existing_links, judge_link, match, property_value)

ATTR = "msDS-cloudExtensionAttribute1"


def ad(sam, upn=None, link=None, pwd=123, uac=514, **extra):
    user = {"key": sam, "dn": "CN=%s,OU=T,DC=x" % sam, "sam": sam, "upn": upn, "mail": None, "employee_id": None,
            "immutable_id": sam + "==", "object_guid": "g-" + sam, "link": link, "pwd_last_set": pwd, "uac": uac,
            "attrs": {}, "proxy_addresses": []}
    user.update(extra)
    return user


def cloud(cid, upn, anchor=None, **extra):
    user = {"id": cid, "upn": upn, "mail": None, "mail_nickname": None, "employee_id": None, "proxy_addresses": [],
            "immutable_id": anchor, "sync_enabled": False, "guest": False, "is_admin": False, "props": {}}
    user.update(extra)
    return user


class FakeIO(object):
    def __init__(self, ads, clouds, admins=(), cloud_errors=None, ad_errors=None):
        self.ads, self.clouds, self.admins = ads, clouds, set(admins)
        self.cloud_errors, self.ad_errors = cloud_errors or {}, ad_errors or {}
        self.calls = []
        self.cloud_writes, self.ad_writes = [], []

    def _copy(self, users):
        return [dict(u) for u in users]

    def ad_scope(self, *args):
        self.calls.append("ad_scope")
        return self._copy(self.ads)

    def ad_lookup(self, identities):
        self.calls.append("ad_lookup")
        return dict((i, dict(u)) for i in identities for u in self.ads if i in (u["sam"], u["dn"], u["upn"]))

    def ad_by_link(self, ids):
        self.calls.append("ad_by_link")
        return [dict(u) for u in self.ads if u["link"] in ids]

    def ad_by_anchor(self, anchors):
        self.calls.append("ad_by_anchor")
        return [dict(u) for u in self.ads if u["immutable_id"] in anchors]

    def ad_write(self, dn, changes):
        self.ad_writes.append((dn, dict(changes)))
        if dn in self.ad_errors:
            return self.ad_errors[dn]
        user = [u for u in self.ads if u["dn"] == dn][0]
        if ATTR in changes:
            user["link"] = changes[ATTR]
        if "pwdLastSet" in changes:
            user["pwd_last_set"] = 0
        return None

    def cloud_scope(self, flt=None):
        self.calls.append("cloud_scope")
        return self._copy(self.clouds)

    def cloud_lookup(self, keys):
        self.calls.append("cloud_lookup")
        return dict((k.lower(), dict(u)) for k in keys for u in self.clouds if k.lower() in (u["id"], u["upn"].lower()))

    def cloud_wait(self, keys):
        self.calls.append("cloud_wait")
        return {}

    def cloud_by_anchor(self, anchors):
        self.calls.append("cloud_by_anchor")
        return dict((u["immutable_id"], dict(u)) for u in self.clouds if u["immutable_id"] in anchors)

    def admin_ids(self):
        self.calls.append("admin_ids")
        return set(self.admins)

    def cloud_write(self, writes):
        out = {}
        for key, cid, value in writes:
            self.cloud_writes.append((cid, value))
            out[key] = self.cloud_errors.get(cid)
            if out[key] is None:
                [u for u in self.clouds if u["id"] == cid][0]["immutable_id"] = value
        return out


def params(**kw):
    base = {"link_attribute": ATTR, "pairs": [], "rules": [], "allow_privileged": False, "force_password_change": True,
            "state": "present"}
    base.update(kw)
    return base


def test_explicit_pair_check_mode_plans_and_writes_nothing_then_applies_then_is_unchanged():
    io = FakeIO([ad("ann")], [cloud("c1", "ann@x")])
    pairs = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}]), check_mode=True).link()
    assert [(p.action, p.cloud_change, p.ad_changes) for p in pairs] == [
        ("linked", ("ann==",), {ATTR: "c1", "pwdLastSet": 0})]
    assert io.cloud_writes == [] and io.ad_writes == []
    pairs = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}])).link()
    assert pairs[0].action == "linked" and pairs[0].forced
    assert io.cloud_writes == [("c1", "ann==")] and io.ad_writes[0][1] == {ATTR: "c1", "pwdLastSet": 0}
    io.calls = []
    pairs = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}])).link()
    assert pairs[0].action == "unchanged" and not pairs[0].forced
    assert "admin_ids" not in io.calls     # nothing to write: no role read


def test_cloud_conflict_is_a_skip_and_ad_is_not_written():
    class Conflict(Exception):
        is_conflict = True

        def text(self, include_target):
            return "another object with the same value"
    io = FakeIO([ad("ann")], [cloud("c1", "ann@x")], cloud_errors={"c1": Conflict()})
    pair = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}])).link()[0]
    assert pair.action == "skipped" and pair.reason == "conflict" and io.ad_writes == [] and not pair.forced


def test_ad_failure_after_cloud_write_fails_the_pair_and_says_rerun_completes():
    io = FakeIO([ad("ann")], [cloud("c1", "ann@x")], ad_errors={"CN=ann,OU=T,DC=x": "insufficient rights"})
    pair = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}])).link()[0]
    assert pair.action == "failed" and "rerun completes" in pair.message and not pair.forced


def test_password_already_must_change_and_never_expires():
    io = FakeIO([ad("ann", pwd=0, uac=512 | 65536)], [cloud("c1", "ann@x")])
    pair = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}])).link()[0]
    assert pair.ad_changes == {ATTR: "c1"} and pair.forced and "DONT_EXPIRE_PASSWORD" in pair.warning
    io = FakeIO([ad("bob")], [cloud("c2", "bob@x")])
    pair = LinkRun(io, params(pairs=[{"ad": "bob", "cloud": "bob@x"}], force_password_change=False)).link()[0]
    assert pair.ad_changes == {ATTR: "c2"} and not pair.forced


def test_admins_read_once_and_refused_unless_allowed():
    io = FakeIO([ad("ann", upn="a@x"), ad("bob", upn="b@x")], [cloud("c1", "a@x"), cloud("c2", "b@x")],
                admins={"c1"})
    pairs = LinkRun(io, params(rules=["upn"])).link()
    assert [(p.ad["sam"], p.action, p.reason) for p in pairs] == [("ann", "skipped", "privileged"),
                                                                  ("bob", "linked", None)]
    assert io.calls.count("admin_ids") == 1
    io = FakeIO([ad("ann", upn="a@x")], [cloud("c1", "a@x")], admins={"c1"})
    assert LinkRun(io, params(rules=["upn"], allow_privileged=True)).link()[0].action == "linked"
    assert "admin_ids" not in io.calls


def test_rules_over_whole_scopes_need_no_holder_lookups_but_filtered_scopes_do():
    io = FakeIO([ad("ann", upn="a@x")], [cloud("c1", "a@x")])
    LinkRun(io, params(rules=["upn"]), check_mode=True).link()
    assert "cloud_by_anchor" not in io.calls and "ad_by_link" not in io.calls
    io = FakeIO([ad("ann", upn="a@x")], [cloud("c1", "a@x")])
    LinkRun(io, params(rules=["upn"], ad_search_base="OU=T,DC=x", cloud_filter="x"), check_mode=True).link()
    assert "cloud_by_anchor" in io.calls and "ad_by_link" in io.calls


def test_link_holder_outside_the_scope_is_a_conflict():
    other = ad("old", link="c1")
    io = FakeIO([ad("ann", upn="a@x"), other], [cloud("c1", "a@x")])
    io.ad_scope = lambda *a: [ad("ann", upn="a@x")]
    pair = LinkRun(io, params(rules=["upn"], ad_search_base="OU=T,DC=x")).link()[0]
    assert pair.reason == "conflict" and "old" in pair.message


def test_duplicates_and_missing_in_pairs_fail():
    io = FakeIO([ad("ann"), ad("bob")], [cloud("c1", "ann@x")])
    pairs = LinkRun(io, params(pairs=[{"ad": "ann", "cloud": "ann@x"}, {"ad": "bob", "cloud": "ann@x"},
                                      {"ad": "ghost", "cloud": "ann@x"}, {"ad": "ann", "cloud": "nope@x"}]),
                    check_mode=True).link()
    assert [p.action for p in pairs] == ["linked", "failed", "failed", "failed"]
    assert "listed twice" in pairs[1].message and pairs[2].reason == "not_found" and pairs[3].reason == "not_found"


def test_unlink_by_scope_clears_both_sides_and_lists_only_changes():
    io = FakeIO([ad("ann", link="c1"), ad("bob"), ad("cy", link="gone")],
                [cloud("c1", "ann@x", anchor="ann=="), cloud("c9", "z@x", anchor="bob==")])
    pairs = LinkRun(io, params(state="absent", ad_search_base="OU=T,DC=x")).unlink()
    assert [(p.ad["sam"], p.action) for p in pairs] == [("ann", "unlinked"), ("bob", "unlinked"), ("cy", "unlinked")]
    assert sorted(io.cloud_writes) == [("c1", None), ("c9", None)]
    assert sorted(dn for dn, changes in io.ad_writes) == ["CN=ann,OU=T,DC=x", "CN=cy,OU=T,DC=x"]
    assert LinkRun(io, params(state="absent", ad_search_base="OU=T,DC=x")).unlink() == []


def test_unlink_explicit_pair_only_where_they_point_at_each_other():
    io = FakeIO([ad("ann", link="c2")], [cloud("c1", "ann@x", anchor="ann=="), cloud("c2", "b@x")])
    pair = LinkRun(io, params(state="absent", pairs=[{"ad": "ann", "cloud": "ann@x"}])).unlink()[0]
    assert pair.action == "unlinked" and io.cloud_writes == [("c1", None)] and io.ad_writes == []


def test_existing_links_clash_and_exclusion_from_rules():
    ads = [ad("ann", upn="a@x", link="c2"), ad("bob", upn="b@x")]
    clouds = [cloud("c1", "a@x", anchor="ann=="), cloud("c2", "b@x")]
    pairs, clashes = existing_links(ads, clouds)
    assert pairs == [] and clashes[0]["ad"] == 0 and clashes[0]["cloud"] == [0, 1]
    io = FakeIO(ads, clouds)
    result = LinkRun(io, params(rules=["upn"]), check_mode=True).link()
    assert [(p.ad["sam"], p.action, p.reason) for p in result] == [("ann", "skipped", "conflict"),
                                                                  ("bob", "skipped", "conflict")]


def test_match_keeps_excluded_cloud_users_as_candidates_for_conflicts():
    ads = [ad("ann", upn="a@x"), ad("bob", upn="a@x2")]
    clouds = [cloud("c1", "a@x", anchor="zzz==")]
    pairs, amb, un_ad, un_cloud = match(ads, clouds, ["upn"], ad_exclude=[1], cloud_exclude=[0])
    assert pairs == [(0, 0, "upn")] and un_ad == [] and un_cloud == []


def test_judge_sync_mastered_wins_and_holders_conflict():
    assert judge_link(ad("ann"), cloud("c1", "a@x", anchor="x==", sync_enabled=True))[0] == "refused"
    assert judge_link(ad("ann"), cloud("c1", "a@x", anchor="ann==", sync_enabled=True), )[0] == "refused"
    assert judge_link(ad("ann", link="c1"), cloud("c1", "a@x", anchor="ann==", sync_enabled=True))[0] == "linked"
    verdict, detail, _ = judge_link(ad("ann"), cloud("c1", "a@x"), anchor_holder=cloud("c2", "b@x", anchor="ann=="))
    assert verdict == "conflict" and "b@x" in detail
    verdict, detail, _ = judge_link(ad("ann"), cloud("c1", "a@x"), link_holder=ad("bob", link="c1"))
    assert verdict == "conflict" and "bob" in detail
    assert judge_link(ad("ann"), cloud("c1", "a@x", guest=True))[0] == "refused"


@pytest.mark.parametrize("path,expected", [("employeeId", "E1"), ("EMPLOYEEID", "E1"),
                                           ("onPremisesExtensionAttributes/extensionAttribute1", "X"),
                                           ("missing/deeper", None)])
def test_property_value_paths(path, expected):
    props = {"employeeId": "E1", "onPremisesExtensionAttributes": {"extensionAttribute1": "X"}}
    assert property_value(props, path) == expected


def test_custom_rule_with_path_and_ad_proxy_primary_smtp():
    ads = [ad("ann", attrs={"extensionAttribute1": ["a", "B"]}), ad("bob", proxy_addresses=["SMTP:bob@x", "smtp:b@y"])]
    clouds = [cloud("c1", "u1", props={"onPremisesExtensionAttributes": {"extensionAttribute1": "b"}}),
              cloud("c2", "u2", mail="BOB@x")]
    rule = {"ad_attribute": "extensionAttribute1", "cloud_property": "onPremisesExtensionAttributes/extensionAttribute1"}
    assert match(ads, clouds, [rule, "mail"])[0] == [(0, 0, "extensionAttribute1=onPremisesExtensionAttributes/"
                                                         "extensionAttribute1"), (1, 1, "mail")]


def test_audit_looks_up_partners_outside_the_scopes():
    io = FakeIO([ad("ann", link="c1"), ad("far")], [cloud("c1", "a@x", anchor="ann=="), cloud("c2", "b@x", anchor="far==")])
    io.ad_scope = lambda *a: [ad("ann", link="c1")]
    io.cloud_scope = lambda *a: [cloud("c2", "b@x", anchor="far==")]
    report = run_audit(io, params(ad_search_base="OU=T,DC=x", cloud_filter="x"))
    assert report["counts"]["broken_ad"] == 0 and report["counts"]["broken_cloud"] == 0
    assert sorted(x["outside"] for x in report["outside_scope"]) == ["ad", "cloud"]
