# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pairing AD users with cloud users, and judging each pair (pure logic, no I/O).

Users arrive as plain dicts, already read by the clients:
  AD:    {"key", "dn", "sam", "upn", "mail", "employee_id", "immutable_id", "link", "attrs": {...},
          "proxy_addresses"?}
  cloud: {"id", "upn", "mail", "mail_nickname", "employee_id", "proxy_addresses", "immutable_id",
          "is_admin", "sync_enabled", "guest"?, "props": {...}}
"key" is what the user typed or a DN; "link" is the AD link attribute's value (a cloud object id).
A custom rule's cloud_property may be a path into a complex property
("onPremisesExtensionAttributes/extensionAttribute1").
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

RULES = ("upn", "mail", "mail_nickname", "employee_id")


def _fold(value):
    if value is None:
        return None
    value = str(value).strip()
    return value.casefold() or None


def _ad_keys(rule, user):
    if rule == "upn":
        return [user.get("upn")]
    if rule == "mail":
        # AD's primary SMTP proxy address (Exchange) counts as well as mail, as in Entra Connect.
        keys = [user.get("mail")]
        keys += [p[5:] for p in user.get("proxy_addresses") or [] if p.startswith("SMTP:")]
        return keys
    if rule == "mail_nickname":
        return [user.get("sam")]
    if rule == "employee_id":
        return [user.get("employee_id")]
    value = (user.get("attrs") or {}).get(rule["ad_attribute"])
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _cloud_keys(rule, user):
    if rule == "upn":
        return [user.get("upn")]
    if rule == "mail":
        # The primary SMTP address (SMTP: in upper case) counts as well as mail, as in Entra Connect's soft match.
        keys = [user.get("mail")]
        keys += [p[5:] for p in user.get("proxy_addresses") or [] if p.startswith("SMTP:")]
        return keys
    if rule == "mail_nickname":
        return [user.get("mail_nickname")]
    if rule == "employee_id":
        return [user.get("employee_id")]
    value = property_value(user.get("props") or {}, rule["cloud_property"])
    return list(value) if isinstance(value, (list, tuple)) else [value]


def property_value(props, path):
    """A Graph property by name, or by an a/b path into a complex property. Graph's names are
    case-sensitive but admins' spelling is not always: an exact key wins, else a case-blind one."""
    value = props
    for part in str(path).split("/"):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        folded = [v for k, v in value.items() if k.lower() == part.lower()]
        value = folded[0] if folded else None
    return value


def rule_name(rule):
    if isinstance(rule, dict):
        return "%s=%s" % (rule["ad_attribute"], rule["cloud_property"])
    return rule


def validate_rules(rules):
    """Return a list of error strings for unknown or malformed rules."""
    errors = []
    for rule in rules:
        if isinstance(rule, dict):
            if not rule.get("ad_attribute") or not rule.get("cloud_property"):
                errors.append("custom rule %r needs both ad_attribute and cloud_property" % (rule,))
        elif rule not in RULES:
            errors.append("unknown match rule %r: use one of %s or {ad_attribute, cloud_property}"
                          % (rule, ", ".join(RULES)))
    return errors


def _index(users, keys_of, rule, taken):
    index = {}
    for pos, user in enumerate(users):
        if pos in taken:
            continue
        for key in set(filter(None, (_fold(k) for k in keys_of(rule, user)))):
            index.setdefault(key, []).append(pos)
    return index


