"""Pillow image work, free of the database: validate, orient, strip, resize.

`pipeline` turns one file into a display copy and a thumbnail, `batch` runs a
per-file job over every core, `synthetic` paints realistic test photos for the
demo and the tests. Pillow itself is imported inside the functions, so
importing this package costs nothing until a photo is processed.
"""

#: The version of the stored photo readings and comparisons (journal.imaging.evidence):
#: here, free of OpenCV, so the score can tell a current stored comparison from an
#: outdated one without importing it.
ANALYSIS_VERSION = 1
