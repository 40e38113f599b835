# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's input rows on the controller: from a CSV file or a list (the checks are in _role_input)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hybrid.identity.plugins.module_utils._role_input import InputError, read_csv, rows_from_list


def load_rows(csv_path, users, kind):
    """(rows, source) from csv_path when given, else from the list users. Raises InputError."""
    noun = "pairs" if kind == "pairs" else "users"
    if csv_path:
        path = os.path.abspath(os.path.expanduser(csv_path))
        if not os.path.isfile(path):
            raise InputError("the CSV file %s does not exist" % path)
        with open(path, "rb") as handle:
            text = to_text(handle.read(), errors="surrogate_or_strict")
        return read_csv(text, kind), "csv"
    if users is not None:
        return rows_from_list(users, kind), "list"
    raise InputError("give the %s as a list or as a CSV file" % noun)


def input_failure(errors, total, kind, max_errors=200):
    """The message of a run refused because some rows cannot be used (each named with its fix)."""
    shown = errors[:max_errors]
    more = len(errors) - len(shown)
    return "%d of %d %s cannot be used; nothing was written. Fix each of them and run again:\n%s%s" % (
        len(errors), total, "pairs" if kind == "pairs" else "rows", "\n".join(shown),
        "\n(and %d more)" % more if more > 0 else "")
