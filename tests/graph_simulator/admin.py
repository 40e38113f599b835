"""The test-admin API under /_admin (JSON in, JSON out; no authentication: loopback lab only)."""
import time

ENDPOINTS = [
    ("GET", "/_admin/health", "liveness: {status, tenant_id}"),
    ("POST", "/_admin/reset", "reload the startup seed file, or the seed given as the JSON body; clears faults, "
                             "throttle windows, counters, token lifetime/revocation"),
    ("GET", "/_admin/state", "dump users (with roles, no password material), deletedItems, domains, skus "
                            "(with consumed/free), apps (no secrets), directoryRoles, settings"),
    ("GET", "/_admin/counters", "requests by 'METHOD /path/template STATUS' (http and $batch sub-requests apart), "
                               "totals: writes, resource_units, write_units, throttled_429, faults, tokens"),
    ("POST", "/_admin/counters/reset", "zero the counters"),
    ("GET", "/_admin/throttle", "current throttle configuration and window usage"),
    ("POST", "/_admin/throttle", "{preset: real|off, enabled, ru_budget (null = by tenant size), ru_window_s, "
                                "write_budget, write_window_s, tenant_write_budget, tenant_write_window_s}"),
    ("GET", "/_admin/faults", "current fault configuration"),
    ("POST", "/_admin/faults", "{clear, replication_delay_ms, error_burst: {count, status, method, path, "
                              "retry_after}, drop_connection: {count, method, path}, slow: {ms, method, path, "
                              "count}, slow_ms}"),
    ("POST", "/_admin/token_lifetime", "{seconds, revoke_existing}: lifetime of tokens issued from now on; "
                                      "revoke_existing makes every token issued so far answer 401"),
]


def _user_dump(tenant, user):
    out = dict(user.props)
    out["_roles"] = sorted(tenant.roles[r]["displayName"] for r in user.roles if r in tenant.roles)
    out["_hasPassword"] = bool(user.pw_hash)
    out["_forceChangePasswordNextSignIn"] = user.force_change
    out["_licenses"] = [dict(l) for l in user.licenses]
    return out


def state(sim):
    tenant = sim.tenant
    with tenant.lock:
        return {
            "tenant_id": tenant.tenant_id,
            "organization": dict(tenant.organization),
            "domains": [dict(d) for d in tenant.domains],
            "skus": [dict(s, free=s["enabled"] - s["consumed"]) for s in tenant.skus.values()],
            "apps": [a.public() for a in tenant.apps.values()],
            "directoryRoles": [dict(r, members=sorted(r["members"])) for r in tenant.roles.values()],
            "users": [_user_dump(tenant, u) for u in sorted(tenant.users.values(), key=lambda u: u.seq)],
            "deletedItems": [_user_dump(tenant, u) for u in tenant.deleted.values()],
            "settings": {"token_lifetime_s": sim.tokens.lifetime, "throttle": sim.throttle.snapshot()["config"],
                         "faults": sim.faults.snapshot()},
        }


def handle(sim, method, path, body):
    """Returns (status, json body)."""
    route = (method, path.rstrip("/"))
    body = body if isinstance(body, dict) else {}
    try:
        if route == ("GET", "/_admin/health"):
            return 200, {"status": "ok", "tenant_id": sim.tenant.tenant_id}
        if route == ("POST", "/_admin/reset"):
            sim.reset(body.get("seed", body) if body else None)
            return 200, {"status": "reset", "tenant_id": sim.tenant.tenant_id,
                         "users": len(sim.tenant.users)}
        if route == ("GET", "/_admin/state"):
            return 200, state(sim)
        if route == ("GET", "/_admin/counters"):
            return 200, sim.counters.snapshot()
        if route == ("POST", "/_admin/counters/reset"):
            sim.counters.reset()
            return 200, sim.counters.snapshot()
        if route == ("GET", "/_admin/throttle"):
            return 200, sim.throttle.snapshot()
        if route == ("POST", "/_admin/throttle"):
            return 200, {"config": sim.throttle.configure(**body)}
        if route == ("GET", "/_admin/faults"):
            return 200, sim.faults.snapshot()
        if route == ("POST", "/_admin/faults"):
            return 200, sim.faults.configure(body)
        if route == ("POST", "/_admin/token_lifetime"):
            if "seconds" in body:
                seconds = int(body["seconds"])
                if seconds < 1:
                    raise ValueError("seconds must be >= 1")
                sim.tokens.lifetime = seconds
            if body.get("revoke_existing"):
                sim.tokens.not_before = time.time()
            return 200, {"token_lifetime_s": sim.tokens.lifetime, "revoked_before": sim.tokens.not_before}
    except (ValueError, TypeError, KeyError) as exc:
        return 400, {"error": {"code": "BadAdminRequest", "message": str(exc)}}
    return 404, {"error": {"code": "NotFound", "message": "no admin endpoint %s %s" % route,
                           "endpoints": ["%s %s" % (m, p) for m, p, _ in ENDPOINTS]}}
