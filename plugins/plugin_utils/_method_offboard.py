# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""offboard_users as a declaration for the engine (_engine.py): the leavers, and the steps (restore_users,
its undoing, is _method_restore.py).

    ad       ad_user: disable and mark; optionally move to an OU and remove the group memberships (one modify)
    cloud    cloud_user: block sign-in (accountEnabled false), then revoke the sign-in sessions
    license  cloud_license: remove the licences (after the block)
    delete_cloud, delete_ad   after the retention (delete_after_days) only: both accounts, the cloud one first
What is removed is in the restore record before the chunk's first write (_offboard_record.py). The link
stays. The decisions are pure logic in module_utils/_offboard_logic.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import os

from ansible_collections.hybrid.identity.plugins.module_utils import _offboard_logic as logic
from ansible_collections.hybrid.identity.plugins.module_utils._ad_codecs import guid_from_bytes
from ansible_collections.hybrid.identity.plugins.module_utils._preflight import utc_now_text
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import validate_identities
from ansible_collections.hybrid.identity.plugins.plugin_utils._engine import Step
from ansible_collections.hybrid.identity.plugins.plugin_utils._method_tables import (
    AD_USER, CLOUD_USER, LICENSE, Method, Refused)
from ansible_collections.hybrid.identity.plugins.plugin_utils._offboard_record import OffboardRecord
from ansible_collections.hybrid.identity.plugins.plugin_utils._role_input_files import input_failure, load_rows

DISABLED = "(userAccountControl:1.2.840.113556.1.4.803:=2)"
NOT_BUILT_IN = "(!(isCriticalSystemObject=TRUE))"


def none_to_do(why):
    """Users a step has nothing to do for count as done there (a later step waits for every earlier one)."""
    def settled(engine, users, done):
        return dict((u["key"], {"upn": u["upn"], "name": u["upn"], "action": "unchanged", "message": why(u)})
                    for u in users if why(u))
    return settled


def _no_cloud(user):
    return None if user.get("cloud_facts") else "no linked cloud account"


def _no_licence(engine):
    def why(user):
        if user.get("cloud_facts") is None:
            return "no linked cloud account"
        if not engine.args["remove_licenses"]:
            return "remove_licenses is false"
        return None if user["cloud_facts"]["sku_ids"] else "no licences"
    return why


def _not_due(user):
    return None if user.get("delete") else "not due for deletion"


def _no_ad(user):
    return None if user.get("ad_facts") else "no AD user (a cloud-only account)"


def _when(engine):
    """The run's one offboarding time: the marker, the record and the revoke check all use it."""
    if getattr(engine, "offboard_started", None) is None:
        engine.offboard_started = utc_now_text()
    return engine.offboard_started


def _licence_settled(engine, users, done):
    return none_to_do(_no_licence(engine))(engine, users, done)


