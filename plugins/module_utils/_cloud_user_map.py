# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud user attributes: Ansible options <-> Graph properties, name rules (pure logic).

One table (USER_FIELDS) drives planning (shared _plan engine), the $select of every read and
the result mapping of cloud_user and cloud_user_info. What a user entry asks for (desired_of)
and what a result tells about it (user_facts) live here too, apart from the module's I/O.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.hybrid.identity.plugins.module_utils._plan import Field

PASSWORD_POLICIES = ("DisablePasswordExpiration", "DisableStrongPassword")


def normalize_policies(value):
    """passwordPolicies as Graph stores it ("A, B" / "None" / null) or as a list -> canonical
    comma-separated text ("" for none), so both sides compare."""
    if value is None:
        return ""
    items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
    names = sorted(set(str(i).strip() for i in items if str(i).strip() and str(i).strip().lower() != "none"),
                   key=str.lower)
    return ", ".join(names)


def policies_to_remote(value):
    text = normalize_policies(value)
    return text if text else "None"


def policies_to_option(value):
    text = normalize_policies(value)
    return [p.strip() for p in text.split(",")] if text else []


def _upper(value):
    return value.upper() if isinstance(value, str) else value


USER_FIELDS = [
    Field("user_principal_name", "userPrincipalName", casefold=True),
    Field("display_name", "displayName"),
    Field("given_name", "givenName"),
    Field("surname", "surname"),
    Field("mail_nickname", "mailNickname"),
    Field("account_enabled", "accountEnabled", kind="bool"),
    Field("usage_location", "usageLocation", normalize=_upper),
    Field("job_title", "jobTitle"),
    Field("department", "department"),
    Field("office_location", "officeLocation"),
    Field("business_phones", "businessPhones", kind="list"),
    Field("mobile_phone", "mobilePhone"),
    Field("employee_id", "employeeId"),
    Field("company_name", "companyName"),
    Field("street_address", "streetAddress"),
    Field("city", "city"),
    Field("state_province", "state"),
    Field("postal_code", "postalCode"),
    Field("country", "country"),
    Field("on_premises_immutable_id", "onPremisesImmutableId"),
    # Addresses compare case-insensitively: Exchange and Entra treat them so.
    Field("mail", "mail", casefold=True),
    Field("user_type", "userType"),
    Field("password_policies", "passwordPolicies", normalize=normalize_policies),
    Field("password", "passwordProfile", write_only=True),
]
FIELD_BY_OPTION = dict((f.option, f) for f in USER_FIELDS)
FIELD_BY_REMOTE = dict((f.remote, f) for f in USER_FIELDS)
# Readable properties (passwordProfile is write-only) plus what planning needs to know.
USER_SELECT = sorted(set([f.remote for f in USER_FIELDS if not f.write_only]
                         + ["id", "onPremisesSyncEnabled", "assignedLicenses", "createdDateTime",
                            "signInSessionsValidFromDateTime"]))
OPTIONS = [f.option for f in USER_FIELDS if not f.write_only]
STRING_OPTIONS = [f.option for f in USER_FIELDS if f.kind == "str" and not f.write_only]

UPN_LOCAL = re.compile(r"^[A-Za-z0-9'._!#^~-]+$")
NICKNAME_BAD = re.compile(r"[^\x21-\x7e]|[@()\\\[\]\";:<>,]")
PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")


def upn_domain(upn):
    return upn.rsplit("@", 1)[1].lower() if upn and "@" in upn else ""


def check_upn(upn):
    """None when the UPN is well formed, else why not."""
    if not upn or upn.count("@") != 1:
        return "user_principal_name %r must be local@domain" % (upn,)
    local, domain = upn.split("@")
    if not local or not UPN_LOCAL.match(local):
        return ("user_principal_name %r: the part before @ may only use A-Z a-z 0-9 ' . - _ ! # ^ ~" % (upn,))
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "user_principal_name %r: the part before @ cannot start or end with a period or hold '..'" % (upn,)
    if not domain or "." not in domain:
        return "user_principal_name %r: the domain part is not a DNS name" % (upn,)
    return None


def check_mail(mail):
    """None when mail (given, not empty) is an address Graph takes, else why not. Graph refuses accented
    characters in mail; any domain is allowed (guests and contacts carry outside addresses)."""
    if mail.count("@") != 1 or not all(mail.split("@")):
        return "mail %r must be an address, local@domain" % (mail,)
    if not PRINTABLE_ASCII.match(mail):
        return "mail %r: Graph takes no spaces, accented or other non-ASCII characters in an address" % (mail,)
    return None


