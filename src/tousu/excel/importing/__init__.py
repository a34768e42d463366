"""`tousu import`: complaints from an xlsx 台账 (SPEC §4, §7).

Stages, each pure except the last:

1. `mapping.load_mapping` — the column mapping (header → field), the shipped
   95598 one by default; tousu's own export headers are always understood.
2. `sheets.read` — the workbook's rows as raw cells, with their row numbers.
3. `run.build` — every row validated (`rows`) and rebuilt into a Complaint through
   `lifecycle.new_complaint` and the step functions (`rebuild`), so an imported
   history obeys the same rules as one entered by hand. Returns
   `(items, problems)`; any problem means nothing may be written.
4. `matching.classify` — each row against the data folder: new, unchanged (its
   95598 工单编号 or ID is already there with the same content) or conflicting
   (there, but different: listed, never overwritten).
5. `run.import_into` — classify and write the new ones under the store lock.
"""

from tousu.excel.importing.cells import Progress, RowProblem
from tousu.excel.importing.mapping import Mapping, builtin_mapping_path, load_mapping
from tousu.excel.importing.matching import STATUS_ZH, Item, Outcome, classify, differs, natural_key
from tousu.excel.importing.run import Built, build, import_into, write
from tousu.excel.importing.sheets import Sheets, read

__all__ = ["Progress", "RowProblem", "Mapping", "builtin_mapping_path", "load_mapping", "STATUS_ZH", "Item",
           "Outcome", "classify", "differs", "natural_key", "Built", "build", "import_into", "write", "Sheets", "read"]
