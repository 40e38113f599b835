# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The password sync agent's durable state: one SQLite file (root-only), never a password.

Per user: the last password version (msDS-KeyVersionNumber) sent, to which cloud id, when,
and the last failure. For the agent: its pid, whether Graph answers, which change it holds.
The changes themselves are not queued here: syncpasswords' own cache (the DirSync cookie)
is the queue, and an object is acknowledged (DONE-EXIT) only after the cloud took the
password or the change was judged not to be sent, so nothing here needs the cleartext.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    guid TEXT PRIMARY KEY,
    sam TEXT,
    upn TEXT,
    cloud_id TEXT,
    kvno INTEGER,
    last_result TEXT,
    last_reason TEXT,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    synced INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER
);
CREATE TABLE IF NOT EXISTS agent (
    key TEXT PRIMARY KEY,
    value TEXT
);
"""

USER_COLUMNS = ("guid", "sam", "upn", "cloud_id", "kvno", "last_result", "last_reason", "last_attempt",
                "last_success", "last_error", "failures", "synced", "latency_ms")


def utc_now(now=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if now is None else now))


class StateStore(object):
    def __init__(self, path, readonly=False):
        self.path = path
        if not readonly:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                os.makedirs(folder, 0o700)
            if not os.path.exists(path):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
                os.close(fd)
        uri = "file:%s%s" % (os.path.abspath(path), "?mode=ro" if readonly else "")
        self.db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        if not readonly:
            self.db.executescript(SCHEMA)

    def close(self):
        self.db.close()

    # --- users ------------------------------------------------------------------------------

    def user(self, guid):
        row = self.db.execute("SELECT * FROM users WHERE guid = ?", (guid,)).fetchone()
        return dict(row) if row else None

    def users(self):
        return [dict(r) for r in self.db.execute("SELECT * FROM users ORDER BY sam, guid")]

    def _upsert(self, change, **values):
        values.update({"sam": change.sam, "upn": change.upn})
        current = self.user(change.guid)
        if current is None:
            values["guid"] = change.guid
            cols = sorted(values)
            self.db.execute("INSERT INTO users (%s) VALUES (%s)" % (", ".join(cols), ", ".join("?" * len(cols))),
                            [values[c] for c in cols])
        else:
            cols = sorted(values)
            self.db.execute("UPDATE users SET %s WHERE guid = ?" % ", ".join("%s = ?" % c for c in cols),
                            [values[c] for c in cols] + [change.guid])

    def record_skip(self, change, reason, now=None):
        values = {"last_reason": reason, "last_attempt": utc_now(now)}
        current = self.user(change.guid)
        # A skip (a replay, a rename, a disabled account) does not hide the last sync or failure.
        if current is None or current.get("last_result") in (None, "skipped"):
            values["last_result"] = "skipped"
        self._upsert(change, **values)

    def record_success(self, change, latency_ms=None, now=None):
        current = self.user(change.guid) or {}
        stamp = utc_now(now)
        self._upsert(change, cloud_id=change.link, kvno=change.kvno, last_result="synced", last_reason=None,
                     last_attempt=stamp, last_success=stamp, last_error=None, latency_ms=latency_ms,
                     synced=int(current.get("synced") or 0) + 1)

    def record_failure(self, change, error, now=None):
        current = self.user(change.guid) or {}
        # kvno is recorded so a replay of the same version is not sent again; the failure stays
        # visible in status until a later password version succeeds.
        self._upsert(change, cloud_id=change.link, kvno=change.kvno, last_result="failed", last_reason=None,
                     last_attempt=utc_now(now), last_error=str(error)[:500],
                     failures=int(current.get("failures") or 0) + 1)

    # --- the agent --------------------------------------------------------------------------

    def set_agent(self, **values):
        for key, value in values.items():
            self.db.execute("INSERT OR REPLACE INTO agent (key, value) VALUES (?, ?)",
                            (key, None if value is None else str(value)))

    def agent(self):
        return dict((r["key"], r["value"]) for r in self.db.execute("SELECT key, value FROM agent"))
