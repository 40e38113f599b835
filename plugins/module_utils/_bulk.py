# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-object results of a set-oriented module run, and how the run ends.

Every object succeeds or fails on its own; the module converges all it can and fails at
the end, naming each failed object and why. The summary counts let roles report progress.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

ACTIONS = ("created", "updated", "unchanged", "deleted", "absent", "failed")
CHANGING = ("created", "updated", "deleted")


class BulkResults(object):
    def __init__(self, module, key="users"):
        self.module = module
        self.key = key
        self.items = []
        self._before = {}
        self._after = {}

    def add(self, name, action, id=None, changed=(), before=None, after=None, **extra):  # pylint: disable=redefined-builtin
        """Record one object's outcome; before/after feed --diff and must hold no secrets."""
        item = {"name": name, "action": action, "changed_attributes": sorted(changed or [])}
        if id is not None:
            item["id"] = id
        item.update(extra)
        self.items.append(item)
        if action in CHANGING:
            self._before[name] = before if before is not None else {}
            self._after[name] = after if after is not None else {}
        return item

    def fail(self, name, error, **extra):
        return self.add(name, "failed", error=str(error), **extra)

    @property
    def changed(self):
        return any(item["action"] in CHANGING for item in self.items)

    @property
    def failed(self):
        return [item for item in self.items if item["action"] == "failed"]

    def summary(self):
        counts = dict((action, 0) for action in ACTIONS)
        for item in self.items:
            counts[item["action"]] = counts.get(item["action"], 0) + 1
        counts["total"] = len(self.items)
        return counts

    def result(self, **extra):
        result = {"changed": self.changed, self.key: self.items, "summary": self.summary()}
        if self.module._diff:
            result["diff"] = {"before": self._before, "after": self._after}
        result.update(extra)
        return result

    def exit(self, refusal=None, **extra):
        """refusal: the whole run was refused before any write (a delete limit): that is the message."""
        result = self.result(**extra)
        failed = self.failed
        if refusal:
            self.module.fail_json(msg=refusal, **result)
        if failed:
            lines = ["%s: %s" % (item["name"], item.get("error")) for item in failed[:50]]
            more = "" if len(failed) <= 50 else " (and %d more)" % (len(failed) - 50)
            msg = "%d of %d %s failed%s: %s" % (len(failed), len(self.items), self.key, more, "; ".join(lines))
            self.module.fail_json(msg=msg, **result)
        self.module.exit_json(**result)
