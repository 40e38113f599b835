# Benchmark callback (tests/benchmarks only; not part of the collection): records each task's start and
# end (wall clock) with its module, and writes them as JSON to $HYBRID_BENCH_TIMINGS when the play ends.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: hybrid_bench_timer
type: aggregate
short_description: task start/end times for the hybrid.identity benchmarks
description: Writes every task's name, action, start and end time to the file named by HYBRID_BENCH_TIMINGS.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hybrid_bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self.loaded = time.time()
        self.tasks = []
        self.current = None
        self.started = None

    def v2_playbook_on_start(self, playbook):
        self.started = time.time()

    def _close(self):
        if self.current is not None and self.current.get("end") is None:
            self.current["end"] = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self.current = {"name": task.get_name(), "action": getattr(task, "resolved_action", None) or task.action,
                        "start": time.time(), "end": None, "status": None}
        self.tasks.append(self.current)

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _done(self, status):
        if self.current is not None:
            self.current["end"] = time.time()
            self.current["status"] = status

    def v2_runner_on_ok(self, result, **kwargs):
        self._done("ok")

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._done("failed")

    def v2_runner_on_skipped(self, result, **kwargs):
        self._done("skipped")

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._done("unreachable")

    def v2_playbook_on_stats(self, stats):
        self._close()
        path = os.environ.get("HYBRID_BENCH_TIMINGS")
        if not path:
            return
        data = {"loaded": self.loaded, "playbook_start": self.started, "end": time.time(),
                "tasks": [t for t in self.tasks if t.get("end") is not None]}
        with open(path, "w") as handle:
            json.dump(data, handle)
