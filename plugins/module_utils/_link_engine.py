# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""account_link's run: read both sides -> pair -> judge -> (check mode stops here) -> write.

The matching and judging rules are _link_rules (pure); the reads and writes go through a
LinkIO (_link_io) or, in unit tests, a fake with the same methods. Writes go cloud first, then
AD: the AD link attribute (with pwdLastSet 0 when a password change is forced) is the last
thing written, so an interrupted run never forces a password change for a link that is not on
both sides, and a rerun completes whatever half is missing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils import _delete_guard as delete_guard
from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import (
    existing_links, judge_link, judge_unlink, match, refusal_reason)

ACTIONS = ("linked", "updated", "unchanged", "unlinked", "skipped", "failed")
CHANGING = ("linked", "updated", "unlinked")
REASONS = ("ambiguous", "conflict", "privileged", "sync_mastered", "guest")
CLOUD_ANCHOR = "onPremisesImmutableId"
PWD_LAST_SET = "pwdLastSet"
WAITED = ("; it was looked up again for the replication wait: if it was created moments ago, Graph has not replicated it "
          "yet, rerun later (or raise HYBRID_IDENTITY_REPLICATION_WAIT)")


def _fold(value):
    return str(value).strip().casefold() if value is not None else None


class Pair(object):
    """One AD user and one cloud user on their way through the run (either may be None)."""

    def __init__(self, ad=None, cloud=None, source=None, ad_given=None, cloud_given=None):
        self.ad = ad
        self.cloud = cloud
        self.source = source
        self.ad_given = ad_given
        self.cloud_given = cloud_given
        self.action = None
        self.reason = None
        self.message = None
        self.cloud_target = None      # the cloud user written (unlink may write one the pair did not name)
        self.cloud_change = None      # (value,) when onPremisesImmutableId is written (value None clears)
        self.ad_changes = {}          # {attribute: value or None}
        self.before = {}
        self.after = {}
        self.forced = False
        self.warning = None
        self.candidates = None

    @property
    def name(self):
        if self.ad_given:
            return self.ad_given
        if self.ad is not None:
            return self.ad.get("sam") or self.ad["dn"]
        if self.cloud is not None:
            return self.cloud.get("upn") or self.cloud["id"]
        return self.cloud_given

    def skip(self, reason, message):
        self.action, self.reason, self.message = "skipped", reason, message

    def fail(self, message, reason="error"):
        self.action, self.reason, self.message = "failed", reason, message

    def result(self, link_attribute):
        ad, cloud = self.ad or {}, self.cloud_target or self.cloud or {}
        item = {
            "name": self.name,
            "action": self.action,
            "rule": self.source,
            "ad_dn": ad.get("dn"),
            "sam_account_name": ad.get("sam"),
            "object_guid": ad.get("object_guid"),
            "immutable_id": ad.get("immutable_id"),
            "cloud_id": cloud.get("id") or ad.get("link"),
            "cloud_upn": cloud.get("upn"),
            "changed_attributes": self.changed_attributes(link_attribute),
            "password_change_forced": self.forced,
        }
        if self.reason:
            item["reason"] = self.reason
        if self.message:
            item["message"] = self.message
        if self.warning:
            item["warning"] = self.warning
        if self.candidates is not None:
            item["candidates"] = self.candidates
        return item

    def changed_attributes(self, link_attribute):
        out = []
        if self.cloud_change is not None:
            out.append("cloud:" + CLOUD_ANCHOR)
        for attr in sorted(self.ad_changes):
            out.append("ad:" + attr)
        return out


