"""`python -m journal` behaves exactly like the `journal` console script."""

from journal.cli.main import run

if __name__ == "__main__":
    run()
