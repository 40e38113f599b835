"""Fixtures for the Graph simulator's own suite: a throwaway CA and certificates, the lab seed,
and the simulator started as a subprocess on a free loopback port (stopped by pid at the end)."""
import copy
import os
import shutil
import signal
import subprocess
import sys

import pytest
import yaml

from graph_simulator.testpki import free_port, make_pki, wait_tls
from sim_helpers import TESTS, Sim, build_seed


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("graphsim"))
    pki = make_pki(directory)
    seed = build_seed(pki)
    seed_path = os.path.join(directory, "seed.yml")
    with open(seed_path, "w") as handle:
        yaml.safe_dump(seed, handle)
    port = free_port()
    log = os.path.join(directory, "sim.log")
    pidfile = os.path.join(directory, "sim.pid")
    env = dict(os.environ, PYTHONPATH=TESTS)
    proc = subprocess.Popen([sys.executable, "-m", "graph_simulator", "--host", "127.0.0.1", "--port", str(port),
                             "--cert", pki["server"], "--key", pki["server-key"], "--seed", seed_path,
                             "--pidfile", pidfile, "--log", log], env=env)
    try:
        wait_tls(port, pki["ca"], proc=proc)
        yield Sim(port, pki, seed, proc, log)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def fresh(sim):
    """A simulator reset to the seed (state, faults, throttling, counters) before the test."""
    sim.reset(copy.deepcopy(sim.seed))
    yield sim


@pytest.fixture
def graph(fresh):
    return fresh.graph()
