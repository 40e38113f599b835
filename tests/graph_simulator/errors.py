"""Error types and the exact response shapes of Graph and of the Entra token endpoint."""
import datetime
import uuid


def utc_now_iso(with_z=True):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    text = now.isoformat(timespec="seconds")
    return text + "Z" if with_z else text


class GraphError(Exception):
    """A Graph error: status code, error code, message and optional details."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def graph_error_body(code, message, request_id, client_request_id, details=None):
    # Graph's envelope: innerError carries date + ids; details only when there are some.
    error = {"code": code, "message": message}
    if details:
        # Each detail carries code, message and target in Graph (SDKs read details[].message).
        error["details"] = [dict(d, message=d.get("message") or message) for d in details]
    error["innerError"] = {
        "date": utc_now_iso(with_z=False),
        "request-id": request_id,
        "client-request-id": client_request_id or request_id,
    }
    return {"error": error}


# Shortcuts for the errors the simulator raises most; messages follow the real service.
def not_found(ident):
    return GraphError(404, "Request_ResourceNotFound",
                      "Resource '%s' does not exist or one of its queried reference-property objects are not present." % ident)


def bad_request(message, details=None, code="Request_BadRequest"):
    return GraphError(400, code, message, details)


def denied():
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def unauthenticated(message):
    return GraphError(401, "InvalidAuthenticationToken", message,
                      headers={"WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'})


def conflict(prop):
    return bad_request("Another object with the same value for property %s already exists." % prop,
                       details=[{"target": prop, "code": "ObjectConflict"}])


def invalid_value(prop):
    return bad_request("Invalid value specified for property '%s' of resource 'User'." % prop)


class AadError(Exception):
    """An OAuth2 error from the token endpoint, in Entra's shape (AADSTSnnnn)."""

    def __init__(self, status, error, aadsts, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = description

    def body(self):
        trace_id = str(uuid.uuid4())
        correlation_id = str(uuid.uuid4())
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                                 % (self.aadsts, self.description, trace_id, correlation_id, stamp),
            "error_codes": [self.aadsts],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.aadsts,
        }