class LinkResults(object):
    """The run's per-pair results, summary and diff, and how the run ends."""

    def __init__(self, module, link_attribute):
        self.module = module
        self.link_attribute = link_attribute
        self.pairs = []
        self.unmatched_ad = []
        self.unmatched_cloud = []

    def add(self, pair):
        self.pairs.append(pair)
        return pair

    @property
    def changed(self):
        return any(p.action in CHANGING for p in self.pairs)

    def summary(self):
        counts = dict((a, 0) for a in ACTIONS)
        reasons = dict((r, 0) for r in REASONS)
        for pair in self.pairs:
            counts[pair.action] = counts.get(pair.action, 0) + 1
            if pair.action == "skipped":
                reasons[pair.reason] = reasons.get(pair.reason, 0) + 1
        counts["total"] = len(self.pairs)
        counts["skipped_by_reason"] = reasons
        counts["unmatched_ad"] = len(self.unmatched_ad)
        counts["unmatched_cloud"] = len(self.unmatched_cloud)
        counts["passwords_forced"] = sum(1 for p in self.pairs if p.forced)
        return counts

    def result(self, **extra):
        result = {"changed": self.changed, "links": [p.result(self.link_attribute) for p in self.pairs],
                  "summary": self.summary(),
                  "unmatched": {"ad": [u["dn"] for u in self.unmatched_ad],
                                "cloud": [u.get("upn") or u["id"] for u in self.unmatched_cloud]}}
        if self.module._diff:
            before, after = {}, {}
            for pair in self.pairs:
                if pair.action in CHANGING:
                    before[pair.name] = pair.before
                    after[pair.name] = pair.after
            result["diff"] = {"before": before, "after": after}
        result.update(extra)
        return result

    def exit(self, fail_on_skipped=False, refusal=None, **extra):
        """refusal: the whole run was refused before any write (over a delete limit): that is the message."""
        result = self.result(**extra)
        if refusal:
            self.module.fail_json(msg=refusal, **result)
        bad = [p for p in self.pairs if p.action == "failed" or (fail_on_skipped and p.action == "skipped")]
        if bad:
            lines = ["%s: %s" % (p.name, p.message) for p in bad[:50]]
            more = "" if len(bad) <= 50 else " (and %d more)" % (len(bad) - 50)
            what = "failed or were skipped" if fail_on_skipped else "failed"
            msg = "%d of %d links %s%s: %s" % (len(bad), len(self.pairs), what, more, "; ".join(lines))
            self.module.fail_json(msg=msg, **result)
        self.module.exit_json(**result)


