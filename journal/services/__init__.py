"""Use cases: the only API the CLI, the TUI and exports call.

Each service takes an open `Journal`, validates user values with
`journal.core.values`, does its work inside one transaction and returns plain
`journal.core.records` objects, never ORM rows.
"""
