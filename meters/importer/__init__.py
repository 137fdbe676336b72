"""`dienbot import`: CSV files into the store, streamed, validated, all or nothing."""

from meters.importer.context import ImportContext
from meters.importer.errors import ImportRejected
from meters.importer.run import KINDS, import_file
from meters.importer.summary import ImportSummary

__all__ = ["KINDS", "ImportContext", "ImportRejected", "ImportSummary", "import_file"]
