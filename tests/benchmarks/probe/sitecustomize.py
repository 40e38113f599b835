"""Benchmark probe, loaded by every Python process of a benchmarked ansible-playbook run
(tests/benchmarks puts this directory on PYTHONPATH). Inert unless HYBRID_BENCH_PROBE_DIR is set.

At exit each process appends one JSON line to $HYBRID_BENCH_PROBE_DIR/<pid>.json:
  module     the module an AnsiballZ process ran (ad_user, cloud_user, ...) or "ansible-playbook"
  maxrss_kb  the process's peak resident set size (getrusage ru_maxrss: exact, not sampled)
  clients    the counters of every LdapClient / GraphClient the process made (their .stats)
  seconds    the process's lifetime

Ansible forks its workers (they leave with os._exit: no record); modules run in their own
interpreter (python AnsiballZ_<module>.py, the module imported in-process), so one record is
one module run. Nothing here changes what the collection does.
"""
import os

_PROBE_DIR = os.environ.get("HYBRID_BENCH_PROBE_DIR")

if _PROBE_DIR:
    import atexit
    import json
    import resource
    import sys
    import time

    _STARTED = time.time()
    _CLIENTS = []
    _TARGETS = {
        "ansible_collections.hybrid.identity.plugins.module_utils._ldap_client": ("LdapClient", "ldap"),
        "ansible_collections.hybrid.identity.plugins.module_utils._graph_client": ("GraphClient", "graph"),
    }

    def _instrument(module):
        class_name, kind = _TARGETS[module.__name__]
        cls = getattr(module, class_name, None)
        if cls is None:
            return
        original = cls.__init__

        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            _CLIENTS.append((kind, self))

        cls.__init__ = __init__

    class _Loader(object):
        """Wraps the real loader: runs the module, then instruments it."""

        def __init__(self, inner):
            self.inner = inner

        def create_module(self, spec):
            create = getattr(self.inner, "create_module", None)
            return create(spec) if create else None

        def exec_module(self, module):
            self.inner.exec_module(module)
            _instrument(module)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    class _Finder(object):
        def find_spec(self, name, path=None, target=None):
            if name not in _TARGETS:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                    return spec
            return None

    sys.meta_path.insert(0, _Finder())

    def _module_name():
        script = os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] else "python")
        if script.startswith("AnsiballZ_") and script.endswith(".py"):
            return script[len("AnsiballZ_"):-3]
        return script

    def _write():
        record = {
            "pid": os.getpid(),
            "module": _module_name(),
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "seconds": round(time.time() - _STARTED, 3),
            "started": _STARTED,
            "clients": [{"kind": kind, "stats": dict(getattr(client, "stats", {}) or {})} for kind, client in _CLIENTS],
        }
        try:
            with open(os.path.join(_PROBE_DIR, "%d.json" % os.getpid()), "a") as handle:
                handle.write(json.dumps(record) + "\n")
        except OSError:
            pass

    _PID = os.getpid()

    def _at_exit():
        if os.getpid() == _PID:   # not in a forked child that happens to exit normally
            _write()

    atexit.register(_at_exit)
