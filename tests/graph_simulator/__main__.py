"""Entry point: python -m graph_simulator --help."""
import sys

from .cli import main

sys.exit(main())
