# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON batching for Graph: assembling $batch payloads and sorting their answers (pure logic).

Graph takes at most 20 requests per POST /$batch and throttles each one on its own: a batch
comes back 200 with some sub-responses 429. Those, and only those, are sent again (after the
longest Retry-After); the client in _graph_client.py runs that loop, this file decides.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils._graph_retry import retryable, parse_retry_after

MAX_BATCH = 20


class SubRequest(object):
    """One request inside a batch.

    key: the caller's handle for the answer (unique within one batch run); url: relative to the
    API version root ("/users/{id}"); target: the object named in errors; known_object: a 404
    means replication delay (the object was just created or just read), so retry it.
    """

    __slots__ = ("key", "method", "url", "body", "headers", "target", "known_object")

    def __init__(self, key, method, url, body=None, headers=None, target=None, known_object=False):
        self.key = key
        self.method = method.upper()
        self.url = url if url.startswith("/") else "/" + url
        self.body = body
        self.headers = headers
        self.target = target
        self.known_object = known_object

    def __repr__(self):
        return "SubRequest(%r, %s %s)" % (self.key, self.method, self.url)


class SubResponse(object):
    __slots__ = ("request", "status", "headers", "body")

    def __init__(self, request, status, headers, body):
        self.request = request
        self.status = status
        self.headers = headers or {}
        self.body = body

    @property
    def ok(self):
        return 200 <= self.status < 300

    @property
    def retry_after(self):
        for key, value in self.headers.items():
            if key.lower() == "retry-after":
                return parse_retry_after(value)
        return None


def chunks(items, size=MAX_BATCH):
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)]


def assemble(requests):
    """One $batch payload for at most MAX_BATCH sub-requests: (payload, {batch id: SubRequest})."""
    if len(requests) > MAX_BATCH:
        raise ValueError("a $batch takes at most %d requests, got %d" % (MAX_BATCH, len(requests)))
    entries, by_id = [], {}
    for index, req in enumerate(requests, 1):
        entry = {"id": str(index), "method": req.method, "url": req.url}
        headers = dict(req.headers or {})
        if req.body is not None:
            entry["body"] = req.body
            headers.setdefault("Content-Type", "application/json")
        if headers:
            entry["headers"] = headers
        entries.append(entry)
        by_id[str(index)] = req
    return {"requests": entries}, by_id


def split(body, by_id):
    """SubResponses for every request of the batch, in request order.

    A sub-request the service did not answer counts as 503 (sent again)."""
    answered = {}
    for item in (body or {}).get("responses") or []:
        answered[str(item.get("id"))] = item
    out = []
    for bid, req in by_id.items():
        item = answered.get(bid)
        if item is None:
            out.append(SubResponse(req, 503, {}, {"error": {"code": "MissingResponse",
                                                            "message": "the batch response had no answer for this request"}}))
            continue
        out.append(SubResponse(req, int(item.get("status") or 0), item.get("headers") or {}, item.get("body")))
    return out


def triage(responses):
    """Sort one round's answers: (done, retry, wait_hint).

    done: final SubResponses (success or a final error); retry: SubRequests to send again;
    wait_hint: the longest Retry-After among the throttled ones (None when none said)."""
    done, retry, hints = [], [], []
    for resp in responses:
        if resp.ok:
            done.append(resp)
        elif retryable(resp.status, known_object=resp.request.known_object) or resp.status == 424:
            retry.append(resp)
            if resp.retry_after is not None:
                hints.append(resp.retry_after)
        else:
            done.append(resp)
    return done, retry, (max(hints) if hints else None)


def worst_status(responses):
    """The status that decides how long to wait before re-sending a set of failed sub-requests."""
    statuses = [r.status for r in responses]
    if 429 in statuses:
        return 429
    for status in (503, 504, 502, 424):
        if status in statuses:
            return status if status != 424 else 503
    return statuses[0] if statuses else None
