# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type for Microsoft Graph and token errors (pure logic, no I/O).

Every failure a cloud module reports goes through GraphError: HTTP status, Graph error code,
message, request-id and the object concerned, so a per-object error names the object, says
what Graph answered and, where we know it, what fixes it. Secrets never go in here: only
Graph's own error text and names the caller passes.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

# What fixes the errors admins meet most (keyed on Graph's error code / message fragments).
_HINTS = (
    ("Authorization_RequestDenied", None,
     "the app registration lacks a Graph application permission for this call (see docs/cloud-users.md, "
     "least permissions per module) or admin consent was not granted"),
    (None, "on-premises mastered Directory Sync",
     "the object is mastered by a directory sync engine (Entra Connect / Cloud Sync): change it on-premises"),
    (None, "invalid usage location",
     "set usage_location (two-letter ISO country code) for the user first"),
    (None, "does not have any available licenses",
     "buy more units of the SKU or free some, or use allow_partial"),
    ("InvalidAuthenticationToken", None,
     "the access token is invalid or expired: with access_token, acquire a new one"),
)


class GraphError(Exception):
    """A Graph (or token endpoint) error.

    status: HTTP status (0 for a connection failure), code: Graph/AAD error code,
    message: the service's message, request_id: Graph's request-id for support cases,
    target: the object concerned (a UPN, an id, a SKU), details: Graph's details list.
    """

    def __init__(self, message, status=0, code=None, request_id=None, target=None, details=None, retry_after=None):
        super(GraphError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.target = target
        self.details = details or []
        self.retry_after = retry_after

    @property
    def hint(self):
        for code, fragment, hint in _HINTS:
            if code and code == self.code:
                return hint
            if fragment and fragment.lower() in (self.message or "").lower():
                return hint
        return None

    def for_object(self, target):
        """The same error, naming another object (for per-object results)."""
        return GraphError(self.message, self.status, self.code, self.request_id, target, self.details,
                          self.retry_after)

    def __str__(self):
        return self.text(include_target=True)

    def text(self, include_target=True):
        """The message; without the target for per-object results that already name the object."""
        parts = []
        if self.target and include_target:
            parts.append("%s: " % self.target)
        if self.status:
            parts.append("Graph %s%s: " % (self.status, " " + self.code if self.code else ""))
        parts.append(self.message or "unknown error")
        hint = self.hint
        if hint:
            parts.append(" (%s)" % hint)
        if self.request_id:
            parts.append(" [request-id %s]" % self.request_id)
        return "".join(parts)

    def to_dict(self):
        return {"status": self.status, "code": self.code, "message": self.message,
                "request_id": self.request_id, "target": self.target}

    @property
    def is_conflict(self):
        return any((d or {}).get("code") == "ObjectConflict" for d in self.details if isinstance(d, dict)) \
            or "already exists" in (self.message or "")


def _header(headers, name):
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def error_from_response(status, body, headers=None, target=None):
    """Build a GraphError from a Graph response (status, parsed or raw body, headers)."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body) if body.strip() else {}
        except ValueError:
            body = {"error": {"code": None, "message": body.strip()[:500]}}
    error = (body or {}).get("error") if isinstance(body, dict) else None
    code = message = None
    details = []
    request_id = _header(headers, "request-id")
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        details = error.get("details") or []
        inner = error.get("innerError") or error.get("innererror") or {}
        request_id = inner.get("request-id") or request_id
    elif isinstance(error, str):  # token endpoint shape: {"error": "...", "error_description": "..."}
        code = error
        message = body.get("error_description")
    if not message:
        message = "HTTP %s" % status
    retry_after = _header(headers, "Retry-After")
    return GraphError(message, status=status, code=code, request_id=request_id, target=target, details=details,
                      retry_after=retry_after)
