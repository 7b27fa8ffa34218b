"""Excel workbooks: reading filled templates (``.xlsx``) safely and fast."""

from unionforms.excel.reader import read_xlsx
from unionforms.excel.safety import SafeZip

__all__ = ["SafeZip", "read_xlsx"]