class OffboardUsers(Method):
    name, title = "offboard_users", "Offboard users"
    passwords = False
    reports_unknown = False
    steps = (
        Step("ad", AD_USER, lambda e, users, done: {"users": [
            logic.ad_entry(u, e.args["offboard_attribute"], _when(e), e.args["move_to"] or None, e.args["remove_groups"])
            for u in users]}, settled=none_to_do(_no_ad), side="ad", rename=True),
        Step("cloud", CLOUD_USER, lambda e, users, done: {"users": [logic.cloud_entry(u, e.args["revoke_sessions"])
                                                                    for u in users]},
             settled=none_to_do(_no_cloud), side="cloud"),
        Step("license", LICENSE, lambda e, users, done: {"users": [logic.license_entry(u) for u in users],
                                                         "state": "absent"},
             after=["cloud"], plan_after=[], settled=_licence_settled, side="cloud"),
        # After the retention (delete_after_days), both sides of the pair go: the cloud account first, so a
        # failure there leaves the AD user (disabled, marked) for the rerun rather than an orphaned cloud account.
        Step("delete_cloud", CLOUD_USER, lambda e, users, done: {"users": [
            {"user_principal_name": u["cloud_facts"]["upn"], "id": u["cloud_facts"]["id"], "state": "absent"}
            for u in users]},
            after=["ad", "cloud", "license"], plan_after=[], settled=none_to_do(lambda u: _not_due(u) or _no_cloud(u)),
            side="cloud",
            deletes=True),
        Step("delete_ad", AD_USER, lambda e, users, done: {"users": [
            {"identity": u["ad_facts"]["guid"], "state": "absent"} for u in users]},
            after=["delete_cloud"], plan_after=[], settled=none_to_do(lambda u: _not_due(u) or _no_ad(u)), side="ad",
            deletes=True, rename=True),
    )

    def delete_scope(self, engine, step, users):
        """The share limit is of the directory: the tenant's users for the cloud deletes, the domain's for AD."""
        if step == "delete_cloud":
            info = engine.run_module("hybrid.identity.cloud_tenant_info", {})
            return info.get("user_count") or 0, "the tenant"
        info = engine.run_module("hybrid.identity.ad_domain_info", {"count_users": True})
        return info.get("user_count") or 0, "the domain"

    def allows_empty(self, args):
        # An OU of leavers or the disabled accounts, run on a schedule, is often empty: nothing to do.
        return bool(args["ad_search_base"] or args["ad_filter"] or args["ad_group"] or args["disabled_accounts"])

    def load(self, engine):
        """The leavers on both sides: AD users by name or scope with their linked cloud accounts, cloud accounts
        by name (with the AD user their anchor names); every name must be somebody's."""
        args = engine.args
        if args["delete_after_days"] < 0:
            raise Refused("delete_after_days is %d; give the days since the offboarding after which both accounts are "
                          "deleted (0: never)" % args["delete_after_days"])
        if args["offboard_attribute"].casefold() == args["link_attribute"].casefold():
            raise Refused("offboard_attribute and link_attribute are both %s; the marker needs an attribute of its own"
                          % args["link_attribute"])
        names = []
        if args["users"] or args["csv"]:
            listed = [{"identity": u} if isinstance(u, str) else u for u in args["users"] or []]
            rows, source = load_rows(args["csv"], listed if args["users"] else None, "identities")
            names, errors = validate_identities(rows, source)
            if errors:
                raise Refused(input_failure(errors, len(rows), "users", args["max_errors"]), errors)
        if not (names or self.allows_empty(args)):
            raise Refused("Choose the leavers with users, csv, ad_search_base, ad_filter, ad_group or disabled_accounts.")
        engine.offboard_record = OffboardRecord(_record_path(args))
        try:
            engine.offboard_record.load()
        except (OSError, ValueError) as exc:
            raise Refused("cannot read the restore record: %s" % exc)

        found, missing = {}, []
        if names:
            missing = self._read_ad(engine, {"identity": names}, found)
        if self.allows_empty(args):
            self._read_ad(engine, _scope(args), found)
        cloud_ids = sorted(set(u["link_value"] for u in found.values() if u.get("link_value")))
        asked = list(dict((n.lower(), n) for n in cloud_ids + missing).values())   # each once
        cloud = self._read_cloud(engine, asked) if asked else []
        by_id = dict((c["id"].lower(), c) for c in cloud)
        cloud_only, gone = self._place(engine, missing, cloud, found)
        users = logic.pair_users(sorted(found.values(), key=lambda u: u.get("dn") or ""), by_id, cloud_only,
                                 args["offboard_attribute"])
        for user in users:
            user["delete"] = logic.due_for_deletion((user.get("ad_facts") or {}).get("marker"), args["delete_after_days"])
            # when this user's offboarding began, if one did: the revoke is judged against it
            user["started"] = (user.get("ad_facts") or {}).get("marker") or \
                (engine.offboard_record.entries.get(user["key"]) or {}).get("offboarded")
        _refuse(self.problems(engine, users))
        return users, gone

    def _place(self, engine, missing, cloud, found):
        """The names AD did not know: a cloud account (linked: its AD user joins `found` by the anchor; else
        cloud-only), a leaver a retention deletion removed (reported, not unknown), or one only the record
        still places (restore_users). Any other name refuses the run. -> (cloud-only accounts, excluded)."""
        args = engine.args
        # A name AD does not know may be a cloud account: linked (its AD user is found by the anchor) or cloud-only.
        named = dict((k.lower(), c) for c in cloud for k in (c["id"], c["user_principal_name"]))
        # a name a retention deletion removed is done (a rerun of the same list), not unknown
        deleted = self.finished(engine, [m for m in missing if m.lower() not in named])
        gone = [{"key": e["key"], "upn": e.get("upn"), "name": e.get("name") or n, "reason": "deleted %s, after %s days "
                 "offboarded (delete_after_days)" % (e["deleted"], args["delete_after_days"] or "the")}
                for n, e in deleted.items()]
        unknown = [m for m in missing if m.lower() not in named and m not in deleted]
        recorded = self.from_record(engine, unknown)
        if recorded:
            self._read_ad(engine, {"identity": sorted(set(recorded.values()))}, found)
            unknown = [m for m in unknown if m not in recorded]
        if unknown:
            raise Refused("Nothing was written. No AD or cloud user is named %s. Fix: correct the names, or remove "
                          "them from the list" % ", ".join(unknown), ["no such user: %s" % m for m in unknown])
        linked_ids = set(str(u.get("link_value")).lower() for u in found.values())
        anchors = {}
        for name in [m for m in missing if m.lower() in named]:
            account = named[name.lower()]
            if account["id"].lower() not in linked_ids and account.get("on_premises_immutable_id"):
                anchors[account["id"].lower()] = _guid_of(account["on_premises_immutable_id"])
        if anchors:
            self._read_ad(engine, {"identity": sorted(set(g for g in anchors.values() if g))}, found)
        linked_ids = set(str(u.get("link_value")).lower() for u in found.values())
        cloud_only = []
        for name in [m for m in missing if m.lower() in named]:
            account = named[name.lower()]
            if account["id"].lower() not in linked_ids and account not in cloud_only:
                cloud_only.append(account)
        return cloud_only, gone

    def problems(self, engine, users):
        return logic.input_problems(users, engine.args["allow_privileged"])

    def from_record(self, engine, names):
        """{name: AD objectGUID} for names neither directory knows that the job can still place."""
        return {}

    def finished(self, engine, names):
        """{name: record entry} for names a retention deletion removed: done, reported, not unknown."""
        return logic.deleted_entries(engine.offboard_record.entries, names)

    def _read_ad(self, engine, selection, found):
        args = engine.args
        query = dict(selection, link_attribute=args["link_attribute"], properties=[args["offboard_attribute"], "adminCount"])
        if selection.get("group"):
            query["nested"] = True
        info = engine.run_module("hybrid.identity.ad_user_info", query)
        if info.get("failed"):
            raise Refused("cannot read the AD users: %s" % info.get("msg"))
        for user in info.get("users") or []:
            found.setdefault(user["object_guid"], user)
        return list(info.get("missing") or [])

    def _read_cloud(self, engine, names):
        info = engine.run_module("hybrid.identity.cloud_user_info", {"users": names})
        if info.get("failed"):
            raise Refused("cannot read the cloud users: %s" % info.get("msg"))
        return info.get("users") or []

    def before_write(self, engine, batch):
        """Before the chunk's first write: what it removes, in the restore record (fsynced)."""
        engine.offboard_record.record([logic.record_entry(u, _when(engine)) for u in batch])

    def finish(self, engine, users, results, check_mode):
        record = getattr(engine, "offboard_record", None)
        if record is None:
            return []
        if check_mode:
            return ["check mode: what the offboarding removes would be recorded in %s first" % record.path]
        notes = []
        if record.written:
            notes.append("%d users' groups, licences and OU recorded in %s before they were removed (restore_users "
                         "reads it)" % (record.written, record.path))
        gone = set(str(i.get("upn")).casefold() for i in results.get("delete_ad") or [] if i.get("action") == "deleted")
        gone |= set(str(i.get("upn")).casefold() for i in results.get("delete_cloud") or []
                    if i.get("action") == "deleted")
        failed = set(str(i.get("upn")).casefold() for items in results.values() for i in items
                     if i.get("action") == "failed")
        now = utc_now_text()
        count = record.record([{"key": u["key"], "deleted": now} for u in users
                               if u.get("delete") and u["upn"].casefold() in gone and u["upn"].casefold() not in failed])
        if count:
            notes.append("%d users deleted after the retention; marked deleted in %s" % (count, record.path))
        return notes


