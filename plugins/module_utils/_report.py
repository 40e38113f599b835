# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run report of a role: per-user outcome across steps, summary, CSV and HTML (pure logic).

A role runs several modules per chunk (ad_user, cloud_user, cloud_license, account_link...);
each returns one result per object. Here they are joined into one line per user: its overall
status (created / updated / unchanged / failed / excluded / planned in check mode), what each
step did, and why it failed or was left out. Reports never hold passwords: only the fields
named in COLUMNS are written, and a CSV cell that a spreadsheet would run as a formula gets
a leading quote (_csv_cells.safe_cell); the HTML report escapes every value.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import io

from ansible_collections.hybrid.identity.plugins.module_utils._csv_cells import safe_row

try:
    from html import escape as _escape
except ImportError:  # pragma: no cover
    from cgi import escape as _escape

CHANGING = ("created", "updated", "deleted", "linked", "unlinked")
NOOP = ("unchanged", "absent", "ok")
STATUSES = ("created", "updated", "unchanged", "deleted", "failed", "excluded", "skipped")
# Fields of a module result that may name the user it is about, tried in order.
MATCH_FIELDS = ("key", "upn", "user_principal_name", "cloud_upn", "cloud", "cloud_user", "ad_upn", "ad",
                "ad_user", "sam_account_name", "id", "cloud_id", "name")
COLUMNS = ("row", "name", "upn", "status", "steps", "changed", "reason")


def _fold(value):
    return str(value).strip().casefold() if value not in (None, "") else None


FAILING = ("failed", "refused", "conflict")


def _outcome(steps, errors):
    """(status, reason) of one user from what each step did ({step: action}) and why steps failed.

    Any failed step fails the user. A skipped step fails the user too when another step wrote
    something for it (created in AD and the cloud, but the link was skipped: the user is not done,
    it is not "created"); a user nothing was written for stays "skipped". The reason of a user
    that was partly written says what was done, so the admin knows a rerun finishes it."""
    actions = list(steps.values())
    done = ["%s %s" % (step, action) for step, action in steps.items() if action in CHANGING]
    failing = any(a in FAILING for a in actions)
    skipped = any(a == "skipped" for a in actions)
    reason = "; ".join(errors)
    if failing or (skipped and done):
        if done:
            reason = "%s (done: %s; a rerun completes the user)" % (reason, ", ".join(done))
        return "failed", reason
    if skipped:
        return "skipped", reason
    if any(a == "created" for a in actions):
        return "created", reason
    if any(a in CHANGING or a not in NOOP for a in actions):
        return "updated", reason
    return "unchanged", reason


def merge_results(users, steps, excluded=None):
    """users: [{key, name?, upn?, row?, keys?}]; steps: [[step name, [module result items]]];
    excluded: [{key?, name, upn?, reason}]. Returns the per-user records, in input order."""
    records, index = [], {}
    for user in users:
        record = {"key": user["key"], "row": user.get("row", ""), "name": user.get("name") or user["key"],
                  "upn": user.get("upn") or "", "steps": {}, "changed": [], "errors": []}
        records.append(record)
        for alt in [user["key"], user.get("upn"), user.get("name")] + list(user.get("keys") or []):
            folded = _fold(alt)
            if folded and folded not in index:
                index[folded] = record
    for step, items in steps:
        for item in items or []:
            record = None
            for field in MATCH_FIELDS:
                value = item.get(field)
                if isinstance(value, dict):
                    value = value.get("upn") or value.get("user_principal_name") or value.get("name")
                record = index.get(_fold(value)) if value is not None else None
                if record is not None:
                    break
            if record is None:
                continue
            action = item.get("action") or ("failed" if item.get("failed") else "unchanged")
            record["steps"][step] = action
            if action in CHANGING:
                record["changed"] += ["%s:%s" % (step, a) for a in item.get("changed_attributes") or [action]]
            if action in FAILING + ("skipped",):
                why = item.get("error") or item.get("message") or item.get("reason") or action
                record["errors"].append("%s: %s" % (step, why))
    for record in records:
        record["status"], record["reason"] = _outcome(record["steps"], record.pop("errors"))
    for item in excluded or []:
        records.append({"key": item.get("key") or _fold(item.get("upn") or item.get("name")), "row": item.get("row", ""),
                        "name": item.get("name") or item.get("upn"), "upn": item.get("upn") or "",
                        "steps": {}, "changed": [], "status": "excluded", "reason": item.get("reason") or ""})
    return records


