"""Graph v1.0 routing and the per-request pipeline shared by HTTP requests and $batch sub-requests:
route -> injected faults -> throttling -> handler -> Graph-shaped result, counted."""
import json
import uuid

from . import graph_directory as gd
from . import graph_users as gu
from .errors import GraphError, graph_error_body
from .graph_common import Ctx
from .throttle import request_cost

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

# (method, path segments with {id} placeholders, handler); first match wins, so literals go first.
ROUTES = [
    ("GET", "users", gu.list_users),
    ("POST", "users", gu.create_user),
    ("GET", "users/$count", gu.count_users),
    ("GET", "users/delta", gu.delta),
    ("GET", "users/delta()", gu.delta),
    ("GET", "users/{id}", gu.get_user),
    ("PATCH", "users/{id}", gu.update_user),
    ("DELETE", "users/{id}", gu.delete_user),
    ("POST", "users/{id}/assignLicense", gu.assign_license),
    ("POST", "users/{id}/revokeSignInSessions", gu.revoke_sessions),
    ("GET", "users/{id}/licenseDetails", gu.license_details),
    ("GET", "users/{id}/memberOf", gu.member_of),
    ("GET", "me", gu.me),
    ("GET", "me/memberOf", gu.me_member_of),
    ("GET", "me/licenseDetails", gu.license_details),
    ("GET", "directory/deletedItems/microsoft.graph.user", gu.list_deleted),
    ("GET", "directory/deletedItems/graph.user", gu.list_deleted),   # the alias msgraph-sdk uses
    ("GET", "directory/deletedItems/{id}", gu.get_deleted),
    ("DELETE", "directory/deletedItems/{id}", gu.purge_deleted),
    ("POST", "directory/deletedItems/{id}/restore", gu.restore_deleted),
    ("GET", "subscribedSkus", gd.list_skus),
    ("GET", "subscribedSkus/{id}", gd.get_sku),
    ("GET", "domains", gd.list_domains),
    ("GET", "domains/{id}", gd.get_domain),
    ("GET", "organization", gd.list_organization),
    ("GET", "organization/{id}", gd.get_organization),
    ("GET", "directoryRoles", gd.list_roles),
    ("GET", "directoryRoles/{id}/members", gd.role_members),
]
_TABLE = [(m, p.split("/"), "/v1.0/" + p, h) for m, p, h in ROUTES]


def match(method, segments):
    """(handler, template, params) or raise the error Graph gives for an unknown path/method."""
    path_matched = False
    for route_method, pattern, template, handler in _TABLE:
        if len(pattern) != len(segments):
            continue
        params = []
        for pat, seg in zip(pattern, segments):
            if pat == "{id}":
                if not seg:
                    break
                params.append(seg)
            elif pat.lower() != seg.lower():
                break
        else:
            if route_method == method:
                return handler, template, params
            path_matched = True
    if path_matched:
        raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
    bad = next((s for s in segments if s), "")
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % bad)


def template_for(method, segments):
    try:
        return match(method, segments)[1]
    except GraphError:
        return "/v1.0/" + (segments[0] if segments else "") + ("/..." if len(segments) > 1 else "")


def execute(sim, kind, method, segments, query, headers, body, principal, base):
    """Run one Graph request. Returns (status, headers, body) with body a dict, str or None."""
    request_id = str(uuid.uuid4())
    client_request_id = headers.get("client-request-id") or request_id
    out_headers = {"request-id": request_id, "client-request-id": client_request_id}
    template = "/v1.0/" + "/".join(segments)
    status = 500
    try:
        handler, template, params = match(method, segments)
        path = "/v1.0/" + "/".join(segments)
        fault = sim.faults.burst_error(method, path)
        if fault is not None:
            sim.counters.add("faults_error_burst")
            raise fault
        ru, writes = request_cost(method, template, query)
        with sim.tenant.lock:
            size = len(sim.tenant.users)
        out_headers.update(sim.throttle.charge(principal.app_id, sim.tenant.tenant_id, size, ru, writes))
        sim.counters.add("resource_units", ru)
        sim.counters.add("write_units", writes)
        ctx = Ctx(sim, method, path, query, headers, body, principal, base)
        ctx.params = params
        status, payload, extra = handler(ctx)
        if writes and status < 300:
            sim.counters.add("writes")
        if extra:
            out_headers.update(extra)
        if payload is not None and "Content-Type" not in out_headers:
            out_headers["Content-Type"] = JSON_TYPE
        return status, out_headers, payload
    except GraphError as exc:
        status = exc.status
        out_headers.update(exc.headers)
        out_headers["Content-Type"] = "application/json"
        return status, out_headers, graph_error_body(exc.code, exc.message, request_id, client_request_id, exc.details)
    finally:
        sim.counters.request(kind, method, template, status)


def parse_json_body(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header "
                         "is set and payload is of valid JSON format.")
