"""Retry/backoff decisions (pure)."""
from ansible_collections.hybrid.identity.plugins.module_utils._graph_retry import (
    RetryPolicy, RetryState, parse_retry_after, retryable)


def fixed(value):
    return lambda: value


def test_parse_retry_after_seconds_date_and_garbage():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("100000") == 300.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0


def test_retryable_statuses():
    for status in (429, 502, 503, 504):
        assert retryable(status)
    for status in (400, 401, 403, 409, 500):
        assert not retryable(status)
    assert not retryable(404)
    assert retryable(404, known_object=True)
    assert retryable(None, connection_error=True)


def test_retry_after_is_honoured_and_backoff_grows():
    policy = RetryPolicy(base=1.0, cap=8.0, jitter=fixed(1.0))
    state = RetryState(policy)
    assert 5.0 <= state.next_delay(status=429, retry_after=5.0) <= 5.05
    assert state.next_delay(status=503) == 2.0      # attempt 2: ceiling 2
    assert state.next_delay(status=503) == 4.0
    assert state.next_delay(status=503) == 8.0
    assert state.next_delay(status=503) == 8.0      # capped


def test_equal_jitter_bounds():
    low = RetryPolicy(base=4.0, jitter=fixed(0.0)).backoff(1)
    high = RetryPolicy(base=4.0, jitter=fixed(1.0)).backoff(1)
    assert (low, high) == (2.0, 4.0)


def test_not_retryable_gives_none_without_counting():
    state = RetryState(RetryPolicy())
    assert state.next_delay(status=400) is None
    assert state.next_delay(status=404) is None
    assert state.attempt == 0


def test_budget_ends_retries():
    state = RetryState(RetryPolicy(budget=10.0, jitter=fixed(1.0)))
    assert state.next_delay(status=429, retry_after=6.0) is not None
    assert state.next_delay(status=429, retry_after=6.0) is None


def test_not_found_has_its_own_smaller_budget():
    policy = RetryPolicy(budget=300.0, not_found_base=1.0, not_found_cap=4.0, not_found_budget=10.0, jitter=fixed(1.0))
    state = RetryState(policy)
    waits = []
    while True:
        wait = state.next_delay(status=404, known_object=True)
        if wait is None:
            break
        waits.append(wait)
    assert waits == [1.0, 2.0, 4.0]           # the next 4 would pass 10 s
    assert state.next_delay(status=429, retry_after=1.0) is not None   # throttling still has budget


def test_max_attempts():
    state = RetryState(RetryPolicy(max_attempts=3, jitter=fixed(0.0)))
    assert state.next_delay(status=502) is not None
    assert state.next_delay(status=502) is not None
    assert state.next_delay(status=502) is None


def test_connection_errors_back_off():
    state = RetryState(RetryPolicy(base=0.5, jitter=fixed(1.0)))
    assert state.next_delay(connection_error=True) == 0.5
    assert state.next_delay(connection_error=True) == 1.0
