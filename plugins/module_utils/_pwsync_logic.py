# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password synchronisation, the pure part: what samba-tool user syncpasswords hands over,
whether it is a password change to send, when to retry, and what never to print.

No I/O here (unit-tested in tests/unit/pwsync); _pwsync_agent.py does the sockets, the child
process and Graph. Nothing in this file keeps a password beyond the call that was given it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import random
import re
import uuid

# What the agent asks syncpasswords for (--attributes at --cache-ldb-initialize). The link
# attribute is added at run time. virtualClearTextUTF8 is the cleartext (decrypted from the
# Primary:SambaGPG blob with --decrypt-samba-gpg); msDS-KeyVersionNumber counts password sets.
BASE_ATTRIBUTES = ("objectGUID", "sAMAccountName", "userPrincipalName", "userAccountControl", "pwdLastSet",
                   "msDS-KeyVersionNumber", "virtualClearTextUTF8")
DEFAULT_LINK_ATTRIBUTE = "msDS-cloudExtensionAttribute1"
UF_ACCOUNTDISABLE = 2

# Reasons a change is not sent (status shows them; none is an error).
SKIP_DELETED = "deleted"
SKIP_NOT_LINKED = "not-linked"
SKIP_BAD_LINK = "link-not-a-cloud-id"
SKIP_NO_CLEARTEXT = "no-cleartext"
SKIP_ALREADY_SYNCED = "already-synced"
SKIP_ALREADY_FAILED = "already-failed"
SKIP_NO_GUID = "no-objectGUID"
SKIP_MUST_CHANGE = "must-change-at-next-logon"


class LdifError(ValueError):
    """The hook's input is not one LDIF record with an objectGUID (the message holds no value)."""


def attributes_for(link_attribute=DEFAULT_LINK_ATTRIBUTE):
    """The --attributes list for the syncpasswords cache."""
    names = list(BASE_ATTRIBUTES)
    if link_attribute and link_attribute.lower() not in [n.lower() for n in names]:
        names.insert(len(names) - 1, link_attribute)
    return ",".join(names)


def dirsync_filter(link_attribute=DEFAULT_LINK_ATTRIBUTE, only_linked=True):
    """The --filter for the DirSync search: syncpasswords' own default (normal, non-krbtgt
    accounts), narrowed to linked accounts so unlinked users never reach the agent at all."""
    parts = ["(objectClass=user)", "(userAccountControl:1.2.840.113556.1.4.803:=512)",
             "(!(sAMAccountName=krbtgt*))"]
    if only_linked and link_attribute:
        parts.append("(%s=*)" % link_attribute)
    return "(&%s)" % "".join(parts)


# --- LDIF ------------------------------------------------------------------------------------

def _unfold(text):
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def parse_ldif(text):
    """LDIF (as samba's write_ldif prints it) -> list of records {attribute lower-case: [values]}.

    "attr:: base64" values are decoded to bytes; plain values are str. "dn" is kept as a
    str under "dn". Comments and "changetype" lines are ignored. Raises LdifError (without
    quoting the input: it may hold a password) on a line that is not LDIF."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    records = []
    current = None
    for number, line in enumerate(_unfold(text), 1):
        if not line.strip():
            if current:
                records.append(current)
            current = None
            continue
        if line.startswith("#"):
            continue
        name, sep, rest = line.partition(":")
        if not sep or not name or " " in name.strip():
            raise LdifError("line %d of the LDIF is not 'attribute: value'" % number)
        name = name.strip().lower()
        if rest.startswith(":"):
            try:
                value = base64.b64decode(rest[1:].strip(), validate=True)
            except (ValueError, TypeError):
                raise LdifError("line %d of the LDIF (%s) is not valid base64" % (number, name))
        elif rest.startswith("<"):
            raise LdifError("line %d of the LDIF (%s) is a URL reference, not supported" % (number, name))
        else:
            value = rest[1:] if rest.startswith(" ") else rest
        if name == "changetype":
            continue
        if current is None:
            current = {}
        current.setdefault(name, []).append(value)
    if current:
        records.append(current)
    return records


def _text(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _first(record, name):
    values = record.get(name.lower()) or []
    return _text(values[0]) if values else None


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def immutable_id(guid):
    """The onPremisesImmutableId of an AD objectGUID (string form as Samba prints it):
    base64 of the 16 bytes in AD's (little-endian) order."""
    return base64.b64encode(uuid.UUID(guid).bytes_le).decode("ascii")


