"""Setting up a bulk linking run fast, straight through ldap3 and the simulator's seed (not through
the modules): N AD users in an OU and N cloud users with the same UPNs. Shared by
test_bulk.py and tests/benchmarks/link_bulk.py."""
import time

DOMAIN = "corp.example.com"


def upn(prefix, i):
    return "%s-%04d@%s" % (prefix, i, DOMAIN)


def create_ad_users(ldap, ou, prefix, count):
    dns = []
    for i in range(count):
        dn = "CN=%s-%04d,%s" % (prefix, i, ou)
        ok = ldap.add(dn, ["top", "person", "organizationalPerson", "user"],
                      {"sAMAccountName": "%s%04d" % (prefix[:14], i), "userPrincipalName": upn(prefix, i),
                       "userAccountControl": "514"})
        assert ok, ldap.result
        dns.append(dn)
    return dns


def cloud_users(prefix, count):
    return [{"userPrincipalName": upn(prefix, i), "displayName": "%s %04d" % (prefix, i)} for i in range(count)]


def graph_requests(counters):
    """HTTP requests and $batch sub-requests by route from /_admin/counters, token requests apart."""
    http = counters.get("http") or {}
    tokens = sum(n for k, n in http.items() if "/oauth2/" in k or "openid-configuration" in k)
    totals = counters.get("totals") or {}
    return {"http_requests": totals.get("http_requests"), "token_and_discovery": tokens,
            "graph_http_requests": (totals.get("http_requests") or 0) - tokens,
            "batch_subrequests": totals.get("subrequests"), "writes": totals.get("writes"),
            "throttled_429": totals.get("throttled_429"), "by_route": http}


class Timer(object):
    def __enter__(self):
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.monotonic() - self.start
