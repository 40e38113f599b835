# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the onboarding roles do with their input before anything is written (pure logic).

Rows come from a YAML list or a CSV file. Every row is checked against the rules AD and Graph
apply (names, UPN domains, licenses, passwords, duplicates) and every problem of every row is
reported at once, naming the row and the fix, so a run never starts with input that would fail
half-way. Passwords never appear in a message.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import io
import re

from ansible_collections.hybrid.identity.plugins.module_utils._ad_names import (
    validate_sam, validate_upn, sam_base)
from ansible_collections.hybrid.identity.plugins.module_utils._passwords import password_problems

LIST_SEPARATOR = ";"
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")

# Kinds of input. "required" lists alternatives as tuples (one of them must be there).
NEW_USER_COLUMNS = (
    "given_name", "surname", "username", "upn", "display_name", "password", "licenses", "ou", "groups",
    "usage_location", "department", "job_title", "office", "company", "email", "telephone_number", "mobile",
    "employee_id", "street", "city", "state_province", "postal_code", "country", "description", "enabled",
)
KINDS = {
    "new_users": {"columns": NEW_USER_COLUMNS, "required": ("given_name", "surname", ("username", "upn"))},
    "pairs": {"columns": ("ad", "cloud"), "required": ("ad", "cloud")},
    "identities": {"columns": ("identity",), "required": ("identity",)},
}
LIST_COLUMNS = ("licenses", "groups")
# AD's schema limits (rangeUpper) for what the roles write; Graph's are larger or equal.
MAX_LENGTH = {"name": 64, "given_name": 64, "surname": 64, "display_name": 256, "department": 64,
              "job_title": 128, "office": 128, "company": 64, "description": 1024, "employee_id": 16,
              "telephone_number": 64, "mobile": 64, "city": 128, "street": 1024, "postal_code": 40,
              "state_province": 128}


# Fields where a YAML number is a fine value (an employee number, a phone number, a numeric
# username); every other field is text. enabled also takes true/false (and 0/1).
NUMBER_FIELDS = ("username", "employee_id", "telephone_number", "mobile", "postal_code")
BOOL_FIELDS = ("enabled",)
# C0 controls (NUL, tab, line breaks...), DEL and the C1 controls: no name or attribute may hold one
# (Samba cannot even delete an object whose name holds a NUL; they break CSV files and logs).
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
# Bytes that were not UTF-8, kept by the surrogateescape decoding of a CSV file.
UNDECODED_RE = re.compile("[\udc80-\udcff]")
_SHOWN_RE = re.compile("[\x00-\x1f\x7f-\x9f\udc80-\udcff]")
CONTROL_NAMES = {0: "NUL", 9: "tab", 10: "line feed", 13: "carriage return", 127: "DEL"}
SAVE_AS_UTF8 = ("the file is not UTF-8 (Latin-1 or Windows-1252?): save it as UTF-8 (Excel: Save As > "
                "'CSV UTF-8 (Comma delimited)'; LibreOffice: character set 'Unicode (UTF-8)') and run again")


class InputError(Exception):
    """The input as a whole cannot be read (file missing, not a list, bad CSV header)."""


def printable(value):
    """A value fit for a message: control characters and bytes that are not UTF-8 as escapes."""
    text = value if isinstance(value, str) else str(value)

    def shown(match):
        code = ord(match.group(0))
        if code >= 0xdc80:
            return "\\x%02x" % (code - 0xdc00)
        return {9: "\\t", 10: "\\n", 13: "\\r"}.get(code, "\\x%02x" % code)
    return _SHOWN_RE.sub(shown, text)


def _kind(value):
    if isinstance(value, bool):
        return "true/false (YAML reads an unquoted yes, no, on, off, true or false so)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if hasattr(value, "isoformat"):
        return "a date (YAML reads an unquoted 2024-01-31 so)"
    return "a %s" % type(value).__name__


def text_problem(field, value):
    """Why the text value of field cannot be stored (control character, bytes not UTF-8), or None.
    Never quotes the value (it may be a password)."""
    match = UNDECODED_RE.search(value)
    if match:
        return "%s holds a byte that is not UTF-8 (0x%02X at character %d): %s" % (
            field, ord(match.group(0)) - 0xdc00, match.start() + 1, SAVE_AS_UTF8)
    match = CONTROL_RE.search(value)
    if match:
        code = ord(match.group(0))
        return ("%s holds a control character (%s, U+%04X at character %d); remove it: names and attributes "
                "cannot hold control characters, line breaks, tabs or NUL bytes" % (
                    field, CONTROL_NAMES.get(code, "control"), code, match.start() + 1))
    return None