def is_guid(value):
    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return bool(re.match(r"^\{?[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\}?$", str(value).strip()))


class Change(object):
    """One object as syncpasswords handed it over (current state, not a diff).

    The cleartext is kept in `password` only; __repr__ and to_public() never show it."""

    __slots__ = ("dn", "guid", "sam", "upn", "uac", "kvno", "pwd_last_set", "link", "deleted", "password")

    def __init__(self, dn=None, guid=None, sam=None, upn=None, uac=None, kvno=None, pwd_last_set=None, link=None,
                 deleted=False, password=None):
        self.dn = dn
        self.guid = guid
        self.sam = sam
        self.upn = upn
        self.uac = uac
        self.kvno = kvno
        self.pwd_last_set = pwd_last_set
        self.link = link
        self.deleted = deleted
        self.password = password

    @classmethod
    def from_record(cls, record, link_attribute=DEFAULT_LINK_ATTRIBUTE):
        guid = _first(record, "objectGUID")
        if guid is not None:
            try:
                guid = str(uuid.UUID(guid))
            except ValueError:
                raise LdifError("objectGUID is not a GUID")
        clear = (record.get("virtualcleartextutf8") or [None])[0]
        if clear is not None:
            try:
                clear = _text(clear)
            except UnicodeError:
                raise LdifError("virtualClearTextUTF8 is not UTF-8")
        link = _first(record, link_attribute) if link_attribute else None
        return cls(dn=_first(record, "dn"), guid=guid, sam=_first(record, "sAMAccountName"),
                   upn=_first(record, "userPrincipalName"), uac=_int(_first(record, "userAccountControl")),
                   kvno=_int(_first(record, "msDS-KeyVersionNumber")),
                   pwd_last_set=_int(_first(record, "pwdLastSet")), link=(link or "").strip() or None,
                   deleted=(_first(record, "isDeleted") or "").upper() == "TRUE", password=clear or None)

    @property
    def name(self):
        return self.sam or self.upn or self.guid or "?"

    def to_public(self):
        return {"guid": self.guid, "sam": self.sam, "upn": self.upn, "kvno": self.kvno, "link": self.link,
                "deleted": self.deleted, "has_cleartext": self.password is not None}

    def __repr__(self):
        return "Change(%r)" % self.to_public()


def change_from_ldif(text, link_attribute=DEFAULT_LINK_ATTRIBUTE):
    """The hook gets exactly one object per call."""
    records = parse_ldif(text)
    if len(records) != 1:
        raise LdifError("expected one LDIF record, got %d" % len(records))
    return Change.from_record(records[0], link_attribute)


class Verdict(object):
    __slots__ = ("send", "reason")

    def __init__(self, send, reason=None):
        self.send = send
        self.reason = reason

    def __repr__(self):
        return "Verdict(send=%r, reason=%r)" % (self.send, self.reason)


def decide(change, prior=None):
    """Whether this change is a password to send to the cloud.

    prior: what the state store remembers of this user ({"kvno": ..., "cloud_id": ...}) or None.
    A password is sent once per password version (msDS-KeyVersionNumber): the same version
    handed over again (a restart replays unacknowledged objects; a userAccountControl or name
    change fires too) is not sent twice. Cleartext exists only for passwords set after capture
    was enabled, so a user seen for the first time with cleartext did change it since then."""
    if not change.guid:
        return Verdict(False, SKIP_NO_GUID)
    if change.deleted:
        return Verdict(False, SKIP_DELETED)
    if not change.link:
        return Verdict(False, SKIP_NOT_LINKED)
    if not is_guid(change.link):
        return Verdict(False, SKIP_BAD_LINK)
    if change.password is None:
        return Verdict(False, SKIP_NO_CLEARTEXT)
    if change.pwd_last_set == 0:
        # A temporary password the user must replace at the next logon (an import, a reset
        # with "must change"): the cloud gets the password the user chooses, not this one.
        return Verdict(False, SKIP_MUST_CHANGE)
    if prior and prior.get("kvno") is not None and change.kvno is not None \
            and int(prior["kvno"]) >= change.kvno and (prior.get("cloud_id") or "").lower() == change.link.lower():
        # This version was sent (or failed for good) already: a replay, or not a password change.
        return Verdict(False, SKIP_ALREADY_FAILED if prior.get("last_result") == "failed" else SKIP_ALREADY_SYNCED)
    return Verdict(True)


