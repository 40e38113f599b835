"""Stand-in for pip's get-pip.py bootstrap script, for ansible-test on machines that reach PyPI
but not ci-files.testing.ansible.com.

ansible-test runs the script as `python get_pip_X_Y.py [pip options] pip==X.Y ...` inside an empty
virtualenv. get-pip.py does the same with a pip it carries; this one uses the pip wheel Python
itself ships (ensurepip) to run that same `pip install`, so the requested versions come from PyPI.
"""
import glob
import os
import sys

import ensurepip

bundled = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
if not bundled:
    sys.exit("no bundled pip wheel in ensurepip")
sys.path.insert(0, bundled[0])

from pip._internal.cli.main import main  # noqa: E402  (importable only after the wheel is on the path)

# get-pip's own switches (not pip's): without them get-pip would add setuptools and wheel.
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--no-cache-dir"] + args))
