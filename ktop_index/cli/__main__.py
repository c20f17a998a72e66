import sys

from ktop_index.cli.main import main

sys.exit(main())