def value_problems(field, value, lists=(), numbers=(), bools=()):
    """Why a row's value is not what the field takes (a string, or a list of strings for list
    fields; numbers and true/false where they make sense), as sentences naming the fix."""
    if value is None:
        return []
    shown = "" if field == "password" else " (%s)" % printable(value)[:60]
    if isinstance(value, str):
        problem = text_problem(field, value)
        return [problem] if problem else []
    if isinstance(value, bool):
        if field in bools:
            return []
    elif isinstance(value, int) and (field in numbers or field in bools):
        return []
    elif isinstance(value, (list, tuple)) and field in lists:
        out = []
        for pos, item in enumerate(value, 1):
            out += value_problems("%s item %d" % (field, pos), item, numbers=("%s item %d" % (field, pos),))
        return out
    return ["%s must be text, not %s%s; write it as one string (in YAML, in quotes)%s" % (
        field, _kind(value), shown, "" if field not in lists else ", or a list of strings")]


def _row_hygiene(row, lists=(), numbers=(), bools=()):
    """(names of the fields that cannot be used, sentences) for the values of one row's known fields."""
    bad, problems = set(), []
    for key, value in row.items():
        if key == "__extra__":
            continue
        found = value_problems(key, value, lists, numbers, bools)
        if found:
            bad.add(key)
            problems += found
    return bad, problems


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    value = str(value).strip()
    return value or None


def _as_list(value):
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(LIST_SEPARATOR) if v.strip()]


def _as_bool(value):
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "none"):
        return None
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    raise ValueError(text)


def read_csv(text, kind):
    """CSV text -> list of (row number, dict). Row numbers are file line numbers (header = 1)."""
    spec = KINDS[kind]
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise InputError("line %d of the CSV file cannot be read: %s" % (reader.line_num, exc))
    for name in header:
        problem = text_problem("the header (line 1) column %s" % printable(name), name)
        if problem:
            raise InputError(problem)
    if not header:
        raise InputError("the CSV file is empty; its first line must name the columns (%s)"
                         % ", ".join(_required_names(spec)))
    reader.fieldnames = header
    problems = []
    unknown = [h for h in header if h not in spec["columns"]]
    if unknown:
        problems.append("unknown column(s) %s; the columns are: %s" % (", ".join(unknown), ", ".join(spec["columns"])))
    for need in spec["required"]:
        options = need if isinstance(need, tuple) else (need,)
        if not any(o in header for o in options):
            problems.append("missing column %s" % " or ".join(options))
    if problems:
        raise InputError("the CSV header is wrong: %s" % "; ".join(problems))
    rows = []
    try:
        for row in reader:
            if not any((v or "").strip() for k, v in row.items() if k is not None):
                continue  # blank line
            extra = row.pop(None, None)
            if extra:
                row["__extra__"] = extra
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError("line %d of the CSV file cannot be read: %s" % (reader.line_num, exc))
    return rows


def _required_names(spec):
    return [" or ".join(n) if isinstance(n, tuple) else n for n in spec["required"]]


def rows_from_list(items, kind):
    """A YAML list -> list of (item number starting at 1, dict)."""
    if not isinstance(items, list):
        raise InputError("the user list must be a list of dictionaries")
    rows, wrong = [], []
    for pos, item in enumerate(items, 1):
        if not isinstance(item, dict):
            wrong.append("item %d is %s" % (pos, _kind(item) if not isinstance(item, str) else "a string (%s)"
                                            % printable(item)[:60]))
            continue
        rows.append((pos, dict(item)))
    if wrong:
        raise InputError("every item of the list must be a dictionary of field: value; %s" % "; ".join(wrong))
    return rows


def _where(source, number):
    return "%s %d" % ("line" if source == "csv" else "item", number)