def summarize(records):
    counts = dict((s, 0) for s in STATUSES)
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    counts["total"] = len(records)
    return counts


def summary_lines(title, counts, records, check_mode=False, paths=None, limit=20):
    """The few lines a role prints at the end: counts, then each failure / exclusion with its reason."""
    shown = [s for s in STATUSES if counts.get(s) or s in ("created", "updated", "unchanged", "failed")]
    shown += sorted(s for s in counts if s not in STATUSES and s != "total" and counts[s])
    head = "%s%s: %s" % (title, " (check mode: nothing was written)" if check_mode else "", ", ".join(
        "%s %d" % (s, counts.get(s, 0)) for s in shown))
    lines = [head + " (total %d)" % counts.get("total", 0)]
    for status in ("failed", "skipped", "excluded", "FAIL", "conflict"):
        chosen = [r for r in records if r.get("status") == status]
        for record in chosen[:limit]:
            lines.append("  %s %s: %s" % (status, record.get("upn") or record.get("name") or record.get("check") or "?",
                                          record.get("reason") or record.get("detail") or ""))
        if len(chosen) > limit:
            lines.append("  ... and %d more %s (see the report)" % (len(chosen) - limit, status))
    for kind, path in sorted((paths or {}).items()):
        lines.append("%s report: %s" % (kind.upper(), path))
    return lines


def _cell(record, column):
    value = record.get(column, "")
    if column == "steps":
        return " ".join("%s=%s" % (k, v) for k, v in sorted(value.items()))
    if column == "changed":
        return " ".join(value)
    return "" if value is None else str(value)


def render_csv(records, columns=COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(safe_row(columns))
    for record in records:
        # Names come from the input (and from the directories): a cell that would start a
        # spreadsheet formula gets a leading quote (OWASP's rule for CSV injection).
        writer.writerow(safe_row(_cell(record, c) for c in columns))
    return out.getvalue()


def render_html(title, records, counts, columns=COLUMNS, check_mode=False, generated=None, notes=None):
    def esc(value):
        return _escape(str(value), quote=True)

    parts = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\"><title>%s</title>" % esc(title),
             "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
             "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left;vertical-align:top}"
             "tr.failed td{background:#fdd}tr.created td{background:#dfd}tr.updated td{background:#eef}"
             "tr.excluded td,tr.skipped td{background:#eee}</style></head><body>",
             "<h1>%s</h1>" % esc(title)]
    if generated:
        parts.append("<p>Generated %s%s.</p>" % (esc(generated), " in check mode: nothing was written" if check_mode else ""))
    for note in notes or []:
        parts.append("<p>%s</p>" % esc(note))
    parts.append("<table><tr>%s</tr><tr>%s</tr></table>" % (
        "".join("<th>%s</th>" % esc(k) for k in list(STATUSES) + ["total"]),
        "".join("<td>%s</td>" % esc(counts.get(k, 0)) for k in list(STATUSES) + ["total"])))
    parts.append("<h2>Users</h2><table><tr>%s</tr>" % "".join("<th>%s</th>" % esc(c) for c in columns))
    for record in records:
        cells = "".join("<td>%s</td>" % esc(_cell(record, c)) for c in columns)
        parts.append("<tr class=\"%s\">%s</tr>" % (esc(record.get("status", "")), cells))
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"


def render_table(rows, columns):
    """Plain-text table (for the readiness check): rows are dicts, columns their keys."""
    widths = dict((c, max([len(c)] + [len(str(r.get(c, ""))) for r in rows])) for c in columns)

    def line(values):
        return "  ".join(str(v).ljust(widths[c]) for c, v in zip(columns, values)).rstrip()

    out = [line([c.upper() for c in columns]), line(["-" * widths[c] for c in columns])]
    out += [line([r.get(c, "") for c in columns]) for r in rows]
    return out
