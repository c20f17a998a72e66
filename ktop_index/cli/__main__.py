"""``python -m ktop_index.cli``: the ``ktop`` command."""

import sys

from ktop_index.cli.app import main

sys.exit(main())
