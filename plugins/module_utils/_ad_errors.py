# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Active Directory errors as clear messages that name the object and the fix (pure logic).

Input is ldap3's result dict ({result, description, message, ...}); matching is on AD's
extended error codes (the 8 hex digits that start the message, e.g. 0000052D) before the LDAP
result code, because several AD failures share one result code.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# Bind sub-codes (the "data" value in the message of an invalidCredentials result)
BIND_REASONS = {
    "525": "the user does not exist",
    "52e": "the user name or password is wrong",
    "530": "the account may not log on at this time",
    "531": "the account may not log on from this workstation",
    "532": "the password has expired",
    "533": "the account is disabled",
    "701": "the account has expired",
    "773": "the password must be changed before logging on",
    "775": "the account is locked out",
}


class ADError(Exception):
    """An AD failure with a message fit for the user (never holds a password)."""

    def __init__(self, message, code=None, result=None):
        super(ADError, self).__init__(message)
        self.message = message
        self.code = code
        self.result = result


def ad_code(message):
    """The extended error code at the start of an AD error message (upper case), or None."""
    match = re.match(r"^\s*([0-9A-Fa-f]{8})\s*:", message or "")
    return match.group(1).upper() if match else None


def _reason(message):
    """The DC's explanation: the message without the code prefix and Samba's internal tags."""
    text = re.sub(r"^\s*[0-9A-Fa-f]{8}\s*:\s*", "", message or "")
    text = re.sub(r"^(Constraint violation - )?check_password_restrictions:\s*", "", text)
    text = re.sub(r"^samldb:\s*|^objectclass:\s*|^acl:\s*", "", text)
    text = re.sub(r"\s+at \.\./.*$", "", text)
    return text.strip().rstrip("!").strip()


def describe(result, op=None, dn=None, sam=None, upn=None, account=None, parent=None):
    """A clear message for a failed LDAP operation.

    op: what was being done ("create", "update", "move", "delete", "set the password", ...);
    dn / sam / upn: the object; account: the bind account (for rights errors).
    """
    result = result or {}
    code = result.get("result")
    description = result.get("description") or ""
    message = result.get("message") or ""
    ext = ad_code(message)
    reason = _reason(message)
    doing = op or "change"
    lower = message.lower()

    if ext == "0000052D" or (code == 19 and "password" in lower):
        return ("the domain's password policy rejected the password (%s): %s. Fix: choose a password that "
                "meets the policy (length, complexity, history, minimum age)" % (ext or "0000052D", reason or "no reason given"))
    if ext == "00002071" or ("samaccountname" in lower and "in use" in lower):
        return ("sAMAccountName '%s' is already in use by another object in the domain. Fix: choose another "
                "sam_account_name, or leave it out to derive a free one" % (sam or _quoted(message) or "?"))
    if ext == "0000202F" or ("userprincipalname" in lower and "in use" in lower):
        return ("UPN '%s' is already in use by another object in the forest. Fix: choose another upn, or use "
                "identity to manage the existing object" % (upn or _quoted(message) or "?"))
    if "parent does not exist" in lower or (code == 32 or description == "noSuchObject") and op in ("create", "move"):
        return ("the OU or container '%s' does not exist. Fix: create it first or correct path" % (parent or "?"))
    if code == 32 or description == "noSuchObject":
        return "%s does not exist (%s)" % (dn or "the object", reason or description)
    if code == 50 or description == "insufficientAccessRights":
        return ("insufficient rights: the account %s may not %s %s (%s). Fix: use an account with the right "
                "delegated permissions" % (account or "in use", doing, dn or "this object", reason or description))
    if code == 53 and ("unicodepwd" in lower or "password" in lower):
        return ("the DC will not set passwords on this connection (%s). Passwords need an encrypted connection "
                "(LDAPS or StartTLS)" % (reason or description))
    if code == 68 or description == "entryAlreadyExists":
        return "an object named %s already exists. Fix: choose another name or path, or use identity" % (dn or "?")
    if code == 49 or description == "invalidCredentials":
        match = re.search(r"data ([0-9a-fA-F]{3})", message)
        why = BIND_REASONS.get(match.group(1).lower()) if match else None
        return ("the DC refused the credentials of %s: %s. Fix: check domain_username / domain_password"
                % (account or "the bind account", why or reason or "invalid credentials"))
    if code == 8 or description == "strongerAuthRequired":
        return "the DC requires an encrypted connection (%s). Use domain_encryption ldaps or starttls" % reason
    if code == 19 or description == "constraintViolation":
        return "the DC refused to %s %s: constraint violation: %s" % (doing, dn or "the object", reason)
    if code == 21 or description == "invalidAttributeSyntax":
        return "the DC refused to %s %s: a value has the wrong syntax: %s" % (doing, dn or "the object", reason)
    if "not found in the schema" in lower or code == 17 or description == "undefinedAttributeType":
        return ("the DC refused to %s %s: an attribute is not in the directory's schema: %s. Fix: check the attribute "
                "name (LDAP display name) or extend the schema" % (doing, dn or "the object", reason))
    if code == 16 or description == "noSuchAttribute":
        return "the DC refused to %s %s: no such attribute or value: %s" % (doing, dn or "the object", reason)
    if code == 17 or description == "undefinedAttributeType":
        return "the DC refused to %s %s: unknown attribute (not in the schema): %s" % (doing, dn or "the object", reason)
    if code == 20 or description == "attributeOrValueExists":
        return "the DC refused to %s %s: the value is already present: %s" % (doing, dn or "the object", reason)
    if code == 66 or description == "notAllowedOnNonLeaf":
        return "cannot %s %s: it has child objects" % (doing, dn or "the object")
    if code == 65 or description == "objectClassViolation":
        return "the DC refused to %s %s: object class violation: %s" % (doing, dn or "the object", reason)
    return "failed to %s %s: %s%s" % (doing, dn or "the object", description or "LDAP error %s" % code,
                                      (": " + reason) if reason else "")


def _quoted(message):
    match = re.search(r"'([^']*)'", message or "")
    return match.group(1) if match else None


def connection_failure(server, port, error):
    """A clear message for a DC that cannot be reached or whose TLS does not validate."""
    text = str(error)
    lower = text.lower()
    if "certificate" in lower or ("ssl" in lower and "verify" in lower):
        return ("TLS to %s:%s failed: the DC's certificate did not validate (%s). Fix: set ca_path to the CA that "
                "signed it (or validate_certs=false, for labs only)" % (server, port, _short(text)))
    if "refused" in lower:
        return "cannot connect to %s:%s: connection refused (is the DC down, or the port wrong?)" % (server, port)
    if "timed out" in lower or "timeout" in lower:
        return "cannot connect to %s:%s: timed out" % (server, port)
    if "name or service not known" in lower or "getaddrinfo" in lower or "no address" in lower:
        return "cannot connect to %s:%s: the name does not resolve" % (server, port)
    return "cannot connect to %s:%s: %s" % (server, port, _short(text))


def _short(text, limit=300):
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[:limit] + "..."