def check_domain(upn, verified):
    """None when the UPN's domain is a verified domain of the tenant, else the per-user error."""
    domain = upn_domain(upn)
    if domain in verified:
        return None
    shown = ", ".join(sorted(verified)) or "none"
    return ("the domain %s is not a verified domain of the tenant (verified: %s); verify it in the "
            "Microsoft 365 admin center or use a verified domain" % (domain, shown))


def derive_mail_nickname(upn):
    """mailNickname from the UPN's local part (what the admin center does), minus what Graph refuses."""
    local = upn.split("@", 1)[0]
    nick = NICKNAME_BAD.sub("", local).strip(".")
    return nick[:64] or "user"


def derive_display_name(desired):
    names = [desired.get("given_name"), desired.get("surname")]
    text = " ".join(n for n in names if n)
    return text or desired["user_principal_name"].split("@", 1)[0]


def to_remote(changes):
    """Plan changes ({remote: option value}) -> Graph body: '' clears (JSON null), policies as text."""
    body = {}
    for remote, value in changes.items():
        if remote == "passwordPolicies":
            value = policies_to_remote(value)
        elif remote == "usageLocation" and isinstance(value, str):
            value = value.upper() or None
        elif isinstance(value, str) and value == "":
            value = None
        body[remote] = value
    return body


def desired_of(spec, params, creating):
    """What one users[] entry asks for, {option: value}: only what it sets, plus what a create needs
    (derived names, enabled). Passwords only when they are to be sent (update_password)."""
    desired = {}
    for field in USER_FIELDS:
        if not field.write_only and spec.get(field.option) is not None:
            desired[field.option] = spec[field.option]
    if not creating and params["update_immutable_id"] == "on_create":
        desired.pop("on_premises_immutable_id", None)
    if creating:
        desired.setdefault("mail_nickname", derive_mail_nickname(spec["user_principal_name"]))
        desired.setdefault("display_name", derive_display_name(spec))
        desired.setdefault("account_enabled", True)
        for option in list(desired):
            if desired[option] == "" or desired[option] == []:
                del desired[option]  # nothing to clear on a new user
    if spec.get("password") and (creating or (spec.get("update_password") or params["update_password"]) == "always"):
        desired["password"] = {"password": spec["password"],
                               "forceChangePasswordNextSignIn": bool(spec.get("force_change_password_next_sign_in"))}
    return desired


def user_facts(current, plan):
    """What linking and licensing need to know of a user without reading it again: its immutable id and
    user type (as the run leaves them), the SKUs assigned to it, when it was created."""
    current = current or {}
    if plan.action in ("delete", "absent"):
        return {}
    anchor = plan.changes.get("onPremisesImmutableId", current.get("onPremisesImmutableId"))
    # POST /users makes a member unless the entry asks for another type.
    user_type = plan.changes.get("userType", "Member" if plan.action == "create" else current.get("userType"))
    skus = [a.get("skuId") for a in current.get("assignedLicenses") or [] if a.get("skuId")]
    return {"on_premises_immutable_id": anchor, "user_type": user_type, "assigned_sku_ids": skus,
            "created_date_time": current.get("createdDateTime")}


def add_object_ids(items):
    """azure.azcollection's name for the object id (object_id) beside ours (id), in place."""
    for item in items:
        if item.get("id") is not None:
            item["object_id"] = item["id"]
    return items


def to_options(user):
    """A Graph user -> the module's option names (plus id, azure's object_id and sync state)."""
    out = {"id": user.get("id"), "object_id": user.get("id")}
    for field in USER_FIELDS:
        if field.write_only:
            continue
        value = user.get(field.remote)
        if field.remote == "passwordPolicies":
            value = policies_to_option(value)
        elif field.kind == "list":
            value = list(value or [])
        out[field.option] = value
    out["on_premises_sync_enabled"] = bool(user.get("onPremisesSyncEnabled"))
    if "createdDateTime" in user:
        out["created_date_time"] = user.get("createdDateTime")
    if "signInSessionsValidFromDateTime" in user:   # set by revokeSignInSessions: tells offboarding it revoked
        out["sign_in_sessions_valid_from"] = user.get("signInSessionsValidFromDateTime")
    return out


def current_for_plan(user):
    """Graph's user -> {remote: value} as the planner compares it."""
    if user is None:
        return None
    return dict((f.remote, user.get(f.remote)) for f in USER_FIELDS if not f.write_only)
