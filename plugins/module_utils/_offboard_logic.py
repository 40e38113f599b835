# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Leavers as pure logic: the offboarded marker, who is offboarded and how (the per-step module entries),
and the restore record that keeps what an offboarding removed. No I/O here (the journal file is
plugin_utils/_offboard_record.py, the steps are plugin_utils/_method_offboard.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import re
import time

MARKER_ATTRIBUTE = "msDS-cloudExtensionAttribute2"
MARKER_PREFIX = "hybrid.identity offboarded "
_MARKER = re.compile(r"^hybrid\.identity offboarded (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")
# The account that protected groups' ACLs are stamped on (AdminSDHolder) carries adminCount=1; so do the
# built-in Administrator and every member (past or present) of Domain/Enterprise/Schema Admins and the like.
PRIVILEGED_HINT = ("it is (or was) a member of a protected group (adminCount=1: Domain Admins and the like); "
                   "offboard admin accounts by hand, or set allow_privileged")


def marker_value(when):
    """The marker an offboarding leaves on the AD user: its own prefix and the UTC time it began."""
    return MARKER_PREFIX + when


def marker_date(value):
    """The time in an offboarded marker, or None when the value is no marker of ours (empty, or someone
    else's use of the attribute)."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    match = _MARKER.match(value.strip()) if isinstance(value, str) else None
    return match.group(1) if match else None


def due_for_deletion(marker, days, now=None):
    """Offboarded at least `days` days ago (by the marker's time): the retention is over. 0 days: never."""
    if not days or not marker:
        return False
    started = calendar.timegm(time.strptime(marker, "%Y-%m-%dT%H:%M:%SZ"))
    return (time.time() if now is None else now) - started >= days * 86400


def is_privileged(ad_user):
    values = (ad_user.get("attributes") or {}).get("adminCount") or []
    values = values if isinstance(values, list) else [values]
    return any(str(v).strip() not in ("", "0") for v in values)


def pair_users(ad_users, cloud_by_id, cloud_only, marker_attribute):
    """The leavers as the engine's users: one per AD user (with its linked cloud account, when it has one)
    plus one per cloud-only account. Each: key (stable over runs), upn (the name every step's result is
    matched by), name, ad {guid, dn, path, enabled, groups, marker}, cloud {id, upn, enabled, sku_ids}."""
    users = []
    for ad in ad_users:
        link = ad.get("link_value")
        cloud = cloud_by_id.get(str(link).lower()) if link else None
        raw = (ad.get("attributes") or {}).get(marker_attribute)
        marker = marker_date(raw)
        user = {"key": "ad:" + ad["object_guid"], "ad": ad["object_guid"],
                "upn": (cloud or {}).get("user_principal_name") or ad.get("upn") or ad["object_guid"],
                "name": ad.get("display_name") or ad.get("name"), "sam_account_name": ad.get("sam_account_name"),
                "ad_facts": {"guid": ad["object_guid"], "dn": ad.get("dn"), "path": ad.get("path"),
                             "enabled": ad.get("enabled"), "groups": list(ad.get("groups") or []), "marker": marker,
                             "foreign": raw if raw and not marker else None,
                             "upn": ad.get("upn"), "privileged": is_privileged(ad)},
                "link_value": link, "cloud_facts": _cloud_facts(cloud)}
        if cloud:
            user["cloud_id"] = cloud["id"]
        users.append(user)
    for cloud in cloud_only:
        users.append({"key": "cloud:" + cloud["id"].lower(), "upn": cloud["user_principal_name"], "cloud_id": cloud["id"],
                      "name": cloud.get("display_name"), "ad_facts": None, "link_value": None,
                      "cloud_facts": _cloud_facts(cloud)})
    return users


def _cloud_facts(cloud):
    if not cloud:
        return None
    return {"id": cloud["id"], "upn": cloud["user_principal_name"], "enabled": cloud.get("account_enabled") is not False,
            "sku_ids": [lic.get("sku_id") for lic in cloud.get("assigned_licenses") or [] if lic.get("sku_id")],
            "synced": bool(cloud.get("on_premises_sync_enabled")),
            "sessions_valid_from": cloud.get("sign_in_sessions_valid_from")}


def input_problems(users, allow_privileged):
    """Per-user reasons not to offboard (before anything is written): {user key: message}."""
    out = {}
    for user in users:
        ad, cloud = user.get("ad_facts"), user.get("cloud_facts")
        if ad and ad["privileged"] and not allow_privileged:
            out[user["key"]] = "%s: %s" % (ad.get("upn") or ad["dn"], PRIVILEGED_HINT)
        elif ad and ad.get("foreign"):
            # the attribute is someone else's: the marker would overwrite what it holds
            out[user["key"]] = ("%s: the marker attribute already holds %r, which is not an offboarded marker. Fix: "
                                "choose a free attribute as offboard_attribute" % (ad.get("upn") or ad["dn"],
                                                                                   str(ad["foreign"])[:60]))
        elif cloud and cloud["synced"]:
            out[user["key"]] = ("%s is mastered by a directory sync engine (onPremisesSyncEnabled); offboard it in "
                                "the directory that engine reads" % cloud["upn"])
    return out


# Clocks differ: the controller stamps the offboarding, Graph stamps the revocation.
REVOKE_SKEW_S = 300


def needs_revoke(user):
    """Revoke sign-in sessions while the account is enabled, or when no revocation is known since the offboarding
    began (its marker, or the restore record's time): a run that blocked it may have stopped before the revoke.
    Once Graph's signInSessionsValidFromDateTime is at or after that time, a rerun revokes nothing."""
    cloud = user.get("cloud_facts")
    if not cloud:
        return False
    if cloud["enabled"]:
        return True
    started = user.get("started")
    if not started:
        return False   # blocked, and no offboarding of ours is known: nothing proves a run stopped halfway
    revoked = cloud.get("sessions_valid_from")
    return not revoked or _epoch(revoked) < _epoch(started) - REVOKE_SKEW_S


def _epoch(text):
    return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))


