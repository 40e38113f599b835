# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore record of offboard_users on the controller: what each offboarding removed (groups, licences,
the OU, whether the accounts were enabled), written before the writes that remove it, like the password
file (an interrupted run never removes what nobody recorded). JSON lines, appended and fsynced; a later
line for the same user adds to the earlier ones (_offboard_logic.merge_record). restore_users reads it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible_collections.hybrid.identity.plugins.module_utils._offboard_logic import merge_record


class OffboardRecord(object):
    def __init__(self, path):
        self.path = path
        self.entries = {}     # user key -> merged entry
        self.written = 0

    def load(self):
        """Read the record; a line that is not ours is an error naming the file (never silently skipped)."""
        self.entries = {}
        if not os.path.exists(self.path):
            return self.entries
        with open(self.path, "r") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    entry = None
                if not isinstance(entry, dict) or not entry.get("key"):
                    raise ValueError("%s line %d is not an offboarding record; move the file away or correct the line"
                                     % (self.path, number))
                self.entries[entry["key"]] = merge_record(self.entries.get(entry["key"]), entry)
        return self.entries

    def record(self, entries):
        """Append the entries that add something, and fsync before returning."""
        lines = []
        for entry in entries:
            merged = merge_record(self.entries.get(entry["key"]), entry)
            if merged != self.entries.get(entry["key"]):
                self.entries[entry["key"]] = merged
                lines.append(json.dumps(merged, sort_keys=True))
        if not lines:
            return 0
        folder = os.path.dirname(self.path) or "."
        if not os.path.isdir(folder):
            os.makedirs(folder, 0o700)
        new = not os.path.exists(self.path)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:   # the file's directory entry is durable too
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        self.written += len(lines)
        return len(lines)
