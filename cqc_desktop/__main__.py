"""``python -m cqc_desktop``: the same as the ``cqc-desktop`` command."""

import sys

from .cli.main import main

sys.exit(main())