def match(ad_users, cloud_users, rules, ad_exclude=(), cloud_exclude=()):
    """Apply rules in order. Returns (pairs, ambiguous, unmatched_ad, unmatched_cloud).

    ad_exclude: AD positions already paired or reported (existing links, explicit pairs): never
    matched and not listed as unmatched. cloud_exclude: cloud positions already paired; they stay
    candidates (so an AD user whose keys name a cloud user linked to someone else comes out as a
    pair that judge_link calls a conflict, instead of vanishing), but are not listed as unmatched.

    pairs: [(ad_pos, cloud_pos, rule_name)]; ambiguous: [{"ad": ad_pos or None, "cloud": [...],
    "rule": name}]. A match must be one-to-one under its rule; anything else is ambiguous and
    that user is not tried under later rules (guessing is worse than asking the admin).
    """
    pairs, ambiguous = [], []
    ad_taken, cloud_taken, ad_stuck, cloud_stuck = set(ad_exclude), set(), set(), set()
    for rule in rules:
        cloud_index = _index(cloud_users, _cloud_keys, rule, cloud_taken | cloud_stuck)
        ad_index = _index(ad_users, _ad_keys, rule, ad_taken | ad_stuck)
        for ad_pos, ad_user in enumerate(ad_users):
            if ad_pos in ad_taken or ad_pos in ad_stuck:
                continue
            keys = set(filter(None, (_fold(k) for k in _ad_keys(rule, ad_user))))
            candidates = sorted(set(pos for key in keys for pos in cloud_index.get(key, [])))
            if not candidates:
                continue
            if len(candidates) > 1:
                ambiguous.append({"ad": ad_pos, "cloud": candidates, "rule": rule_name(rule)})
                ad_stuck.add(ad_pos)
                continue
            cloud_pos = candidates[0]
            rivals = sorted(set(pos for key in set(filter(None, (_fold(k) for k in _cloud_keys(rule, cloud_users[cloud_pos]))))
                                for pos in ad_index.get(key, [])))
            if len(rivals) > 1:
                ambiguous.append({"ad": None, "ad_candidates": rivals, "cloud": [cloud_pos], "rule": rule_name(rule)})
                ad_stuck.update(rivals)
                cloud_stuck.add(cloud_pos)
                continue
            pairs.append((ad_pos, cloud_pos, rule_name(rule)))
            ad_taken.add(ad_pos)
            cloud_taken.add(cloud_pos)
    unmatched_ad = [pos for pos in range(len(ad_users)) if pos not in ad_taken and pos not in ad_stuck]
    cloud_exclude = set(cloud_exclude)
    unmatched_cloud = [pos for pos in range(len(cloud_users))
                       if pos not in cloud_taken and pos not in cloud_stuck and pos not in cloud_exclude]
    return pairs, ambiguous, unmatched_ad, unmatched_cloud


def _same(a, b):
    return a is not None and b is not None and str(a).casefold() == str(b).casefold()


def _cloud_name(cloud_user):
    return cloud_user.get("upn") or cloud_user["id"]


def _ad_name(ad_user):
    return ad_user.get("sam") or ad_user.get("dn")


def judge_link(ad_user, cloud_user, allow_privileged=False, anchor_holder=None, link_holder=None):
    """Decide what linking this pair means. Returns (verdict, detail, changes) where verdict is
    one of: linked (nothing to do), link (write the sides in changes), conflict, refused.
    changes: {"cloud_immutable_id": value?, "ad_link": value?}.

    anchor_holder: another cloud user that already holds this AD user's anchor (Graph keeps
    immutable ids unique, so writing it here would fail); link_holder: another AD user whose link
    attribute already names this cloud user. Either makes the pair a conflict."""
    anchor = ad_user["immutable_id"]
    cloud_anchor = cloud_user.get("immutable_id")
    ad_link = ad_user.get("link")
    if cloud_user.get("sync_enabled") and not (cloud_anchor == anchor and _same(ad_link, cloud_user["id"])):
        # The sync engine owns the object (and its anchor): whatever else is true, we may not write it.
        return ("refused", "cloud user %s is mastered by a directory sync engine (onPremisesSyncEnabled); "
                "link it through that engine instead" % _cloud_name(cloud_user), {})
    if cloud_anchor and cloud_anchor != anchor:
        return ("conflict", "cloud user %s is already linked to another AD object (immutable id %s); unlink it first"
                % (_cloud_name(cloud_user), cloud_anchor), {})
    if ad_link and not _same(ad_link, cloud_user["id"]):
        return ("conflict", "AD user %s is already linked to another cloud user (%s); unlink it first"
                % (_ad_name(ad_user), ad_link), {})
    if anchor_holder is not None and not _same(anchor_holder["id"], cloud_user["id"]):
        return ("conflict", "AD user %s is already linked to another cloud user (%s holds its immutable id); "
                "unlink it first" % (_ad_name(ad_user), _cloud_name(anchor_holder)), {})
    if link_holder is not None and link_holder["immutable_id"] != anchor:
        return ("conflict", "cloud user %s is already linked to another AD user (%s names it in its link attribute); "
                "unlink it first" % (_cloud_name(cloud_user), _ad_name(link_holder)), {})
    if cloud_user.get("guest"):
        return ("refused", "cloud user %s is a guest (userType Guest): its identity lives in another "
                "directory and cannot be linked to an AD user" % _cloud_name(cloud_user), {})
    changes = {}
    if cloud_anchor != anchor:
        changes["cloud_immutable_id"] = anchor
    if not _same(ad_link, cloud_user["id"]):
        changes["ad_link"] = cloud_user["id"]
    if changes and cloud_user.get("is_admin") and not allow_privileged:
        return ("refused", "cloud user %s holds an admin role; Entra Connect never matches admins either. "
                "Set allow_privileged=true to link it anyway" % _cloud_name(cloud_user), {})
    if not changes:
        return ("linked", "already linked", {})
    return ("link", "link", changes)


