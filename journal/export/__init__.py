"""Exports and the journal exchange archive.

Renderers (PDF, HTML, CSV, FHIR) and the archive reader/writer work from plain
records, file paths and bytes; they never open the database themselves. The
services (`journal.services.exporting`, `journal.services.archive_import`)
fetch what is needed and call in here, so every format can be tested without a
journal and no front end reaches past the services. Heavy libraries (fpdf2,
fhir.resources, Pillow) are imported inside the functions that use them:
`journal --help` must not pay for a PDF engine.
"""
