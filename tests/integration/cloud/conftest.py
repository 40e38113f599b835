"""Fixtures of the cloud integration tests: the lab's tenant simulator, reset per test module."""
import os
import sys

import pytest

from cloud_helpers import Sim, cloud_env

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


@pytest.fixture(scope="session")
def cloud_lab(lab):
    """The lab's cloud variables (the shared `lab` fixture starts the lab and honours
    LAB_PRIVATE_SIMULATOR_URL for a private simulator)."""
    env = cloud_env(lab)
    sim = Sim(env)
    sim.http.get(sim.admin + "/health", timeout=10).raise_for_status()
    return env


@pytest.fixture(scope="module")
def sim(cloud_lab):
    """The simulator, reset to the lab seed at the start of each test module."""
    s = Sim(cloud_lab)
    s.reset()
    return s
