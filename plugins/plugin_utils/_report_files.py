# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run's report on the controller: CSV + HTML files and the summary lines."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os

from ansible_collections.hybrid.identity.plugins.module_utils._report import render_csv, render_html, summarize, summary_lines


def _write(path, text):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_report(title, name, records, report_dir, host, check_mode, notes=(), columns=None):
    """Write <report_dir>/<name>-<host>-<time>[-check].csv/.html; returns (counts, paths, summary lines).

    Raises OSError when the directory or files cannot be written."""
    counts = summarize(records)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = "%s-%s-%s%s" % (name, host, stamp, "-check" if check_mode else "")
    directory = os.path.abspath(os.path.expanduser(report_dir))
    paths = {"csv": os.path.join(directory, stem + ".csv"), "html": os.path.join(directory, stem + ".html")}
    kwargs = {"columns": tuple(columns)} if columns else {}
    os.makedirs(directory, exist_ok=True)
    _write(paths["csv"], render_csv(records, **kwargs))
    _write(paths["html"], render_html(title, records, counts, check_mode=check_mode,
                                      generated=datetime.datetime.now().isoformat(timespec="seconds"),
                                      notes=list(notes), **kwargs))
    lines = summary_lines(title + " [%s]" % host, counts, records, check_mode=check_mode, paths=paths)
    return counts, paths, lines
