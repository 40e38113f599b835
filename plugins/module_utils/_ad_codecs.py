# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Active Directory value codecs (pure logic, no I/O, no ldap3).

userAccountControl flags, FILETIME / pwdLastSet, unicodePwd, objectGUID <-> immutableId,
LDAP filter escaping and RFC 4514 DN handling. Values read from the directory are the raw
bytes ldap3 returns in raw_attributes: decoding is done here, so the result never depends on
whether ldap3 downloaded the schema.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import datetime
import re
import uuid

# userAccountControl flags (MS-ADTS 2.2.16)
UAC_SCRIPT = 0x0001
UAC_ACCOUNTDISABLE = 0x0002
UAC_LOCKOUT = 0x0010
UAC_PASSWD_NOTREQD = 0x0020
UAC_PASSWD_CANT_CHANGE = 0x0040
UAC_NORMAL_ACCOUNT = 0x0200
UAC_DONT_EXPIRE_PASSWORD = 0x10000
UAC_PASSWORD_EXPIRED = 0x800000

UAC_FLAGS = {
    "SCRIPT": UAC_SCRIPT,
    "ACCOUNTDISABLE": UAC_ACCOUNTDISABLE,
    "HOMEDIR_REQUIRED": 0x0008,
    "LOCKOUT": UAC_LOCKOUT,
    "PASSWD_NOTREQD": UAC_PASSWD_NOTREQD,
    "PASSWD_CANT_CHANGE": UAC_PASSWD_CANT_CHANGE,
    "ENCRYPTED_TEXT_PWD_ALLOWED": 0x0080,
    "TEMP_DUPLICATE_ACCOUNT": 0x0100,
    "NORMAL_ACCOUNT": UAC_NORMAL_ACCOUNT,
    "INTERDOMAIN_TRUST_ACCOUNT": 0x0800,
    "WORKSTATION_TRUST_ACCOUNT": 0x1000,
    "SERVER_TRUST_ACCOUNT": 0x2000,
    "DONT_EXPIRE_PASSWORD": UAC_DONT_EXPIRE_PASSWORD,
    "MNS_LOGON_ACCOUNT": 0x20000,
    "SMARTCARD_REQUIRED": 0x40000,
    "TRUSTED_FOR_DELEGATION": 0x80000,
    "NOT_DELEGATED": 0x100000,
    "USE_DES_KEY_ONLY": 0x200000,
    "DONT_REQ_PREAUTH": 0x400000,
    "PASSWORD_EXPIRED": UAC_PASSWORD_EXPIRED,
    "TRUSTED_TO_AUTH_FOR_DELEGATION": 0x1000000,
    "PARTIAL_SECRETS_ACCOUNT": 0x4000000,
}

# FILETIME: 100-ns intervals since 1601-01-01 UTC.
_EPOCH_1601 = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc) if hasattr(datetime, "timezone") else None
_NEVER = 0x7FFFFFFFFFFFFFFF

PWD_LAST_SET_MUST_CHANGE = 0   # write 0: must change at next logon
PWD_LAST_SET_NOW = -1          # write -1: the DC stores the current time

GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")


