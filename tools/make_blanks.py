"""Regenerate the blank office documents that new files are created from.

Run from the repository root with the test extras installed:

    python tools/make_blanks.py
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pptx

BLANKS = Path(__file__).resolve().parent.parent / "src" / "folio" / "domain" / "blanks"


def main() -> None:
    docx.Document().save(str(BLANKS / "blank.docx"))
    openpyxl.Workbook().save(str(BLANKS / "blank.xlsx"))
    pptx.Presentation().save(str(BLANKS / "blank.pptx"))


if __name__ == "__main__":
    main()
