"""`python -m gdlab`: the command line."""

from gdlab.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
