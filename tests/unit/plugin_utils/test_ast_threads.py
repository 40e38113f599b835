"""The engine's guard for Python 3.11's shared AST recursion depth (CPython gh-106905): with it, AST builds
from several threads while the garbage collector runs finalizers never end in SystemError, through both
ways ansible-core builds them (ast.parse / ast.literal_eval, and module_common's compile(PyCF_ONLY_AST))."""
import ast
import gc
import sys
import threading

from ansible.executor import module_common

from ansible_collections.hybrid.identity.plugins.plugin_utils import _ast_threads


class _Garbage(object):
    def __del__(self):
        # Python code run by the collector inside the AST builder's C code: where another thread gets the GIL
        [i for i in range(50)]


def _build_from_threads(build, threads=4, rounds=6):
    source = open(ast.__file__).read()
    errors = []

    def work():
        for dummy in range(rounds):
            try:
                build(source)
            except SystemError as exc:
                errors.append(str(exc))
            for dummy in range(200):
                item = _Garbage()
                item.cycle = item
    old = gc.get_threshold()
    gc.set_threshold(50, 5, 5)
    try:
        workers = [threading.Thread(target=work) for dummy in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        gc.set_threshold(*old)
    return errors


def _parse(source):
    ast.parse(source)
    ast.literal_eval("{'a': [1, 2, {'b': (3, 4)}]}")


def _pack(source):
    # what ansible-core's module packer does to find a module's imports, looked up in its own namespace
    getattr(module_common, "compile", compile)(source, "<unknown>", "exec", ast.PyCF_ONLY_AST)


def test_needs_guard_only_below_3_12():
    assert _ast_threads.needs_guard((3, 11, 2)) and _ast_threads.needs_guard((3, 11, 9))
    assert not _ast_threads.needs_guard((3, 12, 0)) and not _ast_threads.needs_guard((3, 13, 5))


def test_guarded_builds_from_threads_never_fail(monkeypatch):
    monkeypatch.setattr(ast, "parse", ast.parse)     # both restored after the test
    monkeypatch.delattr(module_common, "compile", raising=False)
    installed = _ast_threads.guard_ast_builds()
    assert installed == (sys.version_info[:2] < (3, 12))
    assert _ast_threads.guard_ast_builds() == installed            # once: a second call wraps nothing more
    if installed:
        assert ast.parse("x = 1").body[0].targets[0].id == "x"
        assert module_common.compile("x = 1", "<unknown>", "exec", ast.PyCF_ONLY_AST).body[0].targets[0].id == "x"
        assert module_common.compile("x = 1", "<unknown>", "exec").co_names == ("x",)   # not an AST: unlocked
        assert compile is not module_common.compile                  # builtins stay as they are
    # Unguarded, 3.11.2 and 3.11.7 both failed each of these in about 1 s (1-3 SystemErrors); 3.13 never did.
    assert _build_from_threads(_parse) == []
    assert _build_from_threads(_pack) == []
