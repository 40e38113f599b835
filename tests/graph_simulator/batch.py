"""POST /v1.0/$batch: up to 20 sub-requests, dependsOn ordering, 424 for failed dependencies.

Each sub-request goes through the same pipeline as an HTTP request (faults, throttling,
permissions), so a 429 comes back per sub-request with its own Retry-After, as in Graph.
"""
import urllib.parse

from . import router
from .errors import GraphError

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
    for req in requests:
        deps = req.get("dependsOn") or []
        if not isinstance(deps, list) or any(str(d) not in ids or str(d) == str(req["id"]) for d in deps):
            raise _bad("Request id %s has an invalid dependsOn." % req["id"])
    return requests


def _order(requests):
    """Dependencies first; requests without dependencies keep their order. Cycles are an error."""
    by_id = {str(r["id"]): r for r in requests}
    done, ordered, visiting = set(), [], set()

    def visit(rid):
        if rid in done:
            return
        if rid in visiting:
            raise _bad("Circular dependency detected in batch request id %s." % rid)
        visiting.add(rid)
        for dep in by_id[rid].get("dependsOn") or []:
            visit(str(dep))
        visiting.discard(rid)
        done.add(rid)
        ordered.append(by_id[rid])
    for req in requests:
        visit(str(req["id"]))
    return ordered


def run(sim, body, principal, base):
    requests = _order(_validate(body))
    statuses = {}
    results = {}
    for req in requests:
        rid = str(req["id"])
        method = str(req["method"]).upper()
        failed = [str(d) for d in req.get("dependsOn") or [] if statuses.get(str(d), 500) >= 400]
        if failed:
            statuses[rid] = 424
            sim.counters.request("sub", method, "/v1.0/(failed dependency)", 424)
            results[rid] = {"id": rid, "status": 424, "headers": {"Content-Type": "application/json"},
                            "body": {"error": {"code": "FailedDependency",
                                               "message": "Dependent request(s) failed: %s." % ", ".join(failed)}}}
            continue
        status, headers, payload = _sub_request(sim, req, method, principal, base)
        statuses[rid] = status
        entry = {"id": rid, "status": status, "headers": headers}
        if payload is not None:
            entry["body"] = payload
        results[rid] = entry
    return {"responses": [results[str(r["id"])] for r in body["requests"]]}


def _sub_request(sim, req, method, principal, base):
    url = str(req["url"])
    if url.startswith("http://") or url.startswith("https://"):
        err = GraphError(400, "BadRequest", "Invalid request URL '%s': batch URLs must be relative." % url)
        return 400, {"Content-Type": "application/json"}, {"error": {"code": err.code, "message": err.message}}
    parts = urllib.parse.urlsplit(url.lstrip("/"))
    path = parts.path
    if path.startswith("v1.0/"):
        path = path[5:]
    segments = [urllib.parse.unquote(s) for s in path.split("/")]
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    headers = {k.lower(): str(v) for k, v in (req.get("headers") or {}).items()}
    return router.execute(sim, "sub", method, segments, query, headers, req.get("body"), principal, base)
