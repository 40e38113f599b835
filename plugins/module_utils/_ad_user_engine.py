# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_user's engine: read every listed user in a few searches, plan, then apply.

    engine = UserEngine(client, users, check_mode=False)
    engine.run()
    for outcome in engine.outcomes(): ...

Reads: one family of OR searches (chunked) finds the listed users and every object holding
a sAMAccountName or UPN the run wants (so collisions show in check mode too); one more finds
the groups. Writes: one add per new user (password included), one modify per changed user,
one modify per group for memberships (retried per user when the batch fails).
Passwords only ever travel inside the add/modify requests: never in plans, results or errors.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils._plan import HIDDEN, plan_list, plan_object
from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils import _ad_names as names
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError, describe
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import CONNECTION_LOST
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import (
    FIELDS, PASSWORD_REMOTE, STRING_ATTRIBUTES, VIRTUAL_ENABLED, VIRTUAL_EXPIRED,
    VIRTUAL_NEVER_EXPIRES, UserIndex, as_list, chunks, decode_current, identity_facts, identity_term,
    read_attributes, user_dn)

OR_CHUNK = 200
USER_OBJECT_CLASS = ["top", "person", "organizationalPerson", "user"]
FORBIDDEN_ATTRIBUTES = ("unicodepwd", "userpassword", "clear-textpassword", "clear_text_password",
                        "supplementalcredentials", "dbcspwd", "ntpwdhistory", "lmpwdhistory")
ACTION_WORDS = {"create": "created", "update": "updated", "unchanged": "unchanged", "delete": "deleted",
                "absent": "absent"}


class Item(object):
    """One listed user through the run."""

    def __init__(self, index, spec):
        self.index = index
        self.spec = spec
        self.state = spec.get("state") or "present"
        self.label = (spec.get("name") or spec.get("identity") or spec.get("sam_account_name") or spec.get("upn")
                      or "users[%d]" % index)
        self.entry = None
        self.error = None
        self.action = None
        self.plan = None
        self.dn = None            # current DN (or planned DN for new users)
        self.sam = spec.get("sam_account_name")
        self.upn = spec.get("upn")
        self.lookup = None        # (kind, value)
        self.rename = None        # (new_rdn, new_parent, new_dn)
        self.ldap_changes = {}    # attribute -> [(op, values)] (no secrets)
        self.uac = None
        self.pwd_last_set = None
        self.set_password = False
        self.add_attributes = {}
        self.group_add = []
        self.group_remove = []
        self.changed = []
        self.before = {}
        self.after = {}
        self.facts = {}

    def fail(self, message):
        if self.error is None:
            self.error = message


