# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Microsoft Graph client every cloud module shares.

One requests.Session and one token per module run; retries with backoff on 429 (Retry-After),
502/503/504 and dropped connections inside a time budget; 404 retried for objects this run
knows exist (replication delay); $batch with each sub-request retried on its own; paging via
@odata.nextLink; every failure a GraphError. Decisions live in _graph_retry / _graph_batch /
_cloud_query (pure, unit-tested); this file does the I/O.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

from ansible_collections.hybrid.identity.plugins.module_utils._graph_auth import brief
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError, error_from_response
from ansible_collections.hybrid.identity.plugins.module_utils._graph_retry import (
    RetryPolicy, RetryState, parse_retry_after, replication_wait)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import (
    SubRequest, assemble, chunks, split, triage, worst_status, MAX_BATCH)
from ansible_collections.hybrid.identity.plugins.module_utils import _cloud_query as query

API_VERSION = "v1.0"
TIMEOUT = (15, 120)   # connect, read (a 20-request $batch of creates can take a while)
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


def build_session(settings, environ, requests_module, retry_class=None, adapter_class=None):
    """A requests.Session that ignores REQUESTS_CA_BUNDLE & co. (trust_env=False) and verifies
    with ca_path when given; proxies from the environment are still honoured, explicitly."""
    from ansible_collections.hybrid.identity.plugins.module_utils._graph_auth import verify_setting
    session = requests_module.Session()
    session.trust_env = False
    session.verify = verify_setting(settings, environ)
    try:
        proxies = requests_module.utils.get_environ_proxies(settings["graph_endpoint"])
    except Exception:  # pragma: no cover - malformed proxy variables: go direct
        proxies = {}
    session.proxies.update(proxies or {})
    session.headers.update({"User-Agent": "hybrid.identity-ansible", "Accept": "application/json"})
    if retry_class is not None and adapter_class is not None and settings.get("tenant_id"):
        # The token endpoint gets transport-level retries (MSAL has none); Graph paths do not:
        # the client below retries those itself, with its own accounting.
        retry = retry_class(total=4, connect=4, read=2, status=4, backoff_factor=0.5,
                            status_forcelist=(429, 500, 502, 503, 504), allowed_methods=None,
                            respect_retry_after_header=True, raise_on_status=False)
        session.mount("%s/%s/" % (settings["authority_host"], settings["tenant_id"]),
                      adapter_class(max_retries=retry))
    return session


class BatchResult(object):
    """The final answer to one SubRequest: status, body, error (GraphError or None)."""

    __slots__ = ("key", "status", "body", "error")

    def __init__(self, key, status, body, error=None):
        self.key = key
        self.status = status
        self.body = body
        self.error = error

    @property
    def ok(self):
        return self.error is None


