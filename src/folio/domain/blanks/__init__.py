"""Blank documents that new files are created from."""

from __future__ import annotations

from importlib import resources

from folio.domain.kinds import extension_of

__all__ = ["blank_content"]


def _blank_pdf() -> bytes:
    """Build a valid one-page, empty A4 PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def blank_content(title: str) -> bytes:
    """Return the content of a new blank document for a title's extension.

    Extensions without a template of their own (".docxf", ".oform") start from the
    blank text document, as their editors expect.
    """
    extension = extension_of(title)
    if extension == ".pdf":
        return _blank_pdf()
    name = {".xlsx": "blank.xlsx", ".pptx": "blank.pptx"}.get(extension, "blank.docx")
    return resources.files(__package__).joinpath(name).read_bytes()
