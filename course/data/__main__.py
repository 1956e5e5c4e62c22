"""``python -m course.data``: see :mod:`course.data.cli`."""

import sys

from .cli import main

sys.exit(main())
