# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AD user model shared by ad_user and ad_user_info (pure logic, no I/O).

One table maps module options to directory attributes; decode_user turns a raw directory
entry into {remote: value} for the planner and {option: value} for results; lookup_terms
builds the filter terms that find every listed user in a few OR searches.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils._plan import Field
from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils._ad_sid import is_sid, sid_from_bytes, sid_to_bytes

DEFAULT_LINK_ATTRIBUTE = "msDS-cloudExtensionAttribute1"
USER_FILTER = "(&(objectCategory=person)(objectClass=user))"

# option -> directory attribute (all single-valued Unicode strings)
STRING_ATTRIBUTES = [
    ("sam_account_name", "sAMAccountName"),
    ("upn", "userPrincipalName"),
    ("given_name", "givenName"),
    ("surname", "sn"),
    ("display_name", "displayName"),
    ("email", "mail"),
    ("description", "description"),
    ("title", "title"),
    ("department", "department"),
    ("company", "company"),
    ("office", "physicalDeliveryOfficeName"),
    ("telephone_number", "telephoneNumber"),
    ("mobile", "mobile"),
    ("employee_id", "employeeID"),
    ("street", "streetAddress"),
    ("city", "l"),
    ("state_province", "st"),
    ("postal_code", "postalCode"),
    ("country", "c"),
    ("web_page", "wWWHomePage"),
]
OPTION_TO_ATTRIBUTE = dict(STRING_ATTRIBUTES)

# Virtual remotes: decoded from userAccountControl / pwdLastSet, written by ad_user itself.
VIRTUAL_ENABLED = "~enabled"
VIRTUAL_NEVER_EXPIRES = "~password_never_expires"
VIRTUAL_EXPIRED = "~password_expired"
PASSWORD_REMOTE = "unicodePwd"

FIELDS = [Field(option, remote) for option, remote in STRING_ATTRIBUTES] + [
    Field("enabled", VIRTUAL_ENABLED, kind="bool"),
    Field("password_never_expires", VIRTUAL_NEVER_EXPIRES, kind="bool"),
    Field("password_expired", VIRTUAL_EXPIRED, kind="bool"),
    Field("password", PASSWORD_REMOTE, write_only=True),
]

# account_locked=false writes lockoutTime 0. Whether the DC holds the account locked is the LOCKOUT bit of the
# constructed msDS-User-Account-Control-Computed: lockoutTime stays non-zero after lockoutDuration has run out,
# and userAccountControl's own LOCKOUT bit is not kept up to date by the DC.
LOCKOUT_TIME = "lockoutTime"
UAC_COMPUTED = "msDS-User-Account-Control-Computed"

READ_ATTRIBUTES = ["cn", "distinguishedName", "objectGUID", "objectSid", "userAccountControl", "pwdLastSet",
                   "memberOf", "primaryGroupID", "whenCreated", "lastLogonTimestamp",
                   UAC_COMPUTED] + [r for dummy, r in STRING_ATTRIBUTES]


# What planning any user needs: identity, name and place, and the flags behind enabled/password_*.
PLAN_ATTRIBUTES = ["cn", "distinguishedName", "objectGUID", "objectSid", "userAccountControl", "pwdLastSet",
                   "sAMAccountName", "userPrincipalName"]


def read_attributes(extra=(), options=None):
    """The attributes to read: all of READ_ATTRIBUTES, or (options given) only what planning those
    options needs. Samba's answer and ldap3's decoding cost grow with every attribute: 10,000 users
    read with all 29 took 7.0 s here, with 13 about 5.5 s."""
    if options is None:
        base = READ_ATTRIBUTES
    else:
        base = PLAN_ATTRIBUTES + (["memberOf", "primaryGroupID"] if "groups" in options else []) + \
            ([UAC_COMPUTED] if "account_locked" in options else []) + \
            [OPTION_TO_ATTRIBUTE[o] for o in sorted(options) if o in OPTION_TO_ATTRIBUTE]
    seen = set(a.lower() for a in base)
    out = list(base)
    for name in extra:
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def decode_current(entry):
    """{remote: value} of an existing user, as the planner compares it."""
    uac = codecs.to_int(entry.values("userAccountControl")) or 0
    pwd_last_set = codecs.to_int(entry.values("pwdLastSet"))
    current = {}
    for dummy, remote in STRING_ATTRIBUTES:
        current[remote] = entry.text(remote)
    current[VIRTUAL_ENABLED] = codecs.uac_enabled(uac)
    current[VIRTUAL_NEVER_EXPIRES] = bool(uac & codecs.UAC_DONT_EXPIRE_PASSWORD)
    current[VIRTUAL_EXPIRED] = pwd_last_set == 0
    return current


def identity_facts(entry):
    """How a user is identified in results; distinguished_name and sid are microsoft.ad's names
    (dn stays for playbooks written before they existed)."""
    raw_guid = entry.value("objectGUID")
    return {
        "dn": entry.dn,
        "distinguished_name": entry.dn,
        "object_guid": codecs.guid_from_bytes(raw_guid) if raw_guid else None,
        "immutable_id": codecs.immutable_id_from_bytes(raw_guid) if raw_guid else None,
        "sid": sid_from_bytes(entry.value("objectSid")),
    }


def needs_unlock(account_locked, entry):
    """account_locked=false unlocks: True when the DC holds this user locked now."""
    return account_locked is False and is_locked_out(entry)


