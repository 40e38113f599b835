# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Delete protection: whether a run may make the deletes (or unlinks) it planned. Pure logic.

    if needs_scope(planned, max_deletes, max_percent): scope = <count the objects in scope>
    message = judge("ad_user", planned, scope, max_deletes, max_percent, noun="users", where="the domain")
    if message: refuse the whole run before any write (check mode too)

Two limits, the smaller wins (as in Entra Connect's "prevent accidental deletes", whose export deletion
threshold is 500 objects):
- max_deletes: at most this many deletes in one run (default 500, Entra Connect's number);
- max_delete_percent: at most this share of the objects in scope (default 10). It protects a small
  directory, where 500 is everyone. A run of SHARE_FLOOR deletes or fewer always passes the share limit,
  so that deleting one leaver from a directory of five users works with the defaults.
The scope is counted only when the share can decide (needs_scope) or a refusal names it, so a run
without deletes or with a handful of them costs no extra read.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DEFAULT_MAX_DELETES = 500
DEFAULT_MAX_DELETE_PERCENT = 10
SHARE_FLOOR = 10
COUNT_OPTION, PERCENT_OPTION = "max_deletes", "max_delete_percent"


def delete_argument_spec():
    """The two options, the same in every module and action that can delete."""
    return dict(
        max_deletes=dict(type="int", default=DEFAULT_MAX_DELETES),
        max_delete_percent=dict(type="int", default=DEFAULT_MAX_DELETE_PERCENT),
    )


def check_limits(max_deletes, max_percent):
    """A message for values that cannot be limits, else None."""
    if max_deletes is None or max_deletes < 0:
        return "%s must be 0 or more (0 allows no delete at all), not %s" % (COUNT_OPTION, max_deletes)
    if max_percent is None or not 0 <= max_percent <= 100:
        return "%s must be between 0 and 100 (100 turns the share limit off), not %s" % (PERCENT_OPTION, max_percent)
    return None


def share_allows(scope, max_percent):
    """How many deletes the share limit lets through for a scope of this size."""
    return max(SHARE_FLOOR, scope * max_percent // 100)


def needs_scope(planned, max_deletes, max_percent):
    """Whether the size of the scope can change the verdict (otherwise do not read it)."""
    return SHARE_FLOOR < planned <= max_deletes and max_percent < 100


def _percent_needed(planned, scope):
    return min(100, -(-planned * 100 // scope))   # ceiling without floats


def judge(who, planned, scope, max_deletes, max_percent, noun="users", where="scope", verb="delete"):
    """None when the run may go on, else the refusal: who refuses, the count, the scope, the limit it
    passes and the option (and value) that would let it through.

    who: the module or role; scope: the number of objects in scope (None: not counted, the share limit
    is not applied; callers count it whenever needs_scope says so); where: what the scope is, for the
    message ("the domain", "the tenant", "the AD scope")."""
    if planned <= 0:
        return None
    if planned > max_deletes:
        scope_text = "" if scope is None else " (of the %d in %s)" % (max(scope, planned), where)
        # name every limit the run passes, so that raising what the message says lets it through
        also = ""
        if scope is not None and max_percent < 100 and planned > share_allows(max(scope, planned), max_percent):
            also = " and %s: %d" % (PERCENT_OPTION, _percent_needed(planned, max(scope, planned)))
        return ("%s refuses to %s %d %s%s: more than %s=%d allows. Nothing was written. Fix: check the list; "
                "if every %s is intended, set %s: %d%s (or more) on this task"
                % (who, verb, planned, noun, scope_text, COUNT_OPTION, max_deletes, verb, COUNT_OPTION, planned,
                   also))
    if scope is None or max_percent >= 100:
        return None
    scope = max(scope, planned)   # a count read a moment before the plan may lag behind it
    if planned <= share_allows(scope, max_percent):
        return None
    needed = _percent_needed(planned, scope)
    return ("%s refuses to %s %d of the %d %s in %s (%d%%): more than %s=%d allows (up to %d %s in a run of "
            "this size; %d or fewer always pass the share limit). Nothing was written. Fix: check the list; if "
            "every %s is intended, set %s: %d (or more) on this task"
            % (who, verb, planned, scope, noun, where, needed, PERCENT_OPTION, max_percent,
               share_allows(scope, max_percent), noun, SHARE_FLOOR, verb, PERCENT_OPTION, needed))


def guard_from(who, params, noun="users", where="scope", verb="delete"):
    """A module's guard: guard(planned, count_scope) -> refusal or None, where count_scope() reads the size
    of the scope and is only called when the share limit can decide or the count limit refuses."""
    max_deletes, max_percent = params[COUNT_OPTION], params[PERCENT_OPTION]

    def guard(planned, count_scope):
        # read when the share can decide, or to name the scope in a refusal by count
        scope = count_scope() if planned > max_deletes or needs_scope(planned, max_deletes, max_percent) else None
        return judge(who, planned, scope, max_deletes, max_percent, noun=noun, where=where, verb=verb)
    return guard


def run_refusals(title, counts, max_deletes, max_percent):
    """The engine's run-wide verdict (a chunk cannot see the run): counts is [(step, module, planned, scope,
    where)], one per step that can delete; returns one refusal per step over a limit."""
    out = []
    for step, module, planned, scope, where in counts:
        verb = "unlink" if module.endswith("account_link") else "delete"
        message = judge("%s (step %s, %s)" % (title, step, module), planned, scope, max_deletes, max_percent,
                        where=where, verb=verb)
        if message:
            out.append(message.replace("on this task", "on the method_run task"))
    return out
