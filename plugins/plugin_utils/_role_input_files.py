# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's input rows on the controller: from a CSV file or a list (the checks are in _role_input)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.hybrid.identity.plugins.module_utils._role_input import (
    InputError, read_csv, rows_from_list, validate_new_users)


# The options of the doc fragment hybrid.identity.user_rows, for the actions that read rows.
ROWS_ARGSPEC = dict(
    users=dict(type="list", elements="raw"),
    csv=dict(type="path"),
    verified_domains=dict(type="list", elements="str", default=[]),
    skus=dict(type="list", elements="str", default=[]),
    upn_suffix=dict(type="str"),
    licenses=dict(type="list", elements="str", default=[]),
    usage_location=dict(type="str"),
    ou=dict(type="str"),
    groups=dict(type="list", elements="str", default=[]),
    max_errors=dict(type="int", default=200),
)


def load_rows(csv_path, users, kind):
    """(rows, source) from csv_path when given, else from the list users. Raises InputError."""
    noun = "pairs" if kind == "pairs" else "users"
    if csv_path:
        path = os.path.abspath(os.path.expanduser(csv_path))
        if not os.path.isfile(path):
            raise InputError("the CSV file %s does not exist" % path)
        with open(path, "rb") as handle:
            return read_csv(decode_csv(handle.read(), path), kind), "csv"
    if users is not None:
        return rows_from_list(users, kind), "list"
    raise InputError("give the %s as a list or as a CSV file" % noun)


def decode_csv(data, path="the CSV file"):
    """The text of a CSV file that should be UTF-8 (a UTF-8 BOM is fine).

    Bytes that are not UTF-8 (a file saved as Latin-1 or Windows-1252) are kept as surrogate escapes,
    so that the row checks refuse each row holding one, naming its line and the fix; nothing reaches
    a directory. A UTF-16 file (Excel's "Unicode text") is refused as a whole."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("%s is UTF-16 (Excel's 'Unicode Text'); save it as 'CSV UTF-8 (Comma delimited)' and "
                         "run again" % path)
    return data.decode("utf-8", "surrogateescape")


def input_failure(errors, total, kind, max_errors=200):
    """The message of a run refused because some rows cannot be used (each named with its fix)."""
    shown = errors[:max_errors]
    more = len(errors) - len(shown)
    return "%d of %d %s cannot be used; nothing was written. Fix each of them and run again:\n%s%s" % (
        len(errors), total, "pairs" if kind == "pairs" else "rows", "\n".join(shown),
        "\n(and %d more)" % more if more > 0 else "")


def check_new_users(rows, source, args):
    """validate_new_users with the ROWS_ARGSPEC options of an action: (users, errors)."""
    return validate_new_users(
        rows, args["verified_domains"], args["skus"], upn_suffix=args["upn_suffix"],
        default_licenses=args["licenses"], default_usage_location=args["usage_location"],
        default_ou=args["ou"], default_groups=args["groups"], source=source)