# --- errors: hold the change (retry) or record a failure and move on ----------------------------

# Token endpoint / credential problems: nothing can be sent until an admin fixes them, so the
# change is held (not acknowledged) and retried, never dropped.
_CREDENTIAL_CODES = frozenset((
    "invalid_client", "unauthorized_client", "invalid_request", "invalid_scope", "invalid_resource",
    "AuthorityUnreachable", "InvalidAuthority", "TokenError", "InvalidCredential", "ConnectionError",
    "InvalidAuthenticationToken", "TokenExpired"))


def classify_error(status, code=None):
    """'hold' (retry later, do not acknowledge) or 'fail' (record, acknowledge, go on)."""
    if code in _CREDENTIAL_CODES:
        return "hold"
    if not status or status in (401, 408, 429) or status >= 500:
        return "hold"
    return "fail"


class Backoff(object):
    """Exponential backoff with equal jitter: base, 2*base, ... capped; reset on success."""

    def __init__(self, base=1.0, cap=60.0, jitter=None):
        self.base = float(base)
        self.cap = float(cap)
        self.jitter = jitter if jitter is not None else random.random
        self.attempt = 0

    def next(self):
        self.attempt += 1
        ceiling = min(self.cap, self.base * (2 ** (self.attempt - 1)))
        return ceiling / 2.0 + ceiling / 2.0 * self.jitter()

    def reset(self):
        self.attempt = 0


# --- never print a password ---------------------------------------------------------------

def secret_forms(password):
    """The password and the encodings it could leak in (base64 of UTF-8 and of the quoted
    UTF-16-LE unicodePwd value)."""
    if not password:
        return []
    forms = [password, base64.b64encode(password.encode("utf-8")).decode("ascii"),
             base64.b64encode(('"%s"' % password).encode("utf-16-le")).decode("ascii")]
    return [f for f in forms if f]


def redact(text, secrets):
    """text with every secret (and its encodings) replaced by ********."""
    if text is None:
        return text
    text = str(text)
    for secret in secrets or ():
        for form in sorted(secret_forms(secret), key=len, reverse=True):
            text = text.replace(form, "********")
    return text


# --- the status report ------------------------------------------------------------------------

def format_status(agent, users, now=None, limit=None):
    """Human-readable status: the agent line, then one line per user (failures first)."""
    lines = []
    graph = agent.get("graph_status") or "unknown"
    head = "agent: %s" % (agent.get("state") or "unknown")
    if agent.get("pid"):
        head += " (pid %s)" % agent["pid"]
    head += "; graph: %s" % graph
    if graph != "ok" and agent.get("graph_since"):
        head += " since %s" % agent["graph_since"]
    if agent.get("graph_error"):
        head += " (%s)" % agent["graph_error"]
    if agent.get("held"):
        head += "; holding the change of %s" % agent["held"]
    lines.append(head)
    failures = [u for u in users if u.get("last_result") == "failed"]
    others = [u for u in users if u.get("last_result") != "failed"]
    lines.append("users: %d, synced: %d, failed: %d" % (
        len(users), sum(1 for u in users if u.get("last_success")), len(failures)))
    rows = failures + others
    if limit is not None:
        rows = rows[:limit]
    for user in rows:
        line = "%-20s %-8s last sync %s" % (
            user.get("sam") or user.get("guid"), user.get("last_result") or "-", user.get("last_success") or "never")
        if user.get("last_result") == "failed":
            line += "; failed %s: %s" % (user.get("last_attempt") or "?", user.get("last_error") or "?")
        elif user.get("last_reason"):
            line += " (%s)" % user["last_reason"]
        lines.append(line)
    return "\n".join(lines)
