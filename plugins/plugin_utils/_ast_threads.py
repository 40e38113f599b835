# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AST build at a time on Python 3.11, while the engine runs modules from threads.

Python 3.11 keeps the recursion depth of building an AST in state shared by all threads: two threads
building one at once end in "SystemError: AST constructor recursion depth mismatch" now and then (CPython
gh-106905). ansible-core builds them while it packs every module (compile(..., ast.PyCF_ONLY_AST) in
ansible.executor.module_common, reading the module's imports) and while it templates (ast.literal_eval,
through ast.parse). On Debian 12's Python 3.11.2 it failed 11 of the test suite's method runs; 3.12+ keep
that depth per call. A lock around both, installed once before the first thread starts, makes AST builds
take turns; everything else (the module runs themselves) still overlaps."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import builtins
import sys
import threading

_LOCK = threading.RLock()
_MARK = "_hybrid_identity_locked"


def needs_guard(version=None):
    """Whether this Python shares the AST builder's recursion depth between threads."""
    return tuple(version or sys.version_info)[:2] < (3, 12)


def locked_parse(unlocked):
    def parse(*args, **kwargs):
        with _LOCK:
            return unlocked(*args, **kwargs)
    setattr(parse, _MARK, True)
    parse.__doc__ = unlocked.__doc__
    return parse


def locked_compile(unlocked):
    def compile_(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            return unlocked(source, filename, mode, flags, *args, **kwargs)
        with _LOCK:
            return unlocked(source, filename, mode, flags, *args, **kwargs)
    setattr(compile_, _MARK, True)
    return compile_


def guard_ast_builds():
    """On the Pythons that need it, once per process: ast.parse (which ast.literal_eval calls) and the
    compile() that ansible-core's module packer calls (a name in that module only; builtins stay as they
    are) take the lock. Returns True when the guard is in place."""
    if not needs_guard():
        return False
    if not getattr(ast.parse, _MARK, False):
        ast.parse = locked_parse(ast.parse)
    from ansible.executor import module_common
    if not getattr(getattr(module_common, "compile", None), _MARK, False):
        module_common.compile = locked_compile(builtins.compile)
    return True
