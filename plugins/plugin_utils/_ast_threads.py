# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ast.parse at a time on Python 3.11, while the engine runs modules from threads.

Python 3.11 keeps the recursion depth of building an AST in state shared by all threads: two threads
parsing at once (ansible-core's module builder reads every module's imports with ast.parse, and
ast.literal_eval parses too) end in "SystemError: AST constructor recursion depth mismatch" now and then
(CPython gh-106905). On Debian 12's Python 3.11.2 it failed 11 of the test suite's method runs; 3.12+
keep that depth per call. A lock around ast.parse, installed once, before the first thread starts, makes
parses take turns; everything else (the module runs themselves) still overlaps."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import sys
import threading

_LOCK = threading.RLock()


def needs_guard(version=None):
    """Whether this Python shares the AST builder's recursion depth between threads."""
    return tuple(version or sys.version_info)[:2] < (3, 12)


def guard_ast_parse():
    """Replace ast.parse (which ast.literal_eval calls too) by a locked one, once per process, on the
    Pythons that need it. Returns True when the locked parse is in place."""
    if not needs_guard():
        return False
    if getattr(ast.parse, "_hybrid_identity_locked", False):
        return True
    unlocked = ast.parse

    def parse(*args, **kwargs):
        with _LOCK:
            return unlocked(*args, **kwargs)

    parse._hybrid_identity_locked = True
    parse.__doc__ = unlocked.__doc__
    ast.parse = parse
    return True
