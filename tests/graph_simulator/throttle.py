"""Identity-and-access throttling as published for Microsoft Graph.

Per app + tenant: a resource-unit (RU) budget per 10 s that depends on tenant size
(S < 50 users: 3,500; M 50-500: 5,000; L > 500: 8,000) and 3,000 writes per 150 s.
Per tenant (all apps): 18,000 writes per 300 s. Windows are fixed windows opened by the
first request; a refused request consumes nothing. Everything is reconfigurable at run time.
"""
import math
import threading
import time

from .errors import GraphError

REAL = {"enabled": True, "ru_budget": None, "ru_window_s": 10.0, "write_budget": 3000, "write_window_s": 150.0,
        "tenant_write_budget": 18000, "tenant_write_window_s": 300.0}


def ru_budget_for_size(users):
    if users < 50:
        return 3500
    if users <= 500:
        return 5000
    return 8000


def request_cost(method, template, query):
    """(resource units, writes) for one request, from the published cost table."""
    if method == "GET":
        if template in ("/v1.0/users", "/v1.0/users/{id}/licenseDetails", "/v1.0/users/{id}/memberOf",
                        "/v1.0/me/memberOf", "/v1.0/me/licenseDetails"):
            cost = 2
        elif template == "/v1.0/subscribedSkus":
            cost = 3
        else:
            cost = 1
        if "$select" in query:
            cost -= 1
        if "$expand" in query:
            cost += 1
        top = query.get("$top")
        if top and top.isdigit() and int(top) < 20:
            cost -= 1
        return max(cost, 1), 0
    return 1, 1


class Throttle(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.config = dict(REAL)
        self.windows = {}

    def configure(self, **changes):
        with self.lock:
            preset = changes.pop("preset", None)
            if preset == "real":
                self.config = dict(REAL)
            elif preset == "off":
                self.config["enabled"] = False
            for key, value in changes.items():
                if key not in REAL:
                    raise ValueError("unknown throttle setting %r" % key)
                self.config[key] = value
            self.windows.clear()
            return dict(self.config)

    def _window(self, key, length, now):
        win = self.windows.get(key)
        if win is None or now >= win[0] + length:
            win = [now, 0]
            self.windows[key] = win
        return win

    def charge(self, app_id, tenant_id, tenant_users, ru, writes):
        """Consume budget or raise a 429 GraphError; returns headers for a successful response."""
        now = time.monotonic()
        with self.lock:
            cfg = self.config
            headers = {"x-ms-resource-unit": str(ru)}
            if not cfg["enabled"]:
                return headers
            ru_limit = cfg["ru_budget"] or ru_budget_for_size(tenant_users)
            checks = [(("ru", app_id), ru_limit, cfg["ru_window_s"], ru, "Tenant_Application/ReadWrite",
                       "ResourceUnitLimitExceeded")]
            if writes:
                checks.append((("w", app_id), cfg["write_budget"], cfg["write_window_s"], writes,
                               "Tenant_Application/Write", "WriteLimitExceeded"))
                checks.append((("tw",), cfg["tenant_write_budget"], cfg["tenant_write_window_s"], writes,
                               "Tenant/Write", "WriteLimitExceeded"))
            percent = 0.0
            wins = []
            for key, limit, length, amount, scope, info in checks:
                win = self._window(key, length, now)
                if win[1] + amount > limit:
                    retry = max(1, int(math.ceil(win[0] + length - now)))
                    raise GraphError(429, "Request_ThrottledTemporarily",
                                     "Your request is throttled temporarily. Please try after %d seconds." % retry,
                                     headers={"Retry-After": str(retry),
                                              "x-ms-throttle-scope": "%s/%s/%s" % (scope, app_id, tenant_id),
                                              "x-ms-throttle-information": info,
                                              "x-ms-throttle-limit-percentage": "%.1f" % min(1.8, (win[1] + amount) / float(limit)),
                                              "x-ms-resource-unit": str(ru)})
                wins.append((win, amount, limit))
            for win, amount, limit in wins:
                win[1] += amount
                percent = max(percent, win[1] / float(limit))
            if percent > 0.8:
                headers["x-ms-throttle-limit-percentage"] = "%.1f" % percent
            return headers

    def snapshot(self):
        with self.lock:
            now = time.monotonic()
            return {"config": dict(self.config),
                    "windows": {"/".join(k): {"used": w[1], "age_s": round(now - w[0], 3)}
                                for k, w in self.windows.items()}}
