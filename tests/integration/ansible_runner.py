"""Run the collection's modules the way users do: through ansible-playbook, against the lab.

    result = run_module("hybrid.identity.ad_user", {"users": [...]}, check=True, diff=True)
    result["changed"], result["users"], result.get("diff")

The lab's connection variables come from the environment (source .lab/lab.env), as they would
for a user, so tests exercise the modules' environment fallbacks. Pass env= to add or override.
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")


class PlaybookRun(object):
    def __init__(self, rc, stdout, stderr, tasks):
        self.rc, self.stdout, self.stderr, self.tasks = rc, stdout, stderr, tasks

    def task(self, index=-1):
        return self.tasks[index]


def _base_env(extra):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_STDOUT_CALLBACK": "results_json",
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback_plugins"),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
    })
    env.update(extra or {})
    return env


def run_playbook(tasks, check=False, diff=False, verbosity=0, env=None, extra_vars=None, raw_output=False):
    """Run a list of tasks as one play on localhost; return a PlaybookRun with per-task results."""
    play = [{"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": tasks}]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "play.yml")
        with open(path, "w") as handle:
            yaml.safe_dump(play, handle)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", path]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        run_env = _base_env(env)
        if raw_output:
            run_env["ANSIBLE_STDOUT_CALLBACK"] = "default"
        proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, cwd=tmp, timeout=1800)
    results = []
    if not raw_output:
        start = proc.stdout.find("{")
        data = json.loads(proc.stdout[start:]) if start >= 0 else {"plays": []}
        for play_result in data.get("plays", []):
            for task in play_result["tasks"]:
                results.append(task["hosts"].get("localhost", {}))
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, results)


def run_module(module, args, check=False, diff=False, env=None, expect_failure=False):
    """Run one module task; return its result dict. Fails the test on an unexpected failure."""
    run = run_playbook([{"name": "under test", module: args, "ignore_errors": bool(expect_failure)}],
                       check=check, diff=diff, env=env)
    assert run.tasks, "no task result; ansible-playbook said:\n%s\n%s" % (run.stdout[-3000:], run.stderr[-3000:])
    result = run.tasks[-1]
    if not expect_failure:
        assert not result.get("failed"), json.dumps(result, indent=1)[:6000]
    return result
