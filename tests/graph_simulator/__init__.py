"""A stateful Microsoft Graph / Entra ID tenant simulator for tests and the lab.

Run ``python -m graph_simulator --help`` (with tests/ on PYTHONPATH); see docs/development/simulator.md.
"""

__version__ = "1.0.0"
