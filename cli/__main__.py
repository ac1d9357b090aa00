"""`python -m cli` is the same as the `supportbot` command."""

import sys

from cli import main

sys.exit(main())
