# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Table-driven planning shared by every object module (pure logic, no I/O).

A module describes its attributes once as a table of Field rows; plan_object compares what
the user asked for with what the directory holds and says what to do, per object. The AD and
the cloud modules use the same planner, so create/update/unchanged/delete mean the same
everywhere and check mode is simply "plan, then stop".
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

HIDDEN = "(hidden)"


class Field(object):
    """One row of a module's attribute table.

    option: the Ansible option name; remote: the directory attribute / Graph property.
    kind: str | bool | int | list (lists compare as sets: directories do not keep order).
    casefold: compare strings case-insensitively (AD and Entra do for names and UPNs).
    create_only: sent on create, never compared or updated afterwards.
    write_only: never read back (passwords); shown as "(hidden)" in before/after.
    normalize: callable applied to both sides before comparing (e.g. phone formats).
    """

    def __init__(self, option, remote, kind="str", casefold=False, create_only=False, write_only=False,
                 normalize=None):
        self.option = option
        self.remote = remote
        self.kind = kind
        self.casefold = casefold
        self.create_only = create_only
        self.write_only = write_only
        self.normalize = normalize

    def comparable(self, value):
        if value is None:
            return None
        if self.normalize is not None:
            value = self.normalize(value)
        if self.kind == "list":
            items = value if isinstance(value, (list, tuple, set)) else [value]
            items = [self._fold(v) for v in items if v is not None and v != ""]
            return frozenset(items)
        if self.kind == "bool":
            return bool(value)
        if self.kind == "int":
            return int(value)
        return self._fold(value) if value != "" else None

    def _fold(self, value):
        if self.casefold and isinstance(value, str):
            return value.casefold()
        return value

    def same(self, wanted, current):
        return self.comparable(wanted) == self.comparable(current)


class ObjectPlan(object):
    """What to do with one object: action, the remote changes, and a redacted before/after."""

    def __init__(self, action, changes=None, changed=None, before=None, after=None):
        self.action = action
        self.changes = changes or {}
        self.changed = changed or []
        self.before = before or {}
        self.after = after or {}

    @property
    def writes(self):
        return self.action in ("create", "update", "delete")

    def __repr__(self):
        return "ObjectPlan(%s, changed=%s)" % (self.action, self.changed)


def _shown(field, value):
    if field.write_only and value is not None:
        return HIDDEN
    return value


def plan_object(fields, desired, current, state="present"):
    """Compare desired ({option: value}, only what the user set) with current ({remote: value}
    or None when the object does not exist) and return an ObjectPlan."""
    if state == "absent":
        if current is None:
            return ObjectPlan("absent")
        before = dict((f.option, _shown(f, current.get(f.remote))) for f in fields
                      if not f.write_only and f.remote in current)
        return ObjectPlan("delete", before=before, after={})
    if current is None:
        changes, after = {}, {}
        for field in fields:
            if field.option in desired and desired[field.option] is not None:
                changes[field.remote] = desired[field.option]
                after[field.option] = _shown(field, desired[field.option])
        return ObjectPlan("create", changes=changes, changed=sorted(after), before={}, after=after)
    changes, changed, before, after = {}, [], {}, {}
    for field in fields:
        if field.option not in desired or desired[field.option] is None or field.create_only:
            continue
        wanted = desired[field.option]
        if field.write_only:
            # Write-only values (passwords) cannot be compared: the caller decides whether to
            # send them (update_password=always) by passing them in desired or not.
            changes[field.remote] = wanted
            changed.append(field.option)
            before[field.option] = HIDDEN
            after[field.option] = HIDDEN
            continue
        have = current.get(field.remote)
        if not field.same(wanted, have):
            changes[field.remote] = wanted
            changed.append(field.option)
            before[field.option] = have
            after[field.option] = wanted
    if not changes:
        return ObjectPlan("unchanged")
    return ObjectPlan("update", changes=changes, changed=changed, before=before, after=after)


def plan_list(current, add=None, remove=None, set=None, casefold=True):  # pylint: disable=redefined-builtin
    """microsoft.ad's add/remove/set for a multi-valued option.

    Returns (new_list, added, removed); current order is kept and matching is
    case-insensitive by default, since AD DNs and Entra names are.
    """
    def key(value):
        return value.casefold() if casefold and isinstance(value, str) else value

    current = list(current or [])
    have = dict((key(v), v) for v in current)
    if set is not None:
        wanted = dict((key(v), v) for v in set)
        added = [v for k, v in wanted.items() if k not in have]
        removed = [v for k, v in have.items() if k not in wanted]
    else:
        wanted_add = dict((key(v), v) for v in (add or []))
        wanted_remove = dict((key(v), v) for v in (remove or []))
        added = [v for k, v in wanted_add.items() if k not in have and k not in wanted_remove]
        removed = [v for k, v in have.items() if k in wanted_remove]
    removed_keys = [key(v) for v in removed]
    new_list = [v for v in current if key(v) not in removed_keys] + added
    return new_list, added, removed
