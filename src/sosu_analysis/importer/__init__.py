"""Import the school's own export (Z-udskrift): pseudonymize on the spot, leak nothing.

See :mod:`.core` for the steps, :mod:`.mapping` for the YAML mapping,
:mod:`.pseudonym` for the keyed pseudonyms and :mod:`.provenance` for what
the report may say about an imported extract.
"""

from .core import ImportResult, convert, import_export, parse_export_date
from .mapping import Mapping, load_mapping
from .pseudonym import new_key, normalise_cpr, pseudonym, read_key

__all__ = ["ImportResult", "Mapping", "convert", "import_export", "load_mapping", "new_key", "normalise_cpr",
           "parse_export_date", "pseudonym", "read_key"]
