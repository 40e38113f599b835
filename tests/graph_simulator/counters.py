"""Request counters for tests and benchmarks (what was called, how often, with what result)."""
import threading
from collections import Counter


class Counters(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.http = Counter()          # "METHOD /path/{template} STATUS" for HTTP requests
        self.subrequests = Counter()   # the same for $batch sub-requests
        self.totals = Counter()        # writes, resource_units, throttled, faults, tokens...

    def request(self, kind, method, template, status):
        key = "%s %s %d" % (method, template, status)
        with self.lock:
            (self.http if kind == "http" else self.subrequests)[key] += 1
            self.totals["http_requests" if kind == "http" else "subrequests"] += 1
            if status == 429:
                self.totals["throttled_429"] += 1

    def add(self, name, amount=1):
        with self.lock:
            self.totals[name] += amount

    def snapshot(self):
        with self.lock:
            totals = dict(self.totals)
            for name in ("http_requests", "subrequests", "writes", "resource_units", "write_units", "throttled_429",
                         "tokens_issued", "token_errors", "faults_error_burst", "faults_dropped", "faults_slowed"):
                totals.setdefault(name, 0)
            return {"http": dict(self.http), "subrequests": dict(self.subrequests), "totals": totals}
