"""The engine's guard for Python 3.11's shared AST recursion depth (CPython gh-106905): with it, parses
from several threads while the garbage collector runs finalizers never end in SystemError."""
import ast
import gc
import sys
import threading

from ansible_collections.hybrid.identity.plugins.plugin_utils import _ast_threads


class _Garbage(object):
    def __del__(self):
        # Python code run by the collector inside ast.parse's C code: where another thread gets the GIL
        [i for i in range(50)]


def _parse_from_threads(threads=4, rounds=8):
    source = open(ast.__file__).read()
    errors = []

    def work():
        for dummy in range(rounds):
            try:
                ast.parse(source)
                ast.literal_eval("{'a': [1, 2, {'b': (3, 4)}]}")
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


def test_needs_guard_only_below_3_12():
    assert _ast_threads.needs_guard((3, 11, 2)) and _ast_threads.needs_guard((3, 11, 9))
    assert not _ast_threads.needs_guard((3, 12, 0)) and not _ast_threads.needs_guard((3, 13, 5))


def test_guarded_parses_from_threads_never_fail(monkeypatch):
    monkeypatch.setattr(ast, "parse", ast.parse)     # restored after the test
    installed = _ast_threads.guard_ast_parse()
    assert installed == (sys.version_info[:2] < (3, 12))
    assert _ast_threads.guard_ast_parse() == installed            # once: a second call wraps nothing more
    if installed:
        assert ast.parse._hybrid_identity_locked and ast.parse("x = 1").body[0].targets[0].id == "x"
    # Unguarded, 3.11.2 and 3.11.7 both failed this in about 1 s (1-3 SystemErrors); 3.13 never did.
    assert _parse_from_threads() == []