class GraphClient(object):
    def __init__(self, settings, credential, session, policy=None, sleep=None, connection_errors=()):
        self.settings = settings
        self.credential = credential
        self.session = session
        # Without a policy: the defaults, with the replication wait the environment may set.
        self.policy = policy or RetryPolicy(not_found_budget=replication_wait(os.environ))
        self.sleep = sleep or time.sleep
        self.root = settings["graph_endpoint"].rstrip("/") + "/" + API_VERSION
        self.connection_errors = tuple(connection_errors)
        self.known_ids = set()   # objects this run created or read: a 404 on them is replication delay
        self.stats = {"requests": 0, "batches": 0, "batched_requests": 0, "retries": 0, "writes": 0,
                      "throttled": 0, "token_refreshes": 0}

    # --- low level ------------------------------------------------------------------------

    def url(self, path):
        if path.startswith("https://") or path.startswith("http://"):
            return path
        return self.root + (path if path.startswith("/") else "/" + path)

    def _send(self, method, url, body=None, headers=None):
        """One HTTP exchange, with one token refresh on 401. Returns the response."""
        refreshed = False
        while True:
            all_headers = {"Authorization": "Bearer " + self.credential.token()}
            if body is not None:
                all_headers["Content-Type"] = "application/json"
            all_headers.update(headers or {})
            self.stats["requests"] += 1
            response = self.session.request(method, url, json=body, headers=all_headers, timeout=TIMEOUT)
            if response.status_code == 401 and not refreshed:
                # Token expired or revoked mid-run: get a new one once, then send again.
                refreshed = True
                self.stats["token_refreshes"] += 1
                self.credential.refresh()
                continue
            return response

    @staticmethod
    def _parse(response):
        if response.status_code == 204 or not response.content:
            return None
        ctype = response.headers.get("Content-Type", "")
        if "json" in ctype:
            try:
                return response.json()
            except ValueError:
                return response.text
        return response.text

    def request(self, method, path, body=None, headers=None, target=None, known_object=False, count_write=True):
        """One Graph call with retries; returns the parsed body (None for 204) or raises GraphError."""
        method = method.upper()
        url = self.url(path)
        state = RetryState(self.policy)
        while True:
            try:
                response = self._send(method, url, body, headers)
            except self.connection_errors as exc:
                wait = state.next_delay(connection_error=True)
                if wait is None:
                    raise GraphError("connection to %s failed: %s" % (self.settings["graph_endpoint"], brief(exc)),
                                     code="ConnectionError", target=target)
                self.stats["retries"] += 1
                self.sleep(wait)
                continue
            status = response.status_code
            if 200 <= status < 300:
                if count_write and method in WRITE_METHODS:
                    self.stats["writes"] += 1
                return self._parse(response)
            if status == 429:
                self.stats["throttled"] += 1
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = state.next_delay(status=status, retry_after=retry_after, known_object=known_object)
            if wait is None:
                raise error_from_response(status, self._parse(response), response.headers, target)
            self.stats["retries"] += 1
            self.sleep(wait)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def pages(self, path, headers=None, target=None):
        """Every item of a collection, following @odata.nextLink."""
        url = path
        while url:
            body = self.request("GET", url, headers=headers, target=target) or {}
            yield from body.get("value") or []
            url = body.get("@odata.nextLink")

    # --- $batch ---------------------------------------------------------------------------

    def batch(self, requests):
        """Run SubRequests through $batch (20 per request); each failed sub-request is retried on
        its own (429 after the longest Retry-After, 5xx, 404 on known objects) inside the budget.
        Returns {key: BatchResult}; never raises for a sub-request (its error is in its result),
        only for a batch request that fails as a whole."""
        results = {}
        pending = list(requests)
        state = RetryState(self.policy)
        while pending:
            retry_round = []
            hints = []
            for group in chunks(pending, MAX_BATCH):
                payload, by_id = assemble(group)
                self.stats["batches"] += 1
                self.stats["batched_requests"] += len(group)
                body = self.request("POST", "/$batch", body=payload, count_write=False) or {}
                done, retry, hint = triage(split(body, by_id))
                for resp in done:
                    req = resp.request
                    if resp.ok:
                        if req.method in WRITE_METHODS:
                            self.stats["writes"] += 1
                        results[req.key] = BatchResult(req.key, resp.status, resp.body)
                    else:
                        results[req.key] = BatchResult(req.key, resp.status, resp.body, error_from_response(
                            resp.status, resp.body, resp.headers, req.target))
                for resp in retry:
                    if resp.status == 429:
                        self.stats["throttled"] += 1
                retry_round.extend(retry)
                if hint is not None:
                    hints.append(hint)
            if not retry_round:
                break
            status = worst_status(retry_round)
            known = all(r.request.known_object for r in retry_round if r.status == 404)
            wait = state.next_delay(status=status, retry_after=max(hints) if hints else None, known_object=known)
            if wait is None:
                for resp in retry_round:
                    req = resp.request
                    results[req.key] = BatchResult(req.key, resp.status, resp.body, error_from_response(
                        resp.status, resp.body, resp.headers, req.target))
                break
            self.stats["retries"] += len(retry_round)
            self.sleep(wait)
            pending = [r.request for r in retry_round]
        return results

    # --- reading users in bulk ------------------------------------------------------------

    def read_users(self, keys, select, extra=None):
        """The users named by keys (UPNs or ids) in as few HTTP requests as possible.

        extra: SubRequests the caller needs anyway (domains, SKUs): they ride in the first
        batch. Returns (found, extra_results, strategy): found maps each key (lower-cased) that
        exists to its user dict."""
        extra = list(extra or [])
        ids, upns = query.split_keys(keys)
        n = len(ids) + len(upns)
        select = sorted(set(select) | {"id", "userPrincipalName"})
        sel = ",".join(select)
        extra_results = {}
        tenant_users = None
        strategy = "filter"
        if query.worth_counting(n):
            first = extra + [SubRequest("__count__", "GET", "/users/$count", headers={"ConsistencyLevel": "eventual"})]
            res = self.batch(first) if first else {}
            count = res.pop("__count__", None)
            extra_results.update(res)
            extra = []
            if count is not None and count.ok:
                try:
                    tenant_users = int(str(count.body).strip().lstrip("\ufeff"))
                except ValueError:
                    tenant_users = None
            strategy = query.choose_read(n, tenant_users)
        users = []
        if strategy == "listing":
            if extra:
                extra_results.update(self.batch(extra))
            users = list(self.pages("/users?" + query.urlencode_query([("$select", sel), ("$top", query.PAGE_SIZE)])))
        else:
            filters = query.key_filters(ids, upns)
            subs = [SubRequest("__f%d__" % i, "GET", "/users?" + query.urlencode_query(
                [("$select", sel), ("$filter", flt), ("$top", query.PAGE_SIZE)])) for i, flt in enumerate(filters)]
            if len(subs) == 1 and not extra:
                users = list(self.pages(subs[0].url))
            elif subs or extra:
                res = self.batch(extra + subs)
                for sub in subs:
                    answer = res.pop(sub.key)
                    if not answer.ok:
                        raise answer.error
                    users.extend((answer.body or {}).get("value") or [])
                    link = (answer.body or {}).get("@odata.nextLink")
                    if link:
                        users.extend(self.pages(link))
                extra_results.update(res)
        wanted_ids = set(k.lower() for k in ids)
        wanted_upns = set(k.lower() for k in upns)
        found = {}
        for user in users:
            uid = (user.get("id") or "").lower()
            upn = (user.get("userPrincipalName") or "").lower()
            if uid in wanted_ids:
                found[uid] = user
            if upn in wanted_upns:
                found[upn] = user
            if uid in wanted_ids or upn in wanted_upns:
                self.known_ids.add(user.get("id"))
        return found, extra_results, strategy

    def wait_for_users(self, keys, select, budget=None):
        """Read users that a first read missed again, with backoff, for up to `budget` seconds of
        waiting (never more than the policy's replication wait, HYBRID_IDENTITY_REPLICATION_WAIT):
        right after a create, listings and filters do not show a user for seconds (replication
        delay). Returns {lower key: user} of those that appeared."""
        budget = self.policy.not_found_budget if budget is None else min(float(budget), self.policy.not_found_budget)
        found = {}
        missing = list(keys)
        state = RetryState(RetryPolicy(budget=budget, not_found_budget=budget, not_found_base=1.0,
                                       not_found_cap=8.0, jitter=self.policy.jitter))
        while missing:
            wait = state.next_delay(status=404, known_object=True)
            if wait is None:
                break
            self.stats["retries"] += 1
            self.sleep(wait)
            got, _extra, _strategy = self.read_users(missing, select)
            found.update(got)
            missing = [k for k in missing if k.lower() not in got]
        return found
