"""``python -m acgan_lib``: see acgan_lib.cli."""

import sys

from .cli import main

sys.exit(main())
