"""The checks Entra ID makes on user writes, with its error messages."""
import re

from . import passwords
from .errors import GraphError, bad_request, conflict, invalid_value
from .model import USER_PROPERTIES, WRITABLE

REQUIRED_ON_CREATE = ("accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile")
_UPN_LOCAL = re.compile(r"^[A-Za-z0-9'.\-_!#^~]+$")
_MAIL_NICKNAME_BAD = set(' @()\\[]";:<>,')
_USAGE_LOCATION = re.compile(r"^[A-Z]{2}$")
_ADDRESS_CHARS = re.compile(r"^[\x21-\x7e]+$")   # mail "can't contain accent characters" (nor spaces)
_BOOLEAN = {"accountEnabled", "showInAddressList"}
_STRING_LISTS = {"businessPhones", "otherMails"}
# Properties Entra still lets a cloud admin change on a directory-synced user.
SYNCED_WRITABLE = {"usageLocation"}
# Properties an app-only caller may not change on a user holding an admin role.
SENSITIVE = {"accountEnabled", "passwordProfile", "userPrincipalName", "mobilePhone", "businessPhones",
             "otherMails"}
SYNC_READ_ONLY = ("Unable to update the specified properties for on-premises mastered Directory Sync objects "
                  "or objects currently undergoing migration.")


# Writable on cloud users; a PATCH changes only the attributes it names.
EXTENSION_ATTRIBUTES = "onPremisesExtensionAttributes"
_EXTENSION_NAMES = {"extensionAttribute%d" % i for i in range(1, 16)}


def _check_extension_attributes(value):
    if not isinstance(value, dict) or set(value) - _EXTENSION_NAMES - {"@odata.type"}:
        raise invalid_value(EXTENSION_ATTRIBUTES)
    for name, item in value.items():
        if name in _EXTENSION_NAMES and item is not None and (not isinstance(item, str) or len(item) > 1024):
            raise invalid_value(EXTENSION_ATTRIBUTES)


def check_body_properties(body):
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", code="BadRequest")
    for key, value in body.items():
        if key.startswith("@odata"):
            continue
        if key == "passwordProfile":
            _check_password_profile_shape(value)
            continue
        if key == EXTENSION_ATTRIBUTES:
            _check_extension_attributes(value)
            continue
        if key not in USER_PROPERTIES:
            raise bad_request("Property '%s' does not exist as a declared property or extension property." % key)
        if key not in WRITABLE:
            raise bad_request("Property '%s' is read-only and cannot be set." % key)
        if key in _BOOLEAN and not isinstance(value, bool):
            raise GraphError(400, "BadRequest", "Cannot convert the literal '%s' to the expected type 'Edm.Boolean'."
                             % value)
        if key in _STRING_LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise invalid_value(key)
        elif key not in _BOOLEAN and value is not None and not isinstance(value, str):
            raise invalid_value(key)
        if key == "businessPhones" and len(value) > 1:
            raise invalid_value(key)


def _check_password_profile_shape(value):
    if not isinstance(value, dict):
        raise invalid_value("passwordProfile")
    for key in value:
        if key not in ("password", "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa"):
            raise bad_request("Property '%s' does not exist as a declared property or extension property." % key)


def check_create(tenant, body):
    check_body_properties(body)
    for prop in REQUIRED_ON_CREATE:
        if body.get(prop) in (None, ""):
            raise bad_request("A value is required for property '%s' of resource 'User'." % prop)
    profile = body["passwordProfile"]
    if not profile.get("password"):
        raise bad_request("A value is required for property 'passwordProfile.password' of resource 'User'.")
    check_upn(tenant, body["userPrincipalName"], None)
    check_common(tenant, body, None)
    check_password(profile["password"], body.get("passwordPolicies"))