# ---------------------------------------------------------------- raw values
def text(value):
    """One raw LDAP value (bytes or str) as text."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def first(values):
    """First value of a raw multi-valued attribute list, or None."""
    if not values:
        return None
    if isinstance(values, (list, tuple)):
        return values[0]
    return values


def to_int(value):
    value = text(first(value) if isinstance(value, (list, tuple)) else value)
    if value is None or value == "":
        return None
    return int(value)


# ---------------------------------------------------------------- userAccountControl
def uac_flags(uac):
    """Names of the flags set in a userAccountControl value."""
    uac = int(uac or 0)
    return sorted(name for name, bit in UAC_FLAGS.items() if uac & bit)


def uac_enabled(uac):
    return not int(uac or 0) & UAC_ACCOUNTDISABLE


def uac_with(uac, enabled=None, password_never_expires=None):
    """A userAccountControl with the managed flags set as asked; PASSWD_NOTREQD is always cleared
    (an account that may have an empty password is never what a module wants)."""
    uac = int(uac if uac is not None else UAC_NORMAL_ACCOUNT | UAC_ACCOUNTDISABLE)
    uac |= UAC_NORMAL_ACCOUNT
    uac &= ~UAC_PASSWD_NOTREQD
    if enabled is not None:
        uac = uac & ~UAC_ACCOUNTDISABLE if enabled else uac | UAC_ACCOUNTDISABLE
    if password_never_expires is not None:
        uac = uac | UAC_DONT_EXPIRE_PASSWORD if password_never_expires else uac & ~UAC_DONT_EXPIRE_PASSWORD
    return uac


# ---------------------------------------------------------------- FILETIME / pwdLastSet
def filetime_to_datetime(value):
    """FILETIME integer -> aware UTC datetime; None for 0 and 'never' (0x7FFF...)."""
    value = int(value)
    if value <= 0 or value >= _NEVER:
        return None
    return _EPOCH_1601 + datetime.timedelta(microseconds=value // 10)


def datetime_to_filetime(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    delta = value - _EPOCH_1601
    return (delta.days * 86400 + delta.seconds) * 10000000 + delta.microseconds * 10


def filetime_to_iso(value):
    moment = filetime_to_datetime(value) if value is not None else None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def generalized_time_to_iso(value):
    """LDAP GeneralizedTime (20260101120000.0Z) -> ISO 8601 (2026-01-01T12:00:00Z)."""
    value = text(value)
    if not value:
        return None
    match = re.match(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", value)
    if not match:
        return value
    return "%s-%s-%sT%s:%s:%sZ" % match.groups()


def must_change_password(pwd_last_set, uac):
    """True when the user must change the password at next logon (pwdLastSet 0) and the
    password can expire at all (DONT_EXPIRE_PASSWORD makes pwdLastSet 0 ineffective)."""
    if pwd_last_set is None:
        return False
    return int(pwd_last_set) == 0 and not int(uac or 0) & UAC_DONT_EXPIRE_PASSWORD


# ---------------------------------------------------------------- unicodePwd
def encode_unicode_pwd(password):
    """The unicodePwd value: the password in double quotes, UTF-16LE."""
    if password is None:
        raise ValueError("no password")
    return ('"%s"' % password).encode("utf-16-le")


# ---------------------------------------------------------------- objectGUID
def guid_from_bytes(raw):
    """16 raw objectGUID bytes (little-endian GUID order, as AD stores them) -> canonical string."""
    if raw is None:
        return None
    if len(raw) != 16:
        raise ValueError("objectGUID must be 16 bytes, got %d" % len(raw))
    return str(uuid.UUID(bytes_le=bytes(raw)))


def guid_to_bytes(guid):
    return uuid.UUID(str(guid).strip("{}")).bytes_le


def immutable_id_from_bytes(raw):
    """The Entra onPremisesImmutableId (Entra Connect's sourceAnchor): base64 of the raw GUID bytes."""
    if raw is None:
        return None
    return base64.b64encode(bytes(raw)).decode("ascii")


def immutable_id_from_guid(guid):
    return base64.b64encode(guid_to_bytes(guid)).decode("ascii")


def guid_from_immutable_id(immutable_id):
    try:
        raw = base64.b64decode(immutable_id, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValueError("'%s' is not base64" % immutable_id)
    if len(raw) != 16:
        raise ValueError("immutable id '%s' does not decode to 16 bytes (an objectGUID)" % immutable_id)
    return guid_from_bytes(raw)


def is_guid(value):
    return bool(GUID_RE.match(str(value)))


# ---------------------------------------------------------------- LDAP filters
def escape_filter_value(value):
    """RFC 4515 escaping of an assertion value (str, or bytes escaped byte by byte)."""
    if isinstance(value, bytes):
        return "".join("\\%02x" % b for b in bytearray(value))
    out = []
    for char in str(value):
        if char in "*()\\" or char == "\x00":
            out.append("\\%02x" % ord(char))
        else:
            out.append(char)
    return "".join(out)


def guid_filter_value(guid):
    return escape_filter_value(guid_to_bytes(guid))


def or_filter(terms):
    terms = list(terms)
    if len(terms) == 1:
        return terms[0]
    return "(|%s)" % "".join(terms)


# ---------------------------------------------------------------- DNs (RFC 4514)
# RFC 4514 2.4: the characters escaped anywhere in a value (NUL as \00), and where a leading # or
# space and a trailing space must be escaped. Nothing else is: servers escape more (Samba writes
# \? and \3D; Windows \#), so DNs are compared on their unescaped values (normalize_dn) and
# re-encoded in this one form (canonical_dn) before ldap3 sees them: ldap3 doubles the backslash
# of an escape it does not know (CN=Who\? Me becomes CN=Who\\? Me, an object that does not exist).
RDN_SPECIALS = ',+"\\<>;'
_HEX_PAIR = re.compile(r"^[0-9a-fA-F]{2}$")


def escape_rdn_value(value):
    """Escape an attribute value for use in an RDN (CN=<value>): exactly RFC 4514's specials."""
    value = str(value)
    out = []
    last = len(value) - 1
    for index, char in enumerate(value):
        if char == "\x00":
            out.append("\\00")
        elif char in RDN_SPECIALS:
            out.append("\\" + char)
        elif index == 0 and char in "# ":
            out.append("\\" + char)
        elif index == last and char == " ":
            out.append("\\ ")
        else:
            out.append(char)
    return "".join(out)


def _split_unescaped(text, separator):
    """Split on separator where it is not escaped (a backslash escapes the next character)."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def split_dn(dn):
    """Split a DN into its RDN strings, respecting backslash escapes."""
    if not dn:
        return []
    if "\\" not in dn:
        # No escapes (nearly every DN): a plain split gives the same parts, several times faster.
        return [_strip_rdn(part) for part in dn.split(",")]
    return [_strip_rdn(part) for part in _split_unescaped(dn, ",")]


def _strip_rdn(rdn):
    """Strip the spaces around an RDN, but not an escaped trailing space."""
    rdn = rdn.lstrip()
    while rdn.endswith(" ") and not _escaped_end(rdn):
        rdn = rdn[:-1]
    return rdn


def _escaped_end(text):
    """True when the last character of text is escaped (an odd run of backslashes before it)."""
    count, index = 0, len(text) - 2
    while index >= 0 and text[index] == "\\":
        count += 1
        index -= 1
    return count % 2 == 1


def unescape_rdn_value(value):
    """An RDN value as it is stored: \\c and \\XX escapes resolved (hex pairs may form UTF-8)."""
    if "\\" not in value:
        return value
    out, index = [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            if _HEX_PAIR.match(value[index + 1:index + 3]):
                # hex pairs may form a multi-byte UTF-8 sequence
                raw = bytearray()
                while index < len(value) and value[index] == "\\" and _HEX_PAIR.match(value[index + 1:index + 3]):
                    raw.append(int(value[index + 1:index + 3], 16))
                    index += 3
                out.append(raw.decode("utf-8", "replace"))
                continue
            out.append(value[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _avas(rdn):
    """[(type, unescaped value)] of one RDN (several when it is multi-valued: a+b)."""
    out = []
    for ava in _split_unescaped(rdn, "+") if "+" in rdn else [rdn]:
        kind, dummy, value = ava.partition("=")
        value = value.lstrip()
        while value.endswith(" ") and not _escaped_end(value):
            value = value[:-1]
        out.append((kind.strip(), unescape_rdn_value(value)))
    return out


def rdn_value(dn):
    """The unescaped value of the first RDN (the CN of a user DN)."""
    parts = split_dn(dn)
    if not parts or "=" not in parts[0]:
        return None
    return _avas(parts[0])[0][1]


def parent_dn(dn):
    return ",".join(split_dn(dn)[1:])


def canonical_dn(dn):
    """The DN with every value escaped exactly as escape_rdn_value does (RFC 4514), whatever
    escaping the server chose (\\? or \\3F for ?, \\3D for =): the form ldap3 passes on unchanged.
    A DN without a backslash is returned as it is."""
    if not dn or "\\" not in dn:
        return dn
    key = _CANONICAL.get(dn)
    if key is None:
        if len(_CANONICAL) >= _NORMALIZED_MAX:
            _CANONICAL.clear()
        key = _CANONICAL[dn] = ",".join(
            "+".join("%s=%s" % (kind, escape_rdn_value(value)) for kind, value in _avas(rdn)) if "=" in rdn else rdn
            for rdn in split_dn(dn))
    return key


def normalize_dn(dn):
    """A comparable form of a DN: attribute types and values casefolded, escapes normalised."""
    # A bulk run compares the same few thousand DNs many times (planning, uniqueness, read-back).
    key = _NORMALIZED.get(dn)
    if key is None:
        if len(_NORMALIZED) >= _NORMALIZED_MAX:
            _NORMALIZED.clear()
        key = _NORMALIZED[dn] = _normalize_dn(dn)
    return key


_NORMALIZED = {}
_CANONICAL = {}
_NORMALIZED_MAX = 200000


def _normalize_dn(dn):
    parts = []
    for rdn in split_dn(dn):
        avas = sorted("%s=%s" % (kind.casefold(), escape_rdn_value(value.casefold())) for kind, value in _avas(rdn))
        parts.append("+".join(avas))
    return ",".join(parts)


def same_dn(left, right):
    if left is None or right is None:
        return left is right
    return normalize_dn(left) == normalize_dn(right)


def looks_like_dn(value):
    parts = split_dn(value)
    return len(parts) >= 2 and all("=" in p for p in parts)


def dn_from_domain(dns_domain):
    return ",".join("DC=" + part for part in dns_domain.strip(".").split("."))


def domain_from_dn(dn):
    labels = [rdn.split("=", 1)[1] for rdn in split_dn(dn) if rdn.lower().startswith("dc=")]
    return ".".join(labels).lower()
