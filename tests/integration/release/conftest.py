"""The release tools (requirements-release.txt) live in .build/release-venv; tests/release/tools.sh makes it."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="session")
def release_bin():
    subprocess.run(["bash", os.path.join(ROOT, "tests", "release", "tools.sh")], check=True)
    return os.path.join(ROOT, ".build", "release-venv", "bin")