class LinkRun(object):
    """One account_link run. params: the module's options (only the linking ones are read)."""

    def __init__(self, io, params, check_mode=False):
        self.io = io
        self.params = params
        self.check_mode = check_mode
        self.link_attribute = params["link_attribute"]
        self.pairs = []
        self.unmatched_ad = []
        self.unmatched_cloud = []
        self.anchor_map = {}    # immutable id -> cloud user holding it (everyone seen or looked up)
        self.link_map = {}      # folded cloud id -> [AD users whose link attribute names it]
        self.whole_tenant = False
        self.whole_domain = False
        self.refusal = None

    # ------------------------------------------------------------------ bookkeeping
    def _know_cloud(self, users):
        for user in users:
            if user.get("immutable_id"):
                self.anchor_map.setdefault(user["immutable_id"], user)

    def _know_ad(self, users):
        for user in users:
            if user.get("link"):
                holders = self.link_map.setdefault(_fold(user["link"]), [])
                if not any(codecs.same_dn(h["dn"], user["dn"]) for h in holders):
                    holders.append(user)

    @property
    def scope_given(self):
        p = self.params
        return bool(p.get("ad_search_base") or p.get("ad_filter") or p.get("ad_group"))

    # ------------------------------------------------------------------ link
    def explicit_pairs(self, specs, need_cloud=True):
        """Resolve `pairs`: both sides looked up in bulk; unknown or repeated users fail."""
        if not specs:
            return []
        ad_found = self.io.ad_lookup([s["ad"] for s in specs])
        cloud_keys = [s["cloud"] for s in specs if s.get("cloud")]
        cloud_found = self.io.cloud_lookup(cloud_keys) if cloud_keys else {}
        # A cloud user created moments ago (cloud_user in the task before) is not listed yet:
        # read the missing ones again for a while (replication delay) when their AD user exists.
        late = [s["cloud"] for s in specs if need_cloud and s.get("cloud") and s["ad"] in ad_found
                and s["cloud"].strip().lower() not in cloud_found]
        waited = bool(late)
        if late:
            cloud_found.update(self.io.cloud_wait(late))
        self._know_ad(ad_found.values())
        self._know_cloud(cloud_found.values())
        out, seen_ad, seen_cloud = [], {}, {}
        for index, spec in enumerate(specs):
            pair = Pair(ad=ad_found.get(spec["ad"]), source="pair", ad_given=spec["ad"], cloud_given=spec.get("cloud"))
            if spec.get("cloud"):
                pair.cloud = cloud_found.get(spec["cloud"].strip().lower())
            out.append(pair)
            if pair.ad is None:
                pair.fail("AD user '%s' not found (give a sAMAccountName, UPN, DN or objectGUID)" % spec["ad"],
                          "not_found")
                continue
            if need_cloud and not spec.get("cloud"):
                pair.fail("pairs[%d] has no cloud user: give cloud (UPN or object id) to link" % index, "invalid")
                continue
            if spec.get("cloud") and pair.cloud is None and need_cloud:
                why = "cloud user '%s' not found (give a UPN or an object id)" % spec["cloud"]
                pair.fail(why + (WAITED if waited else ""), "not_found")
                continue
            dn = codecs.normalize_dn(pair.ad["dn"])
            if dn in seen_ad:
                pair.fail("the AD user is listed twice in pairs (also pairs[%d]); list each user once" % seen_ad[dn],
                          "invalid")
                continue
            seen_ad[dn] = index
            if pair.cloud is not None:
                cid = pair.cloud["id"].lower()
                if cid in seen_cloud:
                    pair.fail("the cloud user is listed twice in pairs (also pairs[%d]); list each user once"
                              % seen_cloud[cid], "invalid")
                    continue
                seen_cloud[cid] = index
        return out

    def rule_pairs(self, explicit):
        """Pairs from the match rules over both scopes, after hard matching existing links."""
        p = self.params
        ad_users = self.io.ad_scope(p.get("ad_search_base"), p.get("ad_search_scope") or "subtree", p.get("ad_filter"),
                                    p.get("ad_group"), p.get("ad_group_nested"))
        cloud_all = self.io.cloud_scope(p.get("cloud_filter"))
        self.whole_domain = not self.scope_given
        self.whole_tenant = not p.get("cloud_filter")
        self._know_ad(ad_users)
        self._know_cloud(cloud_all)
        taken_dn = set(codecs.normalize_dn(x.ad["dn"]) for x in explicit if x.ad is not None)
        taken_id = set(x.cloud["id"].lower() for x in explicit if x.cloud is not None)
        ad_users = [u for u in ad_users if codecs.normalize_dn(u["dn"]) not in taken_dn]
        cloud_users = [u for u in cloud_all if u["id"].lower() not in taken_id and not u.get("guest")]
        out = []
        existing, clashes = existing_links(ad_users, cloud_users)
        for apos, cpos, source in existing:
            out.append(Pair(ad=ad_users[apos], cloud=cloud_users[cpos], source=source))
        for clash in clashes:
            pair = Pair(ad=ad_users[clash["ad"]], source="existing")
            pair.candidates = [self._cloud_ref(cloud_users[c]) for c in clash["cloud"]]
            pair.skip("conflict", clash["reason"])
            out.append(pair)
        ad_exclude = set(a for a, dummy, dummy2 in existing) | set(c["ad"] for c in clashes)
        cloud_exclude = set(c for dummy, c, dummy2 in existing)
        pairs, ambiguous, un_ad, un_cloud = match(ad_users, cloud_users, p.get("rules") or [], ad_exclude,
                                                  cloud_exclude)
        for apos, cpos, rule in pairs:
            out.append(Pair(ad=ad_users[apos], cloud=cloud_users[cpos], source=rule))
        for amb in ambiguous:
            if amb.get("ad") is not None:
                pair = Pair(ad=ad_users[amb["ad"]], source=amb["rule"])
                pair.candidates = [self._cloud_ref(cloud_users[c]) for c in amb["cloud"]]
                pair.skip("ambiguous", "rule %s matches %d cloud users: %s; pair this user explicitly"
                          % (amb["rule"], len(amb["cloud"]), ", ".join(c["upn"] or c["id"] for c in pair.candidates)))
            else:
                pair = Pair(cloud=cloud_users[amb["cloud"][0]], source=amb["rule"])
                pair.candidates = [{"dn": ad_users[a]["dn"], "sam_account_name": ad_users[a].get("sam")}
                                   for a in amb["ad_candidates"]]
                pair.skip("ambiguous", "rule %s matches %d AD users with this cloud user: %s; pair it explicitly"
                          % (amb["rule"], len(pair.candidates), ", ".join(c["dn"] for c in pair.candidates)))
            out.append(pair)
        self.unmatched_ad = [ad_users[a] for a in un_ad]
        self.unmatched_cloud = [cloud_users[c] for c in un_cloud]
        return out

    @staticmethod
    def _cloud_ref(user):
        return {"id": user["id"], "upn": user.get("upn")}

    def _holders(self, pairs):
        """Who else holds each pair's anchor (cloud) or names its cloud user (AD), looked up in
        bulk where the scopes read so far do not cover the whole tenant / domain."""
        anchors, ids = set(), set()
        for pair in pairs:
            ad, cloud = pair.ad, pair.cloud
            if cloud.get("immutable_id") != ad["immutable_id"] and ad["immutable_id"] not in self.anchor_map:
                anchors.add(ad["immutable_id"])
            if _fold(ad.get("link")) != _fold(cloud["id"]) and _fold(cloud["id"]) not in self.link_map:
                ids.add(cloud["id"])
        if anchors and not self.whole_tenant:
            self._know_cloud(self.io.cloud_by_anchor(sorted(anchors)).values())
        if ids and not self.whole_domain:
            self._know_ad(self.io.ad_by_link(sorted(ids)))

    def _judge(self, pair, allow_privileged):
        ad, cloud = pair.ad, pair.cloud
        holder = self.anchor_map.get(ad["immutable_id"])
        if holder is not None and holder["id"].lower() == cloud["id"].lower():
            holder = None
        link_holder = None
        for other in self.link_map.get(_fold(cloud["id"]), []):
            if not codecs.same_dn(other["dn"], ad["dn"]):
                link_holder = other
                break
        return judge_link(ad, cloud, allow_privileged, anchor_holder=holder, link_holder=link_holder)

    def plan_link(self, pairs):
        p = self.params
        live = [x for x in pairs if x.action is None]
        self._holders(live)
        verdicts = dict((id(x), self._judge(x, True)) for x in live)
        if not p.get("allow_privileged") and any(v[0] == "link" for v in verdicts.values()):
            admins = self.io.admin_ids()
            for pair in live:
                pair.cloud["is_admin"] = pair.cloud["id"].lower() in admins
                verdicts[id(pair)] = self._judge(pair, False)
        for pair in live:
            verdict, detail, changes = verdicts[id(pair)]
            if verdict in ("conflict", "refused"):
                pair.skip(refusal_reason(pair.cloud, verdict, detail), detail)
                continue
            if verdict == "linked":
                pair.action = "unchanged"
                continue
            ad, cloud = pair.ad, pair.cloud
            pair.cloud_target = cloud
            if "cloud_immutable_id" in changes:
                pair.cloud_change = (changes["cloud_immutable_id"],)
                pair.before.setdefault("cloud", {})[CLOUD_ANCHOR] = cloud.get("immutable_id")
                pair.after.setdefault("cloud", {})[CLOUD_ANCHOR] = changes["cloud_immutable_id"]
            if "ad_link" in changes:
                pair.ad_changes[self.link_attribute] = changes["ad_link"]
                pair.before.setdefault("ad", {})[self.link_attribute] = ad.get("link")
                pair.after.setdefault("ad", {})[self.link_attribute] = changes["ad_link"]
                if p.get("force_password_change"):
                    # Must change at next logon goes with the AD half of a new link, never again.
                    pair.forced = True
                    if ad.get("pwd_last_set") != 0:
                        pair.ad_changes[PWD_LAST_SET] = codecs.PWD_LAST_SET_MUST_CHANGE
                        pair.before["ad"][PWD_LAST_SET] = ad.get("pwd_last_set")
                        pair.after["ad"][PWD_LAST_SET] = 0
                    if int(ad.get("uac") or 0) & codecs.UAC_DONT_EXPIRE_PASSWORD:
                        pair.warning = ("the password never expires (DONT_EXPIRE_PASSWORD), so must-change-at-next-"
                                        "logon has no effect until that flag is cleared")
            pair.action = "linked" if pair.cloud_change is not None and pair.ad_changes else "updated"

    def link(self):
        explicit = self.explicit_pairs(self.params.get("pairs") or [])
        pairs = list(explicit)
        if self.params.get("rules"):
            pairs += self.rule_pairs(explicit)
        self.plan_link([x for x in pairs if x.ad is not None and x.cloud is not None])
        self.pairs = pairs
        if not self.check_mode:
            self.write()
        return pairs

    # ------------------------------------------------------------------ unlink
    def unlink(self):
        p = self.params
        specs = p.get("pairs") or []
        if specs:
            pairs = self.explicit_pairs(specs, need_cloud=False)
            listed = True
        else:
            ad_users = self.io.ad_scope(p.get("ad_search_base"), p.get("ad_search_scope") or "subtree",
                                        p.get("ad_filter"), p.get("ad_group"), p.get("ad_group_nested"))
            pairs = [Pair(ad=u, source="scope") for u in ad_users]
            listed = False
        live = [x for x in pairs if x.action is None]
        anchors = [x.ad["immutable_id"] for x in live if x.cloud_given is None]
        holders = self.io.cloud_by_anchor(anchors) if anchors else {}
        for pair in live:
            ad = pair.ad
            target, ad_clear = None, False
            if pair.cloud_given is not None:
                changes = judge_unlink(ad, pair.cloud)
                if "cloud_immutable_id" in changes:
                    target = pair.cloud
                ad_clear = "ad_link" in changes
                if pair.cloud is None and ad.get("link") and _fold(ad["link"]) == _fold(pair.cloud_given):
                    ad_clear = True   # the link names a cloud user that no longer exists
            else:
                target = holders.get(ad["immutable_id"])
                ad_clear = bool(ad.get("link"))
            if target is not None and target.get("sync_enabled"):
                pair.cloud_target = target
                pair.skip("sync_mastered", "cloud user %s is mastered by a directory sync engine "
                          "(onPremisesSyncEnabled): unlink it through that engine" % (target.get("upn") or target["id"]))
                continue
            if target is not None:
                pair.cloud_target = target
                pair.cloud_change = (None,)
                pair.before.setdefault("cloud", {})[CLOUD_ANCHOR] = target.get("immutable_id")
                pair.after.setdefault("cloud", {})[CLOUD_ANCHOR] = None
            if ad_clear:
                pair.ad_changes[self.link_attribute] = None
                pair.before.setdefault("ad", {})[self.link_attribute] = ad.get("link")
                pair.after.setdefault("ad", {})[self.link_attribute] = None
            pair.action = "unlinked" if (target is not None or ad_clear) else "unchanged"
        if not listed:
            # A scope run lists what it unlinked (or could not), not every unlinked user of an OU.
            pairs = [x for x in pairs if x.action != "unchanged"]
        self.pairs = pairs
        self.refusal = self._guard_unlinks(pairs)
        if not self.check_mode and self.refusal is None:
            self.write()
        return pairs

    def _guard_unlinks(self, pairs):
        """Delete protection covers unlinks: no account goes, but every pair unlinked loses its hard match and
        the link its password sync follows. Scope: the domain's users. Over a limit no pair is written."""
        planned = [x for x in pairs if x.action == "unlinked"]
        if not planned:
            return None
        defaults = {delete_guard.COUNT_OPTION: delete_guard.DEFAULT_MAX_DELETES,
                    delete_guard.PERCENT_OPTION: delete_guard.DEFAULT_MAX_DELETE_PERCENT}
        limits = dict((o, self.params.get(o, d)) for o, d in defaults.items())
        guard = delete_guard.guard_from("account_link", limits, where="the domain", verb="unlink")
        refusal = guard(len(planned), self._count_domain)
        if refusal is not None:
            for pair in planned:
                pair.fail(refusal, reason="delete_limit")
        return refusal

    def _count_domain(self):
        """Read only when the share limit decides, or to name the scope in a refusal."""
        return self.io.count_ad_users()

    # ------------------------------------------------------------------ write
    def write(self):
        todo = [x for x in self.pairs if x.action in CHANGING]
        writes = [(i, x.cloud_target["id"], x.cloud_change[0]) for i, x in enumerate(todo) if x.cloud_change is not None]
        try:
            answers = self.io.cloud_write(writes)
        except Exception as exc:  # pylint: disable=broad-except
            # The whole batch failed (network, token): nothing was written for any of them.
            answers = dict((key, exc) for key, dummy, dummy2 in writes)
        for index, pair in enumerate(todo):
            error = answers.get(index)
            if error is not None:
                text = error.text(False) if hasattr(error, "text") else str(error)
                if getattr(error, "is_conflict", False):
                    pair.skip("conflict", "Graph refused the immutable id: another cloud user already holds it "
                              "(%s); unlink that user first" % text)
                else:
                    pair.fail("writing the cloud side failed: %s" % text)
                pair.forced = False
                continue
            if not pair.ad_changes:
                continue
            try:
                problem = self.io.ad_write(pair.ad["dn"], pair.ad_changes)
            except Exception as exc:  # pylint: disable=broad-except
                problem = getattr(exc, "message", None) or str(exc)
            if problem:
                done = " (the cloud side was written; a rerun completes the link)" if pair.cloud_change else ""
                pair.fail("writing the AD side failed: %s%s" % (problem, done))
                pair.forced = False


