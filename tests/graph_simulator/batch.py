"""POST /v1.0/$batch: up to 20 sub-requests, dependsOn on earlier requests, 424 for failed dependencies.

Each sub-request goes through the same pipeline as an HTTP request (faults, throttling,
permissions), so a 429 comes back per sub-request with its own Retry-After, as in Graph.
"""
import urllib.parse
import uuid

from . import router
from .errors import GraphError, graph_error_body

MAX_REQUESTS = 20
_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _bad(message):
    return GraphError(400, "BadRequest", message)


def _validate(body):
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise _bad("Invalid batch payload format.")
    requests = body["requests"]
    if not requests:
        raise _bad("Invalid batch payload format.")
    if len(requests) > MAX_REQUESTS:
        raise _bad("The number of requests in a batch cannot exceed %d." % MAX_REQUESTS)
    ids = set()
    for req in requests:
        if not isinstance(req, dict) or not req.get("id") or not req.get("url") or not req.get("method"):
            raise _bad("Invalid batch payload format.")
        rid = str(req["id"])
        if rid in ids:
            raise _bad("Request Id '%s' is duplicated in the batch." % rid)
        ids.add(rid)
        if str(req["method"]).upper() not in _METHODS:
            raise _bad("Invalid HTTP method '%s' in request id %s." % (req["method"], rid))
        headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
        if "body" in req and req["body"] is not None and "content-type" not in headers:
            raise _bad("Write request id : %s does not contain Content-Type header or body." % rid)
    # A request may depend only on requests listed before it (Graph refuses a forward reference).
    seen = set()
    for req in requests:
        deps = req.get("dependsOn") or []
        if not isinstance(deps, list) or any(str(d) not in seen for d in deps):
            raise _bad("Request id %s has an invalid dependsOn: a dependency must be an earlier request in the "
                       "batch." % req["id"])
        seen.add(str(req["id"]))
    return requests


def run(sim, body, principal, base):
    # Dependencies are earlier requests (checked above), so request order is a valid execution order.
    requests = _validate(body)
    statuses = {}
    results = {}
    for req in requests:
        rid = str(req["id"])
        method = str(req["method"]).upper()
        failed = [str(d) for d in req.get("dependsOn") or [] if statuses.get(str(d), 500) >= 400]
        if failed:
            statuses[rid] = 424
            sim.counters.request("sub", method, "/v1.0/(failed dependency)", 424)
            request_id = str(uuid.uuid4())
            results[rid] = {"id": rid, "status": 424, "headers": {"Content-Type": "application/json"},
                            "body": graph_error_body("FailedDependency",
                                                     "Dependent request(s) failed: %s." % ", ".join(failed),
                                                     request_id, request_id)}
            continue
        status, headers, payload = _sub_request(sim, req, method, principal, base)
        statuses[rid] = status
        entry = {"id": rid, "status": status, "headers": headers}
        if payload is not None:
            entry["body"] = payload
        results[rid] = entry
    return {"responses": [results[str(r["id"])] for r in requests]}


def _sub_request(sim, req, method, principal, base):
    url = str(req["url"])
    if url.startswith("http://") or url.startswith("https://"):
        err = GraphError(400, "BadRequest", "Invalid request URL '%s': batch URLs must be relative." % url)
        return 400, {"Content-Type": "application/json"}, {"error": {"code": err.code, "message": err.message}}
    parts = urllib.parse.urlsplit(url.lstrip("/"))
    # URLs are relative to the version: "/v1.0/users" names a resource 'v1.0' that does not exist, as in Graph.
    segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    headers = {k.lower(): str(v) for k, v in (req.get("headers") or {}).items()}
    return router.execute(sim, "sub", method, segments, query, headers, req.get("body"), principal, base)
