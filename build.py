"""Thin entry: `python build.py [TARGET...]` is `coursekit build [TARGET...]`."""

import sys

from coursekit.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]])
