"""``python -m nqpf``: the same as the ``nqpf`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