def refusal_reason(cloud_user, verdict, detail=""):
    """A short code for a verdict that leaves the pair alone (for summaries and filters)."""
    if verdict == "conflict":
        return "conflict"
    if verdict == "refused":
        if cloud_user.get("sync_enabled"):
            return "sync_mastered"
        if cloud_user.get("guest"):
            return "guest"
        return "privileged"
    return None


def existing_links(ad_users, cloud_users):
    """Hard match before any rule, as Entra Connect does: pair each AD user with the cloud user
    that holds its anchor and/or that its link attribute names, when that is one cloud user claimed
    by this AD user alone. Returns (pairs [(ad_pos, cloud_pos, "existing")], clashes) where clashes
    are [{"ad": ad_pos, "cloud": [cloud_pos...], "reason"}] for the AD users whose two sides name
    different partners (left to the admin: reported as conflicts, never matched by a rule)."""
    by_anchor = dict((u.get("immutable_id"), pos) for pos, u in enumerate(cloud_users) if u.get("immutable_id"))
    by_id = dict((_fold(u["id"]), pos) for pos, u in enumerate(cloud_users))
    claims, wanted = {}, {}
    for apos, ad_user in enumerate(ad_users):
        found = set()
        holder = by_anchor.get(ad_user.get("immutable_id"))
        if holder is not None:
            found.add(holder)
        named = by_id.get(_fold(ad_user.get("link"))) if ad_user.get("link") else None
        if named is not None:
            found.add(named)
        if found:
            wanted[apos] = sorted(found)
            for cpos in found:
                claims.setdefault(cpos, set()).add(apos)
    pairs, clashes = [], []
    for apos, found in sorted(wanted.items()):
        if len(found) == 1 and len(claims[found[0]]) == 1:
            pairs.append((apos, found[0], "existing"))
            continue
        if len(found) > 1:
            reason = ("its immutable id is held by one cloud user and its link attribute names another: "
                      "repair or unlink it first")
        else:
            reason = "more than one AD user claims this cloud user: repair or unlink them first"
        clashes.append({"ad": apos, "cloud": found, "reason": reason})
    return pairs, clashes


def judge_unlink(ad_user, cloud_user):
    """What unlinking a pair writes: clear the immutable id (JSON null) and the AD attribute,
    but only where they point at each other, never someone else's link."""
    changes = {}
    if cloud_user is not None and ad_user is not None and cloud_user.get("immutable_id") == ad_user["immutable_id"]:
        changes["cloud_immutable_id"] = None
    if ad_user is not None and cloud_user is not None and _same(ad_user.get("link"), cloud_user["id"]):
        changes["ad_link"] = None
    return changes


def audit(ad_users, cloud_users):
    """Classify both directories' link state in one pass.

    Returns dict with lists: linked [(ad, cloud)], mismatched [{ad, cloud, reason}],
    broken_cloud [cloud] (immutable id names no AD user), broken_ad [ad] (link names no cloud
    user), unlinked_ad [ad], unlinked_cloud [cloud] (positions into the inputs).
    """
    by_anchor = dict((u["immutable_id"], pos) for pos, u in enumerate(ad_users) if u.get("immutable_id"))
    by_id = dict((_fold(u["id"]), pos) for pos, u in enumerate(cloud_users))
    linked, mismatched, broken_cloud, broken_ad = [], [], [], []
    ad_seen, cloud_seen = set(), set()
    for cpos, cloud in enumerate(cloud_users):
        anchor = cloud.get("immutable_id")
        if not anchor:
            continue
        cloud_seen.add(cpos)
        apos = by_anchor.get(anchor)
        if apos is None:
            broken_cloud.append(cpos)
            continue
        ad_seen.add(apos)
        link = ad_users[apos].get("link")
        if _same(link, cloud["id"]):
            linked.append((apos, cpos))
        elif not link:
            mismatched.append({"ad": apos, "cloud": cpos, "reason": "the AD link attribute is empty"})
        else:
            mismatched.append({"ad": apos, "cloud": cpos,
                               "reason": "the AD link attribute names another cloud user (%s)" % link})
    for apos, ad in enumerate(ad_users):
        link = ad.get("link")
        if apos in ad_seen or not link:
            continue
        ad_seen.add(apos)
        cpos = by_id.get(_fold(link))
        if cpos is None:
            broken_ad.append(apos)
        else:
            cloud_seen.add(cpos)
            mismatched.append({"ad": apos, "cloud": cpos,
                               "reason": "the cloud user's immutable id does not name this AD user"})
    unlinked_ad = [pos for pos in range(len(ad_users)) if pos not in ad_seen]
    unlinked_cloud = [pos for pos in range(len(cloud_users)) if pos not in cloud_seen]
    return {"linked": linked, "mismatched": mismatched, "broken_cloud": broken_cloud, "broken_ad": broken_ad,
            "unlinked_ad": unlinked_ad, "unlinked_cloud": unlinked_cloud}