def cloud_entry(user, revoke=True):
    cloud = user["cloud_facts"]
    entry = {"user_principal_name": cloud["upn"], "id": cloud["id"], "account_enabled": False}
    if revoke and needs_revoke(user):
        entry["revoke_sessions"] = True
    return entry


def license_entry(user):
    return {"user": user["cloud_facts"]["id"], "licenses": [{"sku": s} for s in user["cloud_facts"]["sku_ids"]]}


def ad_entry(user, marker_attribute, when, move_to=None, remove_groups=False):
    """Disabled, optionally moved and out of its groups, and marked, in one modify (a move is its own operation).
    An existing marker keeps its time: the retention counts from the first offboarding."""
    stamp = user["ad_facts"]["marker"] or when
    entry = {"identity": user["ad_facts"]["guid"], "enabled": False,
             "attributes": {"set": {marker_attribute: marker_value(stamp)}}}
    if move_to:
        entry["path"] = move_to
    if remove_groups:
        entry["groups"] = {"set": []}
    return entry


def record_entry(user, when):
    """What the offboarding removes from this user, as the restore record keeps it."""
    ad, cloud = user.get("ad_facts") or {}, user.get("cloud_facts") or {}
    return {"key": user["key"], "upn": user["upn"], "name": user.get("name"), "ad_guid": ad.get("guid"),
            "ad_upn": ad.get("upn"), "sam_account_name": user.get("sam_account_name"),
            "ad_dn": ad.get("dn"), "ad_path": ad.get("path"), "ad_enabled": ad.get("enabled"),
            "groups": sorted(ad.get("groups") or []), "cloud_id": cloud.get("id"), "cloud_upn": cloud.get("upn"),
            "cloud_enabled": cloud.get("enabled"), "sku_ids": sorted(cloud.get("sku_ids") or []),
            "offboarded": ad.get("marker") or when}


