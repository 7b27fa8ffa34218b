"""Excel workbooks: reading filled templates (``.xlsx``) safely and fast."""

from .reader import read_xlsx
from .safety import SafeZip

__all__ = ["SafeZip", "read_xlsx"]
