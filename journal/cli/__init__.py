"""The `journal` command line: thin Typer commands over `journal.services`."""