def _refuse(problems):
    if problems:
        raise Refused("Nothing was written. Fix these and run again:\n" + "\n".join(problems.values()),
                      list(problems.values()))


def _scope(args):
    """The ad_user_info selection of a scope. A scope never takes the domain's built-in accounts (krbtgt,
    Guest, Administrator: isCriticalSystemObject): the disabled accounts of a domain always include krbtgt
    and Guest, which nobody offboards. Named, an account is taken as named."""
    out = {}
    if args["ad_search_base"]:
        out["search_base"] = args["ad_search_base"]
    if args["ad_group"]:
        out["group"] = args["ad_group"]
    flt = args["ad_filter"] or ""
    terms = [NOT_BUILT_IN] + ([DISABLED] if args["disabled_accounts"] else [])
    if flt:
        terms.append(flt if flt.startswith("(") else "(%s)" % flt)
    out["filter"] = "(&%s)" % "".join(terms)
    return out


def _guid_of(immutable_id):
    try:
        return str(guid_from_bytes(base64.b64decode(immutable_id)))
    except (binascii.Error, ValueError, TypeError):
        return None


def _record_path(args):
    path = args["record_file"] or os.path.join(args["report_dir"], "offboard_users-record.jsonl")
    return os.path.abspath(os.path.expanduser(path))
