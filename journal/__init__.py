"""microneedling-journal: a terminal photo journal for collagen induction therapy."""

__version__ = "0.1.0"
