"""Switchable faults: replication delay, 5xx bursts, dropped connections, slow responses.

Rules match on method and a regular expression searched in the request path (for $batch
sub-requests: "/v1.0" + the sub-request's path). A rule without "path" matches Graph
(/v1.0/...) only, so a burst does not hit the token endpoint unless a test asks for it.
"""
import re
import threading

from .errors import GraphError

_CODES = {500: ("generalException", "General exception while processing."),
          502: ("badGateway", "Bad gateway."),
          503: ("serviceNotAvailable", "Service is unavailable. Please try again later."),
          504: ("gatewayTimeout", "The gateway did not receive a response in time.")}


class _Rule(object):
    def __init__(self, spec, default_count=None):
        self.spec = dict(spec)
        self.method = (spec.get("method") or "").upper() or None
        self.path = re.compile(spec["path"]) if spec.get("path") else None
        self.count = spec.get("count", default_count)

    def matches(self, method, path):
        if self.count is not None and self.count <= 0:
            return False
        if self.method and self.method != method:
            return False
        if self.path is None:
            return path.startswith("/v1.0/")
        return bool(self.path.search(path))

    def consume(self):
        if self.count is not None:
            self.count -= 1

    def public(self):
        out = dict(self.spec)
        out["remaining"] = self.count
        return out


class Faults(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.replication_delay_ms = 0
        self.bursts = []
        self.drops = []
        self.slow = []

    def configure(self, body):
        with self.lock:
            if body.get("clear"):
                self.clear()
            if "replication_delay_ms" in body:
                self.replication_delay_ms = int(body["replication_delay_ms"] or 0)
            for key, target, default in (("error_burst", self.bursts, 1), ("drop_connection", self.drops, 1),
                                         ("slow", self.slow, None)):
                specs = body.get(key)
                if specs is None:
                    continue
                for spec in specs if isinstance(specs, list) else [specs]:
                    if key == "error_burst" and int(spec.get("status", 503)) not in _CODES:
                        raise ValueError("error_burst status must be one of %s" % sorted(_CODES))
                    target.append(_Rule(spec, default))
            if body.get("slow_ms"):
                self.slow.append(_Rule({"ms": int(body["slow_ms"])}, None))
            return self.snapshot_locked()

    def snapshot(self):
        with self.lock:
            return self.snapshot_locked()

    def snapshot_locked(self):
        return {"replication_delay_ms": self.replication_delay_ms,
                "error_burst": [r.public() for r in self.bursts if r.count is None or r.count > 0],
                "drop_connection": [r.public() for r in self.drops if r.count is None or r.count > 0],
                "slow": [r.public() for r in self.slow if r.count is None or r.count > 0]}

    def _take(self, rules, method, path):
        with self.lock:
            for rule in rules:
                if rule.matches(method, path):
                    rule.consume()
                    return rule
        return None

    def should_drop(self, method, path):
        return self._take(self.drops, method, path) is not None

    def delay_ms(self, method, path):
        rule = self._take(self.slow, method, path)
        return int(rule.spec.get("ms", 0)) if rule else 0

    def burst_error(self, method, path):
        """A GraphError to answer instead of the real response, or None."""
        rule = self._take(self.bursts, method, path)
        if rule is None:
            return None
        status = int(rule.spec.get("status", 503))
        code, message = _CODES[status]
        headers = {}
        if rule.spec.get("retry_after") is not None:
            headers["Retry-After"] = str(rule.spec["retry_after"])
        return GraphError(status, code, message, headers=headers)
