"""Publishing organisers' spreadsheets, shared by `diklat publish` and the upload page: reading
CSV/XLSX (`sheets`), the precheck and plan (`templates`), the messages (`messages`), sending and
following the feedback (`send`), a close's results (`results`). The example files people fill
in are in `contoh/` (also `templates/` at the repository's root)."""
