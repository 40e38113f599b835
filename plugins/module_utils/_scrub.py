# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hide no_log values (passwords) in a module's result, in time linear in the result's size.

AnsibleModule hides no_log values by trying every secret against every string of the result
(module_utils.common.parameters.remove_values): with one password per user and the users echoed
back in `invocation`, that is users x users string scans, about 70 s for 10,000 users. Here the
secrets are indexed by their first characters, so each string is read once. The rules are
Ansible's, a little stricter: a string equal to a secret becomes VALUE_SPECIFIED_IN_NO_LOG_PARAMETER;
every stretch of a string covered by a secret (overlaps merged) becomes ********; a number or
bool whose text holds a secret becomes the placeholder. Keys are left as they are, as Ansible does.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible.module_utils.common.text.converters import to_native

PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
MASK = "*" * 8


class Scrubber(object):
    def __init__(self, secrets):
        self.exact = frozenset(s for s in (to_native(x, errors="surrogate_or_strict") for x in secrets) if s)
        self.key_len = min(len(s) for s in self.exact) if self.exact else 0
        self.by_prefix = {}
        for secret in self.exact:
            self.by_prefix.setdefault(secret[:self.key_len], []).append(secret)

    def text(self, value):
        if not self.exact:
            return value
        if value in self.exact:
            return PLACEHOLDER
        size, key_len, by_prefix = len(value), self.key_len, self.by_prefix
        if size < key_len:
            return value
        spans = []
        for start in range(size - key_len + 1):
            candidates = by_prefix.get(value[start:start + key_len])
            if candidates:
                for secret in candidates:
                    if value.startswith(secret, start):
                        spans.append((start, start + len(secret)))
        if not spans:
            return value
        out, pos, cover_start, cover_end = [], 0, None, None
        for start, end in sorted(spans):
            if cover_end is not None and start <= cover_end:
                cover_end = max(cover_end, end)
                continue
            if cover_end is not None:
                out.append(value[pos:cover_start] + MASK)
                pos = cover_end
            cover_start, cover_end = start, end
        out.append(value[pos:cover_start] + MASK)
        out.append(value[cover_end:])
        return "".join(out)

    def value(self, value):
        """A copy of value (dicts, lists, tuples, sets, scalars) with the secrets hidden."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.text(to_native(value, errors="surrogate_or_strict"))
        if isinstance(value, dict):
            return dict((key, self.value(item)) for key, item in value.items())
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        if isinstance(value, (set, frozenset)):
            return set(self.value(item) for item in value)
        if isinstance(value, (datetime.datetime, datetime.date)):
            return value.isoformat()
        if value is None or isinstance(value, (bool, float, int)):
            return PLACEHOLDER if self.exact and self.text(to_native(value)) != to_native(value) else value
        raise TypeError("Value of unknown type: %s" % type(value))


# Lists longer than this are not echoed back in `invocation` below -vvv (the callback shows it only from -vvv).
ECHO_LIMIT = 50


def echoed_arguments(params, verbosity):
    """The module arguments echoed in the result's `invocation`: all of them at -vvv and above, else long
    lists (10,000 users) as a count: Ansible wraps and copies every returned value on the controller."""
    if verbosity >= 3:
        return params
    return dict((key, "(%d entries; shown with -vvv)" % len(value) if isinstance(value, list) and len(value) > ECHO_LIMIT
                 else value) for key, value in params.items())


def use_linear_scrub(module):
    """Make module.exit_json / fail_json hide no_log values with Scrubber, then hand the result to
    AnsibleModule with nothing left for its own (quadratic) pass."""
    exit_json, fail_json = module.exit_json, module.fail_json

    def prepare(kwargs):
        kwargs.setdefault("invocation", {"module_args": echoed_arguments(module.params, getattr(module, "_verbosity", 0))})
        scrubber = Scrubber(module.no_log_values)
        preserved = dict((k, v) for k, v in kwargs.items() if v is None or isinstance(v, bool))
        clean = scrubber.value(kwargs)
        clean.update(preserved)
        module.no_log_values = set()
        return clean

    module.exit_json = lambda **kwargs: exit_json(**prepare(kwargs))
    module.fail_json = lambda msg, **kwargs: fail_json(**prepare(dict(kwargs, msg=msg)))
    return module
