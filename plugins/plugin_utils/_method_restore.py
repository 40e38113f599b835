# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""restore_users as a declaration for the engine (_engine.py): an offboarding undone from its restore record.

    ad_restore  ad_user_restore: an AD user deleted since, reanimated from Deleted Objects
    ad          ad_user: enabled, back in its OU and groups (a reanimated one also gets its UPN and link back)
    cloud       cloud_user: unblocked; a cloud account deleted since comes back from the deleted users
    license     cloud_license: the recorded licences
    unmark      ad_user: the offboarded marker cleared, last
The users are found as offboard_users finds them (_method_offboard.py), plus those only the record still names."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils import _offboard_logic as logic
from ansible_collections.hybrid.identity.plugins.module_utils._preflight import utc_now_text
from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import Step
from ansible_collections.hybrid.identity.plugins.plugin_utils._method_offboard import OffboardUsers, none_to_do
from ansible_collections.hybrid.identity.plugins.plugin_utils._method_tables import AD_USER, CLOUD_USER, LICENSE


def _entry(user):
    return user["restore"]


def _no_marker(user):
    # only our own marker is cleared (a reanimated user has none: no tombstone keeps it)
    return None if (user.get("ad_facts") or {}).get("marker") else "no offboarded marker"


def _no_ad_entry(user):
    return None if _entry(user).get("ad_guid") else "no AD user (a cloud-only account)"


def _no_cloud_entry(user):
    return None if _entry(user).get("cloud_id") else "no linked cloud account"


def _not_deleted_in_plan(engine, users, done):
    """In the plan, a cloud account still in the deleted users has no licences to read yet: its restore
    (the cloud step) brings back those whose seats are free, and the write pass assigns the rest."""
    if not engine.check_mode:
        return users
    restoring = set(str(i.get("upn")).casefold() for i in (done.get("cloud") or {}).get("items") or []
                    if "restored" in (i.get("changed_attributes") or []))
    return [u for u in users if u["upn"].casefold() not in restoring]


def _ad_entry(engine, user):
    """A reanimated user also gets back its UPN and link, which no tombstone keeps."""
    link = engine.args["link_attribute"] if user.get("reanimate") else None
    return logic.restore_ad_entry(_entry(user), engine.args["offboard_attribute"], link)


def _reanimated_in_plan(engine, users, done):
    """In the plan, an AD user still in Deleted Objects cannot be read yet: its steps run after the restore."""
    if not engine.check_mode:
        return users
    restoring = set(str(i.get("upn")).casefold() for i in (done.get("ad_restore") or {}).get("items") or []
                    if i.get("action") == "updated")
    return [u for u in users if u["upn"].casefold() not in restoring]


class RestoreUsers(OffboardUsers):
    """The offboarding undone from its restore record: an AD user deleted since reanimated, enabled, back in the
    OU and the groups, licensed again, the marker cleared last (until then onboarding still leaves it alone)."""
    name, title = "restore_users", "Restore users"
    steps = (
        Step("ad_restore", "hybrid.identity.ad_user_restore", lambda e, users, done: {"users": [
            {"identity": _entry(u)["ad_guid"]} for u in users]},
            settled=none_to_do(lambda u: None if u.get("reanimate") else "not deleted"), side="ad", rename=True),
        Step("ad", AD_USER, lambda e, users, done: {"users": [_ad_entry(e, u) for u in users]},
             after=["ad_restore"], select=_reanimated_in_plan, settled=none_to_do(_no_ad_entry), side="ad",
             rename=True),
        Step("cloud", CLOUD_USER, lambda e, users, done: {"users": [logic.restore_cloud_entry(_entry(u)) for u in users]},
             settled=none_to_do(_no_cloud_entry), side="cloud"),
        # in the plan beside the cloud step; an account the plan finds in the deleted users is licensed after its restore
        Step("license", LICENSE, lambda e, users, done: {"users": [logic.restore_license_entry(_entry(u)) for u in users]},
             after=["cloud"], plan_after=["cloud"], side="cloud", select=_not_deleted_in_plan,
             settled=none_to_do(lambda u: _no_cloud_entry(u) or (None if _entry(u).get("sku_ids") else "no licences recorded"))),
        Step("unmark", AD_USER, lambda e, users, done: {"users": [
            logic.unmark_entry(_entry(u), e.args["offboard_attribute"]) for u in users]},
            after=["ad", "cloud", "license"], plan_after=["ad_restore"], select=_reanimated_in_plan,
            settled=none_to_do(_no_marker), side="ad", rename=True),
    )

    def load(self, engine):
        """The offboarding's users; also those whose AD user is a tombstone now (found through the record only)."""
        engine.placed = {}
        users, excluded = OffboardUsers.load(self, engine)
        have = set(u["key"] for u in users)
        for entry in engine.placed.values():
            if entry["key"] not in have and entry.get("ad_guid"):
                have.add(entry["key"])
                users.append({"key": entry["key"], "upn": entry.get("upn"), "name": entry.get("name"),
                              "ad": entry["ad_guid"], "cloud_id": entry.get("cloud_id"), "ad_facts": None,
                              "cloud_facts": None, "restore": entry, "reanimate": True})
        return users, excluded

    def finished(self, engine, names):
        return {}   # a retention deletion is what a restore undoes

    def problems(self, engine, users):
        entries = engine.offboard_record.entries
        by_cloud = dict((str(e.get("cloud_id")).lower(), e) for e in entries.values() if e.get("cloud_id"))
        for user in users:
            entry = by_cloud.get(str(user.get("cloud_id")).lower()) if user["key"] not in entries else None
            if entry is not None:   # a live cloud account whose AD user is gone: the record's key is the AD one
                user.update(key=entry["key"], ad=entry.get("ad_guid"), reanimate=bool(entry.get("ad_guid")))
        out = logic.restore_problems(users, entries, engine.offboard_record.path)
        for user in users:
            if user["key"] not in out:
                user["restore"] = entries[user["key"]]
                if user["restore"].get("cloud_id"):   # the step results name it by id, deleted or not
                    user.setdefault("cloud_id", user["restore"]["cloud_id"])
        return out

    def from_record(self, engine, names):
        # a cloud account deleted since, or a deleted pair, is named only in the record
        entries = engine.offboard_record.entries
        engine.placed = dict(logic.recorded_entries(entries, names), **logic.recorded_entries(entries, names, True))
        return dict((n, e["ad_guid"]) for n, e in engine.placed.items() if e.get("ad_guid"))

    def before_write(self, engine, batch):
        """Nothing to record first: a restore adds back what the record holds."""

    def finish(self, engine, users, results, check_mode):
        if check_mode:
            return []
        failed = set()
        for items in results.values():
            for item in items:
                if item.get("action") == "failed":
                    failed.add(str(item.get("upn")).casefold())
        now = utc_now_text()
        done = [{"key": u["key"], "restored": now} for u in users
                if u["upn"].casefold() not in failed and not _entry(u).get("restored")]
        count = engine.offboard_record.record(done)
        return ["%d users restored; marked restored in %s (a later offboarding records afresh)"
                % (count, engine.offboard_record.path)] if count else []
