"""`python -m journal` behaves exactly like the `journal` console script."""

from journal.entry import main

if __name__ == "__main__":
    main()
