"""Stand-in for pip's get-pip.py bootstrap script, for ansible-test on machines that reach PyPI
but not ci-files.testing.ansible.com.

ansible-test runs the script as `python get_pip_X_Y.py [pip options] pip==X.Y ...` inside an empty
virtualenv. get-pip.py does the same with a pip it carries; this one uses a pip wheel that Python
itself has to run that same `pip install`, so the requested versions come from PyPI. The wheel is
ensurepip's own (python.org builds, pyenv) or, on Debian and Ubuntu, whose python3 has no ensurepip
`_bundled` wheels, the one python3-pip-whl installs in /usr/share/python-wheels.
"""
import glob
import os
import sys

import ensurepip

PLACES = [
    os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"),
    "/usr/share/python-wheels",  # Debian / Ubuntu: python3-pip-whl
]
wheels = [w for place in PLACES for w in sorted(glob.glob(os.path.join(place, "pip-*.whl")))]
if not wheels:
    sys.exit("no pip wheel found in %s (on Debian: apt-get install python3-pip-whl)" % " or ".join(PLACES))
sys.path.insert(0, wheels[-1])

from pip._internal.cli.main import main  # noqa: E402  (importable only after the wheel is on the path)

# get-pip's own switches (not pip's): without them get-pip would add setuptools and wheel.
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--no-cache-dir"] + args))