class UserEngine(object):
    def __init__(self, client, users, check_mode=False, warn=None, return_attributes=()):
        self.client = client
        self.return_attributes = list(return_attributes or [])
        self.items = [Item(i, dict(u)) for i, u in enumerate(users or [])]
        self.check_mode = check_mode
        self.warn = warn or (lambda msg: None)
        self.base = client.default_nc
        self.default_path = "CN=Users," + self.base
        self.dns_domain = client.dns_domain
        self.index = UserIndex()
        self.taken_sam = {}   # casefold sam -> dn
        self.taken_upn = {}   # casefold upn -> dn
        self.taken_mail = {}  # casefold mail / SMTP proxy address -> dn (read for create_only users)
        self.parents = {}     # normalized parent dn -> exists (for new users)
        self.groups = {}      # (kind, casefold value) -> group entry
        self.group_rid = {}   # normalized group dn -> RID

    # ================================================================== run
    def run(self):
        for item in self.items:
            self._validate(item)
        self._read_users()
        self._derive_sams()
        self._read_groups()
        claimed = {}
        for item in self.items:
            if item.error is None:
                try:
                    self._plan(item, claimed)
                except ADError as exc:
                    item.fail(exc.message)
        if not self.check_mode:
            self._apply_all()

    # ================================================================== apply
    def _apply_all(self):
        """Write the plan, one user at a time. When the connection to the DC is lost, the user being
        written fails saying it may or may not have been written, the users after it fail as never
        sent, and the users written before it keep their result: each is reported by what happened."""
        lost = None
        for item in self.items:
            if item.error is not None or item.action not in ("create", "update", "delete"):
                continue
            if lost is not None:
                item.fail("not written: %s before this user's turn (while writing %s); a rerun converges" % lost)
                continue
            try:
                self._apply(item)
            except ADError as exc:
                item.fail(exc.message)
                if exc.code == CONNECTION_LOST:
                    lost = (self._lost_text(), item.label)
        try:
            if lost is None:
                self._apply_groups()
        except ADError as exc:
            if exc.code != CONNECTION_LOST:
                raise
            lost = (self._lost_text(), "group memberships")
            for item in self.items:
                if item.error is None and (item.group_add or item.group_remove):
                    item.fail("group memberships may be incomplete: %s; a rerun converges" % lost[0])
        try:
            self._read_back()
        except ADError as exc:
            # The users were written; only their objectGUIDs are unknown (a rerun reads them).
            self.warn("the objectGUIDs of the users created in this run could not be read back: %s" % exc.message)

    def _lost_text(self):
        return "the connection to the domain controller %s was lost" % self.client.server

    # ================================================================== validation (pure)
    def _validate(self, item):
        spec = item.spec
        if item.state == "present":
            if item.sam is not None:
                reason = names.validate_sam(item.sam)
                if reason:
                    return item.fail(reason + ". Fix: correct sam_account_name")
            if item.upn is not None:
                reason = names.validate_upn(item.upn)
                if reason:
                    return item.fail(reason + ". Fix: correct upn")
            if spec.get("path") and not codecs.looks_like_dn(spec["path"]):
                return item.fail("path '%s' is not a distinguished name (OU=...,DC=...)" % spec["path"])
            country = spec.get("country")
            if country and (len(country) != 2 or not country.isalpha()):
                return item.fail("country '%s' must be an ISO 3166 two-letter code (for example DE)" % country)
            for part in ("add", "remove", "set"):
                for attr in ((spec.get("attributes") or {}).get(part) or {}):
                    if attr.lower() in FORBIDDEN_ATTRIBUTES:
                        return item.fail("attribute '%s' cannot be set through attributes; use password" % attr)
                    if attr.lower() in ("distinguishedname", "cn", "name", "objectclass", "objectguid"):
                        return item.fail("attribute '%s' cannot be set through attributes; use name, path or "
                                         "identity" % attr)
        if item.spec.get("identity"):
            item.lookup = identity_term(item.spec["identity"])[0], item.spec["identity"].strip()
        elif item.sam:
            item.lookup = "sam", item.sam
        elif item.upn:
            item.lookup = "upn", item.upn
        elif spec.get("name"):
            item.lookup = "dn", user_dn(spec["name"], spec.get("path") or self.default_path)
        else:
            item.fail("give identity, sam_account_name, upn or name to find the user")

    # ================================================================== reads
    def _extra_attributes(self):
        extra = []
        for item in self.items:
            for part in ("add", "remove", "set"):
                extra.extend(((item.spec.get("attributes") or {}).get(part) or {}).keys())
        return extra

    def _planned_options(self):
        """The options any listed user sets, or None (read everything) when a user is to be deleted:
        its diff shows all it had."""
        options = set()
        for item in self.items:
            if item.state == "absent":
                return None
            options.update(key for key, value in item.spec.items() if value is not None)
        return options

    def _read_users(self):
        """Two OR-search passes: the listed users by their lookups, then whoever holds a wanted
        sAMAccountName or UPN that the user found does not hold itself (new users, renames).

        Both are unique in the directory, so a user found holding its wanted names needs no second
        search: a rerun makes one pass. (Searching every user's UPN beside its lookup cost Samba a
        third more: 5.8 s instead of 3.9 s for 5,000 users.) A user's terms stay together, in list
        order, so one search returns each user once."""
        attributes = read_attributes(self._extra_attributes() + ["objectClass"] + self.return_attributes,
                                     self._planned_options())
        seen, searched = set(), set()
        lookups = [[self._term(*item.lookup)] for item in self.items if item.lookup and item.error is None]
        self._search_terms(lookups, attributes, seen, searched)
        holders = []
        for item in self.items:
            if item.state != "present" or item.error is not None:
                continue
            found = self._find(item)
            wanted = []
            for kind, value, attribute in (("sam", item.sam, "sAMAccountName"), ("upn", item.upn, "userPrincipalName")):
                if value and not (found is not None and (found.text(attribute) or "").casefold() ==
                                  value.split("\\", 1)[-1].casefold()):
                    wanted.append(self._term(kind, value))
            holders.append(wanted)
        self._search_terms(holders, attributes, seen, searched)
        # A new user must not take an address another object receives mail at: one more search, only
        # when the run creates users (a rerun that finds everyone makes none).
        terms = sorted(set(self._term(kind, value) for pairs in self._claiming() for kind, value in pairs))
        for chunk in chunks(terms, OR_CHUNK):
            for entry in self.client.search(self.base, codecs.or_filter(chunk), ["mail", "proxyAddresses"]):
                self._note_mail(entry)

    def _claiming(self):
        """The mail terms of users to be created (not found by their lookup): (kind, address) pairs per user."""
        out = []
        for item in self.items:
            if item.error is None and item.state == "present" and self._find(item) is None:
                addresses = set(a.casefold() for a in (item.upn, item.spec.get("email")) if a)
                out.append([(kind, a) for a in sorted(addresses) for kind in ("mail", "proxy")])
        return out

    def _search_terms(self, groups, attributes, seen, searched):
        """Search the terms (a list per user) not searched yet; note every object found, index the users."""
        terms = []
        for group in groups:
            for term in group:
                if term not in searched:
                    searched.add(term)
                    terms.append(term)
        for chunk in chunks(terms, OR_CHUNK):
            # No objectClass restriction: sAMAccountName and UPN must be unique across every class.
            for entry in self.client.search(self.base, codecs.or_filter(chunk), attributes):
                key = codecs.normalize_dn(entry.dn)
                if key in seen:
                    continue
                seen.add(key)
                self._note_taken(entry)
                classes = [c.lower() for c in entry.texts("objectClass")]
                if "user" in classes and "computer" not in classes:
                    self.index.add(entry)

    def _note_taken(self, entry):
        sam = entry.text("sAMAccountName")
        if sam:
            self.taken_sam[sam.casefold()] = entry.dn
        upn = entry.text("userPrincipalName")
        if upn:
            self.taken_upn[upn.casefold()] = entry.dn

    def _note_mail(self, entry):
        for address in entry.texts("mail") + entry.texts("proxyAddresses"):
            text = address.split(":", 1)[1] if address.lower().startswith("smtp:") else address
            self.taken_mail.setdefault(text.casefold(), entry.dn)

    @staticmethod
    def _term(kind, value):
        if kind == "sam":
            if "\\" in value:
                value = value.split("\\", 1)[1]
            return "(sAMAccountName=%s)" % codecs.escape_filter_value(value)
        if kind == "upn":
            return "(userPrincipalName=%s)" % codecs.escape_filter_value(value)
        if kind == "dn":
            return "(distinguishedName=%s)" % codecs.escape_filter_value(value)
        if kind == "mail":
            return "(mail=%s)" % codecs.escape_filter_value(value)
        if kind == "proxy":
            return "(proxyAddresses=%s)" % codecs.escape_filter_value("smtp:" + value)
        return identity_term(value)[1]

    def _derive_sams(self):
        """sAMAccountNames for new users without one, free in the directory and in this run."""
        wanting = []
        for item in self.items:
            if item.error is None and item.state == "present" and not item.sam and item.spec.get("name") \
                    and self._find(item) is None:
                base = names.sam_base(item.spec.get("given_name"), item.spec.get("surname"), item.spec.get("name"),
                                      item.upn)
                if base is None:
                    item.fail("cannot derive a sAMAccountName from name/given_name/surname/upn: nothing usable is "
                              "left after transliteration. Fix: set sam_account_name")
                    continue
                wanting.append((item, base))
        if not wanting:
            return
        prefixes = set()
        for dummy, base in wanting:
            # the suffix rule cuts the base: search the shortest prefix any candidate can have
            prefixes.add(base[:names.SAM_MAX - 3].rstrip(".") or base)
        for chunk in chunks(sorted(prefixes), OR_CHUNK):
            search_filter = codecs.or_filter("(sAMAccountName=%s*)" % codecs.escape_filter_value(p) for p in chunk)
            for entry in self.client.search(self.base, search_filter, ["sAMAccountName", "userPrincipalName"]):
                self._note_taken(entry)
        taken = set(self.taken_sam)
        for item in self.items:
            if item.sam and item.error is None and item.state == "present":
                taken.add(item.sam.casefold())
        for item, base in wanting:
            item.sam = names.pick_sam(base, taken)
            taken.add(item.sam.casefold())

    def _read_groups(self):
        specs = set()
        for item in self.items:
            groups = item.spec.get("groups") or {}
            for part in ("add", "remove", "set"):
                for group in groups.get(part) or []:
                    specs.add(group)
        if not specs:
            return
        terms = sorted(set(identity_term(g)[1] for g in specs))
        for chunk in chunks(terms, OR_CHUNK):
            search_filter = "(&(objectClass=group)%s)" % codecs.or_filter(chunk)
            for entry in self.client.search(self.base, search_filter, ["sAMAccountName", "objectGUID", "objectSid",
                                                                       "distinguishedName"]):
                facts = identity_facts(entry)
                self.groups[("dn", codecs.normalize_dn(entry.dn))] = entry
                if entry.text("sAMAccountName"):
                    self.groups[("sam", entry.text("sAMAccountName").casefold())] = entry
                if facts["object_guid"]:
                    self.groups[("guid", facts["object_guid"])] = entry
                sid = entry.value("objectSid")
                if sid and len(sid) >= 4:
                    self.group_rid[codecs.normalize_dn(entry.dn)] = int.from_bytes(bytes(sid[-4:]), "little")

    def _group(self, spec):
        kind = identity_term(spec)[0]
        value = spec.strip()
        if kind == "dn":
            return self.groups.get(("dn", codecs.normalize_dn(value)))
        if kind == "guid":
            return self.groups.get(("guid", str(codecs.guid_from_bytes(codecs.guid_to_bytes(value.strip("{}"))))))
        if "\\" in value:
            value = value.split("\\", 1)[1]
        return self.groups.get(("sam", value.casefold()))

    def _find(self, item):
        if not item.lookup:
            return None
        kind, value = item.lookup
        return self.index.find(kind, value)

    # ================================================================== planning
    def _plan(self, item, claimed):
        spec = item.spec
        entry = self._find(item)
        item.entry = entry
        if entry is not None and item.state == "present" and spec.get("create_only"):
            return item.fail("an AD account already exists as %s (%s '%s'): a creating job never changes an "
                             "account it did not create. Fix: choose another username, or pair the existing "
                             "accounts with hybrid.identity.link_accounts" % ((entry.dn,) + tuple(item.lookup)))
        if entry is not None:
            key = codecs.normalize_dn(entry.dn)
            if key in claimed:
                return item.fail("this is the same directory object (%s) as %s earlier in the list; list each user "
                                 "once" % (entry.dn, claimed[key]))
            claimed[key] = "users[%d] (%s)" % (item.index, item.label)
            item.facts = identity_facts(entry)
            item.dn = entry.dn
        if item.state == "absent":
            current = decode_current(entry) if entry is not None else None
            item.plan = plan_object(FIELDS, {}, current, state="absent")
            item.action = item.plan.action
            if entry is not None:
                item.before = dict(item.plan.before, name=entry.text("cn"), path=codecs.parent_dn(entry.dn))
                item.sam = entry.text("sAMAccountName")
                item.upn = entry.text("userPrincipalName")
            return None
        if entry is None:
            return self._plan_create(item, claimed)
        return self._plan_update(item, entry, claimed)

    def _desired(self, item):
        spec = item.spec
        desired = {}
        for option, dummy in STRING_ATTRIBUTES:
            if spec.get(option) is not None:
                desired[option] = spec[option]
        for option in ("enabled", "password_never_expires", "password_expired"):
            if spec.get(option) is not None:
                desired[option] = spec[option]
        return desired

    def _check_unique(self, item, own_dn):
        """The sAMAccountName / UPN the run wants must not belong to another object."""
        if item.sam:
            holder = self.taken_sam.get(item.sam.casefold())
            if holder and not codecs.same_dn(holder, own_dn):
                return item.fail("sAMAccountName '%s' is already in use by %s. Fix: choose another "
                                 "sam_account_name, or leave it out to derive a free one" % (item.sam, holder))
        if item.upn:
            holder = self.taken_upn.get(item.upn.casefold())
            if holder and not codecs.same_dn(holder, own_dn):
                return item.fail("UPN '%s' is already in use by %s. Fix: choose another upn, or use identity to "
                                 "manage that user" % (item.upn, holder))
        return None

    def _check_claims(self, item):
        """A new user's UPN and email must not be another object's mail or proxy address."""
        for address in (item.upn, item.spec.get("email")):
            holder = self.taken_mail.get((address or "").casefold())
            if holder:
                return item.fail("'%s' is already the mail or a proxy address of %s: a creating job never takes "
                                 "another account's address. Fix: choose another username/UPN or email" % (address, holder))
        return None

    def _check_parent(self, item, path):
        """The OU a new user goes to must exist: check mode says so too (read once per OU)."""
        key = codecs.normalize_dn(path)
        if key not in self.parents:
            self.parents[key] = self.client.exists(path)
        if not self.parents[key]:
            return item.fail("the OU or container '%s' does not exist. Fix: create it first or correct path" % path)
        return None

    def _claim_names(self, item, claimed, dn=True):
        for kind, value in (("sam", item.sam), ("upn", item.upn), ("newdn", item.dn if dn else None)):
            if not value:
                continue
            key = (kind, codecs.normalize_dn(value) if kind == "newdn" else value.casefold())
            if key in claimed:
                what = {"sam": "sAMAccountName", "upn": "UPN", "newdn": "DN"}[kind]
                return item.fail("%s '%s' is also wanted by %s earlier in the list; each user needs its own"
                                 % (what, value, claimed[key]))
            claimed[key] = "users[%d] (%s)" % (item.index, item.label)
        return None

    def _plan_create(self, item, claimed):
        spec = item.spec
        if not spec.get("name"):
            return item.fail("user not found (%s '%s'); to create it, name is required" % item.lookup)
        path = spec.get("path") or self.default_path
        item.dn = user_dn(spec["name"], path)
        if not item.upn:
            item.upn = "%s@%s" % (item.sam, self.dns_domain)
        if self._check_unique(item, None) or self._claim_names(item, claimed) or self._check_claims(item) \
                or self._check_parent(item, path):
            return None
        desired = self._desired(item)
        desired["sam_account_name"] = item.sam
        desired["upn"] = item.upn
        if spec.get("enabled") is None:
            desired["enabled"] = spec.get("password") is not None
        if spec.get("password") is not None:
            desired["password"] = spec["password"]
        item.plan = plan_object(FIELDS, desired, None)
        item.action = "create"
        item.changed = list(item.plan.changed)
        item.after = dict(item.plan.after, name=spec["name"], path=path)
        # the add request (the password is encoded only in _apply)
        attrs = {}
        for option, remote in STRING_ATTRIBUTES:
            if desired.get(option) not in (None, ""):
                attrs[remote] = desired[option]
        attrs["userAccountControl"] = str(codecs.uac_with(None, enabled=desired["enabled"],
                                                          password_never_expires=spec.get("password_never_expires")))
        if spec.get("password_expired") is True:
            attrs["pwdLastSet"] = "0"
        elif spec.get("password_expired") is False and spec.get("password") is None:
            attrs["pwdLastSet"] = "-1"
        extra = spec.get("attributes") or {}
        for part in ("set", "add"):
            for attr, value in (extra.get(part) or {}).items():
                values = as_list(value)
                if values:
                    attrs.setdefault(attr, [])
                    if not isinstance(attrs[attr], list):
                        attrs[attr] = [attrs[attr]]
                    attrs[attr].extend(v for v in values if v not in attrs[attr])
                    item.after.setdefault("attributes", {})[attr] = list(attrs[attr])
        item.add_attributes = attrs
        item.set_password = spec.get("password") is not None
        self._plan_groups(item, [], None)
        if item.group_add:
            item.changed.append("groups")
            item.after["groups"] = sorted(item.group_add)
        return None

    def _plan_update(self, item, entry, claimed):
        spec = item.spec
        current = decode_current(entry)
        item.sam = item.sam or entry.text("sAMAccountName")
        item.upn = item.upn or entry.text("userPrincipalName")
        if self._check_unique(item, entry.dn) or self._claim_names(item, claimed, dn=False):
            return None
        desired = self._desired(item)
        if spec.get("password") is not None and spec.get("update_password") == "always":
            desired["password"] = spec["password"]
        plan = plan_object(FIELDS, desired, current)
        item.plan = plan
        changed, before, after = list(plan.changed), dict(plan.before), dict(plan.after)
        # move / rename
        cur_name = entry.text("cn") or codecs.rdn_value(entry.dn)
        cur_parent = codecs.parent_dn(entry.dn)
        new_name = spec.get("name") or cur_name
        new_parent = spec.get("path") or cur_parent
        if new_name != cur_name or not codecs.same_dn(new_parent, cur_parent):
            if new_name != cur_name:
                changed.append("name")
                before["name"], after["name"] = cur_name, new_name
            if not codecs.same_dn(new_parent, cur_parent):
                changed.append("path")
                before["path"], after["path"] = cur_parent, new_parent
            rdn = "CN=" + codecs.escape_rdn_value(new_name)
            item.rename = (rdn, None if codecs.same_dn(new_parent, cur_parent) else new_parent,
                           "%s,%s" % (rdn, new_parent))
        # plain attributes
        changes = {}
        for option, remote in STRING_ATTRIBUTES:
            if remote in plan.changes:
                value = plan.changes[remote]
                changes[remote] = [("replace", [value] if value not in (None, "") else [])]
        uac = codecs.to_int(entry.values("userAccountControl")) or 0
        if VIRTUAL_ENABLED in plan.changes or VIRTUAL_NEVER_EXPIRES in plan.changes:
            item.uac = codecs.uac_with(uac, enabled=plan.changes.get(VIRTUAL_ENABLED),
                                       password_never_expires=plan.changes.get(VIRTUAL_NEVER_EXPIRES))
        if PASSWORD_REMOTE in plan.changes:
            item.set_password = True
        if VIRTUAL_EXPIRED in plan.changes:
            item.pwd_last_set = "0" if plan.changes[VIRTUAL_EXPIRED] else "-1"
        elif item.set_password and spec.get("password_expired") is True:
            item.pwd_last_set = "0"   # a reset stores "now": ask for the change at next logon again
        # attributes add/remove/set
        extra = spec.get("attributes") or {}
        for attr in sorted(set().union(*[set((extra.get(p) or {}).keys()) for p in ("add", "remove", "set")])):
            have = entry.texts(attr)
            wanted_set = (extra.get("set") or {})
            if attr in wanted_set:
                new, added, removed = plan_list(have, set=as_list(wanted_set[attr]), casefold=False)
                if added or removed:
                    changes[attr] = [("replace", new)]
            else:
                new, added, removed = plan_list(have, add=as_list((extra.get("add") or {}).get(attr)),
                                                remove=as_list((extra.get("remove") or {}).get(attr)), casefold=False)
                ops = []
                if removed:
                    ops.append(("delete", removed))
                if added:
                    ops.append(("add", added))
                if ops:
                    changes[attr] = ops
            if added or removed:
                changed.append("attributes." + attr)
                before.setdefault("attributes", {})[attr] = have
                after.setdefault("attributes", {})[attr] = new
        item.ldap_changes = changes
        self._plan_groups(item, entry.texts("memberOf"), codecs.to_int(entry.values("primaryGroupID")))
        if item.group_add or item.group_remove:
            changed.append("groups")
            before["groups"] = sorted(entry.texts("memberOf"))
            after["groups"] = sorted(set(entry.texts("memberOf")) - set(item.group_remove) | set(item.group_add))
        if item.set_password and "password" not in changed:
            changed.append("password")
        item.changed, item.before, item.after = changed, before, after
        writes = item.rename or changes or item.uac is not None or item.pwd_last_set is not None \
            or item.set_password or item.group_add or item.group_remove
        item.action = "update" if writes else "unchanged"
        if not writes:
            item.before, item.after = {}, {}
        return None

    def _plan_groups(self, item, member_of, primary_rid):
        groups = item.spec.get("groups") or {}
        if not any(groups.get(p) is not None for p in ("add", "remove", "set")):
            return
        policy = groups.get("lookup_failure") or "fail"
        resolved = {}
        missing = []
        for part in ("add", "remove", "set"):
            if groups.get(part) is None:
                continue
            resolved[part] = []
            for spec in groups[part]:
                entry = self._group(spec)
                if entry is None:
                    missing.append(spec)
                else:
                    resolved[part].append(entry.dn)
        if missing:
            message = "group(s) not found: %s" % ", ".join(sorted(set(missing)))
            if policy == "fail":
                raise ADError(message + ". Fix: create the groups first, correct the names, or set "
                                        "groups.lookup_failure")
            if policy == "warn":
                self.warn("%s: %s" % (item.label, message))
        primary = None
        if primary_rid is not None:
            for dn_key, rid in self.group_rid.items():
                if rid == primary_rid:
                    primary = dn_key
        current = list(member_of)
        all_groups = resolved.get("add", []) + resolved.get("remove", []) + resolved.get("set", [])
        for dn in all_groups:
            if primary and codecs.normalize_dn(dn) == primary and dn not in current:
                current.append(dn)   # the primary group counts as a membership
        dummy, added, removed = plan_list(current, add=resolved.get("add"), remove=resolved.get("remove"),
                                          set=resolved.get("set"))
        removed_primary = [dn for dn in removed if primary and codecs.normalize_dn(dn) == primary]
        if removed_primary and groups.get("remove") is not None and \
                any(codecs.normalize_dn(d) == primary for d in resolved.get("remove", [])):
            raise ADError("cannot remove the user from its primary group %s; change primaryGroupID first"
                          % removed_primary[0])
        item.group_add = added
        item.group_remove = [dn for dn in removed if not (primary and codecs.normalize_dn(dn) == primary)]
        item.group_add = [dn for dn in added if not (primary and codecs.normalize_dn(dn) == primary)]

    def _fail_result(self, result, op, item, parent=None, dn=None):
        return ADError(describe(result, op=op, dn=dn or item.dn, sam=item.sam, upn=item.upn,
                                account=self.client.username, parent=parent))

    def _apply(self, item):
        if item.action == "delete":
            ok, result = self.client.delete(item.dn)
            if not ok and result.get("result") == 66:   # has children (e.g. ActiveSync devices)
                ok, result = self.client.delete(item.dn, tree=True)
            if not ok and result.get("result") != 32:
                raise self._fail_result(result, "delete", item)
            return
        if item.action == "create":
            return self._apply_create(item)
        if item.rename:
            rdn, new_parent, new_dn = item.rename
            ok, result = self.client.move(item.dn, rdn, new_parent)
            if not ok:
                raise self._fail_result(result, "move", item, parent=new_parent or codecs.parent_dn(item.dn))
            item.dn = new_dn
        if item.set_password:
            # attributes first (atomically), then the password, then the flags that depend on it
            if item.ldap_changes:
                self._modify(item, item.ldap_changes, "update")
            self._modify(item, {"unicodePwd": [("replace", [codecs.encode_unicode_pwd(item.spec["password"])])]},
                         "set the password of", secret=True)
            flags = {}
            if item.uac is not None:
                flags["userAccountControl"] = [("replace", [str(item.uac)])]
            if item.pwd_last_set is not None:
                flags["pwdLastSet"] = [("replace", [item.pwd_last_set])]
            if flags:
                self._modify(item, flags, "update")
        else:
            changes = dict(item.ldap_changes)
            if item.uac is not None:
                changes["userAccountControl"] = [("replace", [str(item.uac)])]
            if item.pwd_last_set is not None:
                changes["pwdLastSet"] = [("replace", [item.pwd_last_set])]
            if changes:
                self._modify(item, changes, "update")

    def _modify(self, item, changes, op, secret=False):
        ok, result = self.client.modify(item.dn, changes, secret=secret)
        if not ok:
            raise self._fail_result(result, op, item)

    def _apply_create(self, item):
        attrs = dict(item.add_attributes)
        if item.set_password:
            attrs["unicodePwd"] = codecs.encode_unicode_pwd(item.spec["password"])
        ok, result = self.client.add(item.dn, USER_OBJECT_CLASS, attrs, secret=item.set_password)
        if ok:
            return
        if item.set_password and result.get("result") == 53 and "0000052D" not in (result.get("message") or "").upper():
            # A DC that will not take the password in the add: KB 269190's order.
            return self._apply_create_conservative(item)
        raise self._fail_result(result, "create", item, parent=codecs.parent_dn(item.dn))

    def _apply_create_conservative(self, item):
        attrs = dict(item.add_attributes)
        final_uac = attrs.get("userAccountControl")
        final_pwd_last_set = attrs.pop("pwdLastSet", None)
        attrs["userAccountControl"] = str(codecs.uac_with(None, enabled=False))
        ok, result = self.client.add(item.dn, USER_OBJECT_CLASS, attrs)
        if not ok:
            raise self._fail_result(result, "create", item, parent=codecs.parent_dn(item.dn))
        try:
            self._modify(item, {"unicodePwd": [("replace", [codecs.encode_unicode_pwd(item.spec["password"])])]},
                         "set the password of", secret=True)
        except ADError:
            self.client.delete(item.dn)   # leave nothing half made: a rerun creates it again
            raise
        flags = {"userAccountControl": [("replace", [final_uac])]}
        if final_pwd_last_set is not None:
            flags["pwdLastSet"] = [("replace", [final_pwd_last_set])]
        self._modify(item, flags, "update")
        return None

    def _apply_groups(self):
        """One modify per group with every member to add (and one for removals); per user on failure."""
        batches = {}
        for item in self.items:
            if item.error is not None or item.action not in ("create", "update"):
                continue
            for dn in item.group_add:
                batches.setdefault((dn, "add"), []).append(item)
            for dn in item.group_remove:
                batches.setdefault((dn, "delete"), []).append(item)
        for (group_dn, op), members in sorted(batches.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            ok, result = self.client.modify(group_dn, {"member": [(op, [m.dn for m in members])]})
            if ok:
                continue
            for member in members:
                ok, result = self.client.modify(group_dn, {"member": [(op, [member.dn])]})
                if not ok and result.get("result") not in (20, 68) and not (op == "delete" and result.get("result") == 16):
                    member.fail("%s group %s: %s" % ("joining" if op == "add" else "leaving", group_dn,
                                                     describe(result, op="change the members of", dn=group_dn,
                                                              account=self.client.username)))

    def _read_back(self):
        """objectGUIDs of users created (or moved) in this run: one OR search per chunk."""
        # By sAMAccountName, unique in the domain: a DN in a filter must match the server's own escaping,
        # and Samba matched no DN holding '"' or ',' in its CN (the user then got no anchor and no cloud account).
        wanted = [item for item in self.items if item.error is None and (item.action == "create" or item.rename)
                  and item.sam]
        found = {}
        for chunk in chunks(wanted, OR_CHUNK):
            search_filter = codecs.or_filter(self._term("sam", i.sam) for i in chunk)
            for entry in self.client.search(self.base, search_filter,
                                            ["objectGUID", "sAMAccountName"] + self.return_attributes):
                found[(entry.text("sAMAccountName") or "").casefold()] = entry
        for item in wanted:
            entry = found.get(item.sam.split("\\", 1)[-1].casefold())
            if entry is not None:
                item.facts = identity_facts(entry)
                item.entry = entry

    # ================================================================== results
    def outcomes(self):
        for item in self.items:
            facts = dict(item.facts) if item.facts else {"object_guid": None, "immutable_id": None}
            extra = {
                "dn": item.dn,
                "object_guid": facts.get("object_guid"),
                "immutable_id": facts.get("immutable_id"),
                "sam_account_name": item.sam,
                "upn": item.upn,
            }
            if self.return_attributes:
                extra["attributes"] = dict((name, _attribute_value(item.entry, name)) for name in self.return_attributes)
            yield {
                "name": item.label,
                "action": ACTION_WORDS.get(item.action, item.action),
                "error": item.error,
                "changed": item.changed,
                "before": _redact(item.before),
                "after": _redact(item.after),
                "extra": extra,
            }


def _attribute_value(entry, name):
    values = entry.texts(name) if entry is not None else []
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _redact(view):
    view = dict(view or {})
    if "password" in view:
        view["password"] = HIDDEN
    return view