def check_update(tenant, user, body, app_only=True):
    check_body_properties(body)
    if user.props.get("onPremisesSyncEnabled") and set(body) - SYNCED_WRITABLE:
        raise bad_request(SYNC_READ_ONLY)
    if app_only and user.roles and set(body) & SENSITIVE:
        raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    for prop in ("accountEnabled", "displayName", "mailNickname", "userPrincipalName"):
        if prop in body and body[prop] in (None, ""):
            raise invalid_value(prop)
    if "userPrincipalName" in body:
        check_upn(tenant, body["userPrincipalName"], user.id)
    check_common(tenant, body, user.id)
    if "passwordProfile" in body:
        profile = body["passwordProfile"]
        if "password" in profile:
            if not profile["password"]:
                raise invalid_value("passwordProfile")
            policies = body.get("passwordPolicies", user.props.get("passwordPolicies"))
            check_password(profile["password"], policies)


def check_upn(tenant, upn, self_id):
    if not isinstance(upn, str) or upn.count("@") != 1:
        raise _upn_invalid()
    local, domain = upn.split("@")
    if not local or not _UPN_LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local \
            or len(local) > 64 or len(upn) > 113:
        raise _upn_invalid()
    if domain.lower() not in tenant.verified_domains():
        raise GraphError(400, "Request_BadRequest",
                         "The domain portion of the userPrincipalName property is invalid. You must use one of the "
                         "verified domain names in your organization.",
                         details=[{"target": "userPrincipalName", "code": "InvalidValue"}])
    existing = tenant.by_upn.get(upn.lower())
    if existing and existing != self_id:
        raise conflict("userPrincipalName")


def _upn_invalid():
    return bad_request("Property userPrincipalName is invalid.",
                       details=[{"target": "userPrincipalName", "code": "InvalidValue"}])


def check_common(tenant, body, self_id):
    nick = body.get("mailNickname")
    if nick is not None and (set(nick) & _MAIL_NICKNAME_BAD or len(nick) > 64 or nick.startswith(".")):
        raise invalid_value("mailNickname")
    if body.get("usageLocation") is not None and not _USAGE_LOCATION.match(body["usageLocation"]):
        raise invalid_value("usageLocation")
    if "onPremisesImmutableId" in body and body["onPremisesImmutableId"] is not None:
        value = body["onPremisesImmutableId"]
        if not value or "$" in value or "_" in value or re.search(r"\s", value) or len(value) > 256:
            raise bad_request("Property onPremisesImmutableId is invalid.",
                              details=[{"target": "onPremisesImmutableId", "code": "InvalidValue"}])
        holder = tenant.by_immutable.get(value)
        if holder and holder != self_id:
            raise conflict("onPremisesImmutableId")
    if body.get("passwordPolicies") is not None:
        parts = [p.strip() for p in body["passwordPolicies"].split(",") if p.strip()]
        if any(p not in ("DisablePasswordExpiration", "DisableStrongPassword", "None") for p in parts):
            raise invalid_value("passwordPolicies")
    if body.get("userType") is not None and body["userType"] not in ("Member", "Guest"):
        raise invalid_value("userType")
    mail = body.get("mail")
    if mail:
        if mail.count("@") != 1 or not all(mail.split("@")) or not _ADDRESS_CHARS.match(mail):
            raise invalid_value("mail")
        # mail goes into proxyAddresses, which are unique across the directory's objects.
        if tenant.proxy_address_holder(mail, self_id) is not None:
            raise conflict("proxyAddresses")


def check_password(password, policies):
    weak_ok = policies and "DisableStrongPassword" in policies
    if not isinstance(password, str) or len(password) > 256:
        raise invalid_value("passwordProfile")
    if weak_ok:
        if len(password) < 1:
            raise invalid_value("passwordProfile")
        return
    if not passwords.is_strong(password):
        raise bad_request("The specified password does not comply with password complexity requirements. "
                          "Please provide a different password.",
                          details=[{"target": "passwordProfile.password", "code": "PasswordNotComplex"}])