# ---------------------------------------------------------------------------------- audit
def ad_ref(user):
    return {"ad_dn": user["dn"], "sam_account_name": user.get("sam"), "upn": user.get("upn"),
            "object_guid": user.get("object_guid"), "immutable_id": user.get("immutable_id"),
            "link_value": user.get("link")}


def cloud_ref(user):
    out = {"cloud_id": user["id"], "cloud_upn": user.get("upn"), "cloud_immutable_id": user.get("immutable_id"),
           "sync_enabled": bool(user.get("sync_enabled"))}
    if "is_admin" in user and user.get("is_admin") is not None:
        out["is_admin"] = bool(user.get("is_admin"))
    return out


def _anchor_guid(value):
    try:
        return codecs.guid_from_immutable_id(value)
    except ValueError:
        return None


def run_audit(io, params):
    """account_link_info: one paged listing on each side, classified by _link_rules.audit; users a
    link names outside the scopes are looked up in bulk so that only truly dangling links count as
    broken; proposals under the given rules are judged as account_link would."""
    from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import audit
    p = params
    ad_users = io.ad_scope(p.get("ad_search_base"), p.get("ad_search_scope") or "subtree", p.get("ad_filter"),
                           p.get("ad_group"), p.get("ad_group_nested"))
    cloud_all = io.cloud_scope(p.get("cloud_filter"))
    cloud_users = [u for u in cloud_all if not u.get("guest")]
    guests = len(cloud_all) - len(cloud_users)
    found = audit(ad_users, cloud_users)
    whole_domain = not (p.get("ad_search_base") or p.get("ad_filter") or p.get("ad_group"))
    whole_tenant = not p.get("cloud_filter")

    outside = []
    broken_cloud = [cloud_users[c] for c in found["broken_cloud"]]
    if broken_cloud and not whole_domain:
        holders = dict((u["immutable_id"], u) for u in io.ad_by_anchor([c["immutable_id"] for c in broken_cloud]))
        still = []
        for cloud in broken_cloud:
            ad = holders.get(cloud["immutable_id"])
            if ad is None:
                still.append(cloud)
            else:
                item = dict(ad_ref(ad), **cloud_ref(cloud))
                item["outside"] = "ad"
                outside.append(item)
        broken_cloud = still
    broken_ad = [ad_users[a] for a in found["broken_ad"]]
    if broken_ad and not whole_tenant:
        named = io.cloud_lookup([a["link"] for a in broken_ad])
        still = []
        for ad in broken_ad:
            cloud = named.get(_fold(ad["link"]))
            if cloud is None:
                still.append(ad)
            else:
                item = dict(ad_ref(ad), **cloud_ref(cloud))
                item["outside"] = "cloud"
                outside.append(item)
        broken_ad = still

    report = {
        "linked": [dict(ad_ref(ad_users[a]), **cloud_ref(cloud_users[c])) for a, c in found["linked"]],
        "mismatched": [dict(ad_ref(ad_users[m["ad"]]), reason=m["reason"], **cloud_ref(cloud_users[m["cloud"]]))
                       for m in found["mismatched"]],
        "broken_cloud": [dict(cloud_ref(c), object_guid=_anchor_guid(c["immutable_id"])) for c in broken_cloud],
        "broken_ad": [ad_ref(a) for a in broken_ad],
        "outside_scope": outside,
        "unlinked_ad": [ad_ref(ad_users[a]) for a in found["unlinked_ad"]],
        "unlinked_cloud": [cloud_ref(cloud_users[c]) for c in found["unlinked_cloud"]],
        "proposed": [],
        "ambiguous": [],
    }
    rules = p.get("rules") or []
    if rules:
        un_ad = [ad_users[a] for a in found["unlinked_ad"]]
        un_cloud = [cloud_users[c] for c in found["unlinked_cloud"]]
        pairs, ambiguous, dummy, dummy2 = match(un_ad, un_cloud, rules)
        if pairs and not p.get("allow_privileged"):
            admins = io.admin_ids()
            for user in un_cloud:
                user["is_admin"] = user["id"].lower() in admins
        for apos, cpos, rule in pairs:
            verdict, detail, dummy3 = judge_link(un_ad[apos], un_cloud[cpos], bool(p.get("allow_privileged")))
            item = dict(ad_ref(un_ad[apos]), rule=rule, **cloud_ref(un_cloud[cpos]))
            item["verdict"] = "link" if verdict == "link" else "skip"
            if verdict != "link":
                item["reason"] = refusal_reason(un_cloud[cpos], verdict, detail) or verdict
                item["message"] = detail
            report["proposed"].append(item)
        for amb in ambiguous:
            if amb.get("ad") is not None:
                item = {"rule": amb["rule"], "ad": ad_ref(un_ad[amb["ad"]]),
                        "cloud": [cloud_ref(un_cloud[c]) for c in amb["cloud"]]}
            else:
                item = {"rule": amb["rule"], "ad": [ad_ref(un_ad[a]) for a in amb["ad_candidates"]],
                        "cloud": cloud_ref(un_cloud[amb["cloud"][0]])}
            report["ambiguous"].append(item)
    counts = dict((key, len(value)) for key, value in report.items())
    counts["ad_users"] = len(ad_users)
    counts["cloud_users"] = len(cloud_users)
    counts["cloud_guests_ignored"] = guests
    counts["proposed_to_link"] = sum(1 for x in report["proposed"] if x["verdict"] == "link")
    report["counts"] = counts
    return report