def validate_new_users(rows, verified_domains, skus, upn_suffix=None, default_licenses=None,
                       default_usage_location=None, default_ou=None, default_groups=None,
                       source="list", min_password_length=7):
    """Check every row; return (users, errors). errors are sentences naming the row and the fix.

    verified_domains: the tenant's verified domain names; skus: SKU part numbers and ids the
    tenant has; upn_suffix: the domain for rows that give a username but no UPN.
    """
    verified = set(d.lower() for d in verified_domains or [])
    known_skus = dict((str(s).lower(), s) for s in skus or [])
    users, errors = [], []
    seen = {"upn": {}, "username": {}, "dn": {}}
    columns = NEW_USER_COLUMNS
    for number, row in rows:
        where = _where(source, number)
        problems = []
        if row.get("__extra__"):
            problems.append("has more values than the header has columns")
        unknown = [k for k in row if k not in columns and k != "__extra__"]
        if unknown:
            problems.append("unknown field(s) %s (known: %s)" % (", ".join(sorted(printable(k) for k in unknown)),
                                                                 ", ".join(columns)))
        # Control characters, bytes that are not UTF-8, a mapping where a name belongs: refused here,
        # and the field is left out of the checks below (which would only repeat it).
        bad, hygiene = _row_hygiene(dict((k, v) for k, v in row.items() if k in columns), LIST_COLUMNS,
                                    NUMBER_FIELDS, BOOL_FIELDS)
        problems += hygiene
        row = dict((k, v) for k, v in row.items() if k not in bad)
        given, surname = _text(row.get("given_name")), _text(row.get("surname"))
        username, upn = _text(row.get("username")), _text(row.get("upn"))
        if not given and "given_name" not in bad:
            problems.append("given_name is empty")
        if not surname and "surname" not in bad:
            problems.append("surname is empty")
        if not username and not upn and not bad & set(("username", "upn")):
            problems.append("give a username or a upn")
        if upn is None and username:
            if not upn_suffix:
                problems.append("no upn given and no upn_suffix set to build one from the username")
            else:
                upn = "%s@%s" % (username, upn_suffix)
        if username is None and upn and "@" in upn:
            username = sam_base(upn=upn)
        if username:
            reason = validate_sam(username)
            if reason:
                problems.append("username: %s; pick a shorter or plainer name" % reason)
        if upn:
            reason = validate_upn(upn)
            if reason:
                problems.append(reason)
            elif verified and upn.rsplit("@", 1)[1].lower() not in verified:
                problems.append("the UPN domain %s is not a verified domain of the tenant (verified: %s)"
                                % (upn.rsplit("@", 1)[1], ", ".join(sorted(verified))))
        display = _text(row.get("display_name")) or " ".join(p for p in (given, surname) if p) or username
        values = dict((k, _text(row.get(k))) for k in columns if k not in LIST_COLUMNS and k != "enabled")
        values.update(given_name=given, surname=surname, display_name=display)
        for field, limit in MAX_LENGTH.items():
            value = display if field == "name" else values.get(field)
            if value and len(value) > limit:
                problems.append("%s is %d characters long; AD allows at most %d" % (field, len(value), limit))
        licenses = _as_list(row.get("licenses")) if row.get("licenses") not in (None, "") else list(default_licenses or [])
        resolved = []
        for sku in licenses:
            name = sku.get("sku") if isinstance(sku, dict) else sku
            if str(name).lower() not in known_skus:
                problems.append("unknown license %s (the tenant has: %s)" % (name, ", ".join(sorted(
                    s for s in known_skus.values() if not re.match(r"^[0-9a-f-]{36}$", str(s)))) or "none"))
            else:
                resolved.append(name)
        usage = _text(row.get("usage_location")) or default_usage_location
        if usage and not COUNTRY_RE.match(usage):
            problems.append("usage_location %s is not a two-letter country code (ISO 3166)" % usage)
        if licenses and not usage:
            problems.append("licenses need a usage_location (a two-letter country code): set the column or "
                            "the role's usage_location")
        country = values.get("country")
        if country and not COUNTRY_RE.match(country):
            problems.append("country %s is not a two-letter country code (ISO 3166)" % country)
        try:
            enabled = _as_bool(row.get("enabled"))
        except ValueError:
            problems.append("enabled must be true or false")
            enabled = None
        password = row.get("password")
        password = None if password in (None, "") else str(password)
        if password is not None:
            reasons = password_problems(password, sam_account_name=username, display_name=display,
                                        min_length=min_password_length)
            if reasons:
                problems.append("the password is refused: %s" % "; ".join(reasons))
        ou = values.get("ou") or default_ou
        groups = _as_list(row.get("groups")) if row.get("groups") not in (None, "") else list(default_groups or [])
        for field, value in (("upn", upn), ("username", username), ("dn", "%s|%s" % (display, ou or ""))):
            if not value or (field == "dn" and not display):
                continue
            folded = value.casefold()
            if folded in seen[field]:
                label = {"upn": "UPN %s" % upn, "username": "username %s" % username,
                         "dn": "name %s in the same OU" % display}[field]
                problems.append("the same %s as %s; each user must appear once" % (label, seen[field][folded]))
            else:
                seen[field][folded] = where
        if problems:
            errors.append("%s (%s): %s" % (where, printable(upn or username or display or "?"), "; ".join(problems)))
            continue
        user = dict((k, v) for k, v in values.items() if v is not None and k not in ("ou", "username", "upn", "password"))
        user.update(key=upn.lower(), row=where, name=display, sam_account_name=username, upn=upn,
                    licenses=resolved, groups=groups, path=ou, usage_location=usage.upper() if usage else None,
                    has_password=password is not None)
        if enabled is not None:
            user["enabled"] = enabled
        if password is not None:
            user["password"] = password
        users.append(user)
    return users, errors


