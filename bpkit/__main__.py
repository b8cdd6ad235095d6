"""``python -m bpkit``: the same as the ``bpkit`` command."""
import sys

from .course.cli import main

sys.exit(main())
