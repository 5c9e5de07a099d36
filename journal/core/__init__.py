"""The pure domain: vocabulary, records, value rules, scoring and planning.

Nothing here touches a database, a terminal or the file system, so every rule
can be unit-tested (and property-tested) in microseconds.
"""
