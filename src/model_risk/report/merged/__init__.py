"""``model-risk merge``: many repositories' JSON reports in, one organisation report out.

inputs (which files, read and validated) -> document (the ``merged`` JSON document, the one source every
format renders from) -> text, markdown, html, cyclonedx, sqlite. The CLI only wires these together.
"""
