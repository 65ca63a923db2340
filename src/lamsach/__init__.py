"""lamsach — create, enrich and clean a province's key databases against the population register.

The package is organised by pipeline stage (ingest, standardise, validate, link, measure, report)
over one domain model (`lamsach.domain`). Importing it loads only the core dependencies.
"""

__version__ = "0.1.0"