def is_locked_out(entry):
    """The LOCKOUT bit of msDS-User-Account-Control-Computed (see UAC_COMPUTED)."""
    return bool((codecs.to_int(entry.values(UAC_COMPUTED)) or 0) & codecs.UAC_LOCKOUT)


def lock_refused(label):
    """The error for account_locked=true (as microsoft.ad, which allows only false)."""
    return ("cannot lock %s: account_locked can only be false, which unlocks a locked account (the DC locks "
            "accounts after failed logons, an administrator cannot). Fix: leave account_locked out, or set "
            "enabled: false to stop the user logging on" % label)


def user_info(entry, link_attribute=DEFAULT_LINK_ATTRIBUTE, properties=()):
    """Everything ad_user_info returns for one user (options' names; no secrets exist here)."""
    uac = codecs.to_int(entry.values("userAccountControl")) or 0
    pwd_last_set = codecs.to_int(entry.values("pwdLastSet"))
    info = {"name": entry.text("cn") or codecs.rdn_value(entry.dn)}
    info.update(identity_facts(entry))
    info["path"] = codecs.parent_dn(entry.dn)
    for option, remote in STRING_ATTRIBUTES:
        info[option] = entry.text(remote)
    info["enabled"] = codecs.uac_enabled(uac)
    info["password_never_expires"] = bool(uac & codecs.UAC_DONT_EXPIRE_PASSWORD)
    info["password_expired"] = pwd_last_set == 0
    info["must_change_password"] = codecs.must_change_password(pwd_last_set, uac)
    info["locked_out"] = is_locked_out(entry)
    info["user_account_control"] = uac
    info["user_account_control_flags"] = codecs.uac_flags(uac)
    info["password_last_set"] = codecs.filetime_to_iso(pwd_last_set) if pwd_last_set else None
    last_logon = codecs.to_int(entry.values("lastLogonTimestamp"))
    info["last_logon"] = codecs.filetime_to_iso(last_logon) if last_logon else None
    info["created"] = codecs.generalized_time_to_iso(entry.value("whenCreated"))
    info["groups"] = entry.texts("memberOf")
    info["primary_group_id"] = codecs.to_int(entry.values("primaryGroupID"))
    link_value = entry.text(link_attribute) if link_attribute else None
    info["link_attribute"] = link_attribute
    info["link_value"] = link_value
    info["cloud_object_id"] = link_value
    if properties:
        extra = {}
        for name in properties:
            values = entry.values(name)
            extra[name] = [_show(v) for v in values]
        info["attributes"] = extra
    return info


def _show(value):
    """A raw value for output: text when it decodes as UTF-8, else base64 (binary attributes)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            import base64
            return "base64:" + base64.b64encode(value).decode("ascii")
    return value


def identity_term(identity):
    """(kind, LDAP filter term) for an identity: GUID, SID (S-1-5-..., as ad_user returns it), DN,
    UPN (has @), or sAMAccountName (a DOMAIN\\ prefix is dropped)."""
    identity = identity.strip()
    if codecs.is_guid(identity):
        return "guid", "(objectGUID=%s)" % codecs.guid_filter_value(identity.strip("{}"))
    if is_sid(identity):
        return "sid", "(objectSid=%s)" % codecs.escape_filter_value(sid_to_bytes(identity))
    if codecs.looks_like_dn(identity):
        return "dn", "(distinguishedName=%s)" % codecs.escape_filter_value(identity)
    if "@" in identity:
        return "upn", "(userPrincipalName=%s)" % codecs.escape_filter_value(identity)
    if "\\" in identity:
        identity = identity.split("\\", 1)[1]
    return "sam", "(sAMAccountName=%s)" % codecs.escape_filter_value(identity)


class UserIndex(object):
    """Directory users found by the lookup searches, indexed every way a lookup can match."""

    def __init__(self, entries=()):
        self.by_guid, self.by_dn, self.by_upn, self.by_sam, self.by_sid = {}, {}, {}, {}, {}
        for entry in entries:
            self.add(entry)

    def add(self, entry):
        facts = identity_facts(entry)
        if facts["object_guid"]:
            self.by_guid[facts["object_guid"]] = entry
        if facts["sid"]:
            self.by_sid[facts["sid"]] = entry
        self.by_dn[codecs.normalize_dn(entry.dn)] = entry
        upn = entry.text("userPrincipalName")
        if upn:
            self.by_upn[upn.casefold()] = entry
        sam = entry.text("sAMAccountName")
        if sam:
            self.by_sam[sam.casefold()] = entry

    def find(self, kind, value):
        if value is None:
            return None
        if kind == "guid":
            return self.by_guid.get(str(codecs.guid_from_bytes(codecs.guid_to_bytes(value.strip("{}")))))
        if kind == "sid":
            return self.by_sid.get(sid_from_bytes(sid_to_bytes(value)))   # canonical form: s-1-5 finds S-1-5
        if kind == "dn":
            return self.by_dn.get(codecs.normalize_dn(value))
        if kind == "upn":
            return self.by_upn.get(value.casefold())
        if kind == "sam":
            if "\\" in value:
                value = value.split("\\", 1)[1]
            return self.by_sam.get(value.casefold())
        raise ValueError(kind)

    def find_identity(self, identity):
        kind = identity_term(identity)[0]
        return self.find(kind, identity.strip())


def chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def user_dn(name, path):
    return "CN=%s,%s" % (codecs.escape_rdn_value(name), path)


def attribute_value(value):
    """A value of the attributes option as the directory stores it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [attribute_value(v) for v in value if v is not None]
    return [attribute_value(value)]