def validate_pairs(rows, source="list"):
    """Pairs {ad, cloud}: both given, neither side twice."""
    pairs, errors, seen_ad, seen_cloud = [], [], {}, {}
    for number, row in rows:
        where = _where(source, number)
        problems = []
        unknown = [k for k in row if k not in ("ad", "cloud")]
        if unknown:
            problems.append("unknown field(s) %s (known: ad, cloud)" % ", ".join(sorted(printable(k) for k in unknown)))
        bad, hygiene = _row_hygiene(dict((k, v) for k, v in row.items() if k in ("ad", "cloud")), numbers=("ad",))
        problems += hygiene
        ad = _text(row.get("ad")) if "ad" not in bad else None
        cloud = _text(row.get("cloud")) if "cloud" not in bad else None
        if not ad and "ad" not in bad:
            problems.append("ad is empty (an AD user: sAMAccountName, UPN, DN or objectGUID)")
        if not cloud and "cloud" not in bad:
            problems.append("cloud is empty (a cloud user: UPN or object id)")
        for value, seen, side in ((ad, seen_ad, "AD user"), (cloud, seen_cloud, "cloud user")):
            if value:
                if value.casefold() in seen:
                    problems.append("the %s %s is already paired in %s; each user may be paired once"
                                    % (side, value, seen[value.casefold()]))
                else:
                    seen[value.casefold()] = where
        if problems:
            errors.append("%s (%s -> %s): %s" % (where, printable(ad or "?"), printable(cloud or "?"), "; ".join(problems)))
        else:
            pairs.append({"ad": ad, "cloud": cloud, "key": cloud.lower(), "row": where})
    return pairs, errors


def validate_identities(rows, source="list"):
    """Rows {identity}: a user named once each (sAMAccountName, UPN, DN, objectGUID or cloud object id)."""
    out, errors, seen = [], [], {}
    for number, row in rows:
        where = _where(source, number)
        problems = []
        unknown = [k for k in row if k != "identity"]
        if unknown:
            problems.append("unknown field(s) %s (known: identity)" % ", ".join(sorted(printable(k) for k in unknown)))
        bad, hygiene = _row_hygiene(dict((k, v) for k, v in row.items() if k == "identity"))
        problems += hygiene
        value = _text(row.get("identity")) if "identity" not in bad else None
        if not value and "identity" not in bad:
            problems.append("identity is empty (a sAMAccountName, UPN, DN, objectGUID or cloud object id)")
        elif value and value.casefold() in seen:
            problems.append("%s is already listed in %s; list each user once" % (printable(value), seen[value.casefold()]))
        elif value:
            seen[value.casefold()] = where
        if problems:
            errors.append("%s (%s): %s" % (where, printable(value or "?"), "; ".join(problems)))
        else:
            out.append(value)
    return out, errors


def chunk_label(start, end, total, noun="users"):
    """'users 1,501-2,000 of 10,000' (1-based, inclusive)."""
    if start == end:
        return "%s %s of %s" % (noun, "{:,}".format(start), "{:,}".format(total))
    return "%s %s-%s of %s" % (noun, "{:,}".format(start), "{:,}".format(end), "{:,}".format(total))


def chunk_plan(total, size, noun="users"):
    """Slices of a list of total items: [{start, end, label}] with start/end Python slice bounds."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [{"start": start, "end": min(start + size, total),
             "label": chunk_label(start + 1, min(start + size, total), total, noun)}
            for start in range(0, total, size)]
