# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When to retry a Graph call and how long to wait (pure logic, no I/O, no sleeping).

Retried: 429 (after Retry-After when given), 502/503/504, dropped connections, and 404 on an
object this run knows exists (just created, or just read: Entra's replication delay). All
inside one time budget per logical operation, so a throttled run slows down but converges,
and a broken service still ends the run in bounded time.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import email.utils
import random
import time

THROTTLED = 429
TRANSIENT = frozenset((502, 503, 504))
NOT_FOUND = 404
# Seconds a run waits, at most, for an object it created or read to answer (Entra's replication
# delay: seconds, reports of a minute or two); the environment variable of that name overrides it.
REPLICATION_WAIT = 120.0
REPLICATION_WAIT_ENV = "HYBRID_IDENTITY_REPLICATION_WAIT"


def replication_wait(environ):
    """The replication wait budget in seconds: REPLICATION_WAIT_ENV when it holds a number >= 0."""
    value = (environ or {}).get(REPLICATION_WAIT_ENV)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return REPLICATION_WAIT
    return seconds if seconds >= 0 else REPLICATION_WAIT


def parse_retry_after(value, now=None, cap=300.0):
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - (time.time() if now is None else now)
    return max(0.0, min(float(cap), seconds))


def retryable(status, known_object=False, connection_error=False):
    """Whether a failure of this kind is worth another attempt."""
    if connection_error:
        return True
    if status == THROTTLED or status in TRANSIENT:
        return True
    if status == NOT_FOUND and known_object:
        return True
    return False


class RetryPolicy(object):
    """Backoff parameters.

    budget: seconds one logical operation (a request, or a $batch run with its re-sends) may
    spend waiting between attempts; not_found_budget: the part of it 404 retries may use
    (replication delay is seconds, rarely a minute or two; an object really gone must not
    hold the run for long); max_attempts: optional cap on attempts per operation.
    """

    def __init__(self, budget=300.0, base=0.5, cap=30.0, not_found_base=1.0, not_found_cap=15.0,
                 not_found_budget=REPLICATION_WAIT, max_attempts=None, jitter=None):
        self.budget = float(budget)
        self.base = float(base)
        self.cap = float(cap)
        self.not_found_base = float(not_found_base)
        self.not_found_cap = float(not_found_cap)
        self.not_found_budget = float(not_found_budget)
        self.max_attempts = max_attempts
        self.jitter = jitter if jitter is not None else random.random

    def backoff(self, attempt, not_found=False):
        """Exponential backoff with 'equal jitter' for the attempt-th retry (1-based)."""
        base, cap = (self.not_found_base, self.not_found_cap) if not_found else (self.base, self.cap)
        ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
        return ceiling / 2.0 + ceiling / 2.0 * self.jitter()

    def delay(self, attempt, status=None, retry_after=None):
        """Seconds to wait before retry number `attempt` after a failure with this status."""
        if retry_after is not None and (status == THROTTLED or status in TRANSIENT):
            # The service said how long; a little extra avoids arriving in the same instant.
            return float(retry_after) + 0.05 * self.jitter()
        return self.backoff(attempt, not_found=(status == NOT_FOUND))


class RetryState(object):
    """Retry bookkeeping of one logical operation (one request, or one $batch with its re-sends)."""

    def __init__(self, policy):
        self.policy = policy
        self.attempt = 0
        self.waited = 0.0
        self.waited_not_found = 0.0

    def next_delay(self, status=None, retry_after=None, known_object=False, connection_error=False):
        """The delay before the next attempt, or None when the failure is final (not retryable,
        too many attempts, or the wait would exceed the budget)."""
        if not retryable(status, known_object=known_object, connection_error=connection_error):
            return None
        self.attempt += 1
        if self.policy.max_attempts is not None and self.attempt >= self.policy.max_attempts:
            return None
        wait = self.policy.delay(self.attempt, status=status, retry_after=retry_after)
        if self.waited + wait > self.policy.budget:
            return None
        if status == NOT_FOUND and not connection_error:
            if self.waited_not_found + wait > self.policy.not_found_budget:
                return None
            self.waited_not_found += wait
        self.waited += wait
        return wait