def merge_record(old, new):
    """A later run of the same offboarding adds to what the record keeps, never replaces it: a run that
    stopped halfway has already removed some groups and licences, and a rerun no longer sees them."""
    closed, closing = (old or {}).get("restored") or (old or {}).get("deleted"), new.get("restored") or new.get("deleted")
    if not old or (closed and not closing):   # a new offboarding after a restore (or a reanimation) starts afresh
        return dict(new)
    if new.get("restored"):   # restored after a retention deletion: no longer deleted
        return dict(((k, v) for k, v in old.items() if k != "deleted"), restored=new["restored"])
    if new.get("deleted"):
        return dict(old, deleted=new["deleted"])
    out = dict(old)
    out["groups"] = sorted(set(old.get("groups") or []) | set(new.get("groups") or []))
    out["sku_ids"] = sorted(set(old.get("sku_ids") or []) | set(new.get("sku_ids") or []))
    for field in ("ad_guid", "ad_dn", "ad_path", "cloud_id", "cloud_upn", "offboarded", "name", "ad_upn",
                  "sam_account_name"):
        if not old.get(field) and new.get(field):
            out[field] = new[field]
    for field in ("ad_enabled", "cloud_enabled"):   # enabled before the first run, whatever a later one saw
        if old.get(field) is None and new.get(field) is not None:
            out[field] = new[field]
    return out


def recorded_entries(entries, names, deleted=False):
    """{name: record entry} for the names that name an entry of the record (any of its names), of users a
    retention deletion removed (deleted) or of the others."""
    index = {}
    for entry in entries.values():
        if bool(entry.get("deleted")) == deleted:
            for field in ("upn", "ad_upn", "sam_account_name", "ad_guid", "cloud_id", "cloud_upn", "ad_dn"):
                if entry.get(field):
                    index.setdefault(str(entry[field]).casefold(), entry)
    return dict((n, index[n.casefold()]) for n in names if n.casefold() in index)


def deleted_entries(entries, names):
    """{name: record entry} for the names that a retention deletion removed (a rerun of the same list)."""
    return recorded_entries(entries, names, deleted=True)


def reactivation_refusal(name, marker, reactivate):
    """The onboarding methods' answer for a user an offboarding marked: refused unless named in reactivate."""
    names = set(str(n).casefold() for n in reactivate or [])
    if marker is None or any(str(n).casefold() in names for n in name if n):
        return None
    return ("%s was offboarded on %s (the offboarded marker is on its AD user); onboarding does not enable or "
            "license it again. Fix: restore it with hybrid.identity.restore_users, or name it in reactivate"
            % (name[0], marker))


# --- restore ---------------------------------------------------------------------------------

def restore_problems(users, entries, record_path):
    """Per-user reasons a restore cannot go on, before anything is written: {user key: message}."""
    out = {}
    for user in users:
        entry = entries.get(user["key"])
        if not entry:   # one restored already is fine: the rerun finds everything in place
            out[user["key"]] = ("%s has no offboarding in the restore record %s. Fix: give "
                                "the record_file its offboarding wrote, or restore it by hand" % (user["upn"], record_path))
    return out


def restore_ad_entry(entry, marker_attribute, link_attribute=None):
    """Enabled again (when it was), back in its OU and groups; the marker goes last, in its own step. A user
    reanimated from a tombstone (link_attribute given) also gets back its UPN and its link, which no tombstone
    keeps."""
    out = {"identity": entry["ad_guid"]}
    if link_attribute:
        if entry.get("ad_upn"):
            out["upn"] = entry["ad_upn"]
        if entry.get("cloud_id"):
            out["attributes"] = {"set": {link_attribute: entry["cloud_id"]}}
    if entry.get("ad_enabled") is not False:
        out["enabled"] = True
    if entry.get("ad_path"):
        out["path"] = entry["ad_path"]
    if entry.get("groups"):
        # a group deleted since is a warning, not a reason to leave the user disabled
        out["groups"] = {"add": list(entry["groups"]), "lookup_failure_action": "warn"}
    return out


def restore_cloud_entry(entry):
    """Unblocked (when it was enabled); a cloud account deleted since comes back from the deleted users."""
    return {"user_principal_name": entry["cloud_upn"], "id": entry["cloud_id"], "restore_deleted": True,
            "account_enabled": entry.get("cloud_enabled") is not False}


def restore_license_entry(entry):
    return {"user": entry["cloud_id"], "licenses": [{"sku": s} for s in entry.get("sku_ids") or []]}


def unmark_entry(entry, marker_attribute):
    return {"identity": entry["ad_guid"], "attributes": {"set": {marker_attribute: []}}}
