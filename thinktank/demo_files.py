"""Real documents for the demo library, generated when the demo data is loaded.

``law_pdf_bytes`` writes a PDF with fpdf2 in DejaVu Sans, a free font with Greek
glyphs kept in ``static/fonts/`` (see the LICENSE file there); fpdf2 embeds only the
glyphs used, so the files stay small. ``docx_bytes``, ``odt_bytes`` and ``xlsx_bytes``
assemble minimal, valid Office Open XML and OpenDocument packages with zipfile.
Every function returns the same bytes for the same text.
"""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_FAMILY = "DejaVuSans"
_FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def font_dir() -> Path:
    """The folder of the fonts shipped with the project."""
    return Path(settings.BASE_DIR) / "static" / "fonts"


# PDF ---------------------------------------------------------------------------------


def law_pdf_bytes(title, paragraphs) -> bytes:
    """An A4 PDF with the title in bold and each paragraph below it."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_title(title)
    pdf.set_creator("Συνεργατική Κοινωνία")
    pdf.add_font(FONT_FAMILY, "", font_dir() / "DejaVuSans.ttf")
    pdf.add_font(FONT_FAMILY, "B", font_dir() / "DejaVuSans-Bold.ttf")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 15)
    pdf.multi_cell(0, 8, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, "", 11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    return bytes(pdf.output())


# ZIP packages ------------------------------------------------------------------------


def _package(members, *, stored_first=None):
    """A ZIP file of (name, text) members with fixed dates; ``stored_first`` is written
    first and uncompressed, as OpenDocument requires of its ``mimetype``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        if stored_first is not None:
            name, text = stored_first
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            package.writestr(info, text.encode("ascii"))
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _xml(text):
    return escape(str(text))


# DOCX --------------------------------------------------------------------------------

_DOCX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

_DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="word/document.xml"/>
</Relationships>"""

_DOCX_DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body>
{paragraphs}
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>
</w:body>
</w:document>"""


def _docx_paragraph(text, *, bold=False):
    properties = '<w:rPr><w:b/><w:sz w:val="32"/></w:rPr>' if bold else ""
    return f'<w:p><w:r>{properties}<w:t xml:space="preserve">{_xml(text)}</w:t></w:r></w:p>'


def docx_bytes(title, paragraphs) -> bytes:
    """A Word (DOCX) document: the title in large bold type, then the paragraphs."""
    body = [_docx_paragraph(title, bold=True)]
    body += [_docx_paragraph(paragraph) for paragraph in paragraphs]
    return _package(
        [
            ("[Content_Types].xml", _DOCX_CONTENT_TYPES),
            ("_rels/.rels", _DOCX_RELS),
            ("word/document.xml", _DOCX_DOCUMENT.format(paragraphs="\n".join(body))),
        ]
    )


# ODT ---------------------------------------------------------------------------------

_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"

_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:version="1.2" \
manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""

_ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body>
<office:text>
{paragraphs}
</office:text>
</office:body>
</office:document-content>"""


def odt_bytes(title, paragraphs) -> bytes:
    """An OpenDocument text (ODT): the title as a heading, then the paragraphs."""
    body = [f'<text:h text:outline-level="1">{_xml(title)}</text:h>']
    body += [f"<text:p>{_xml(paragraph)}</text:p>" for paragraph in paragraphs]
    return _package(
        [
            ("META-INF/manifest.xml", _ODT_MANIFEST),
            ("content.xml", _ODT_CONTENT.format(paragraphs="\n".join(body))),
        ],
        stored_first=("mimetype", _ODT_MIMETYPE),
    )


# XLSX --------------------------------------------------------------------------------

_XLSX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""

_XLSX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/>
</Relationships>"""

_XLSX_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""

_XLSX_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" \
Target="sharedStrings.xml"/>
</Relationships>"""

_XLSX_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>
{rows}
</sheetData>
</worksheet>"""

_XLSX_SHARED_STRINGS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
count="{count}" uniqueCount="{count}">
{items}
</sst>"""

_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _column(index):
    """Spreadsheet column letters of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def xlsx_bytes(title, rows) -> bytes:
    """An Excel (XLSX) workbook of one sheet: the title in A1, then ``rows`` (lists of
    texts and numbers) from the second row on. Texts are kept as shared strings."""
    strings = []
    positions = {}

    def string_cell(reference, text):
        if text not in positions:
            positions[text] = len(strings)
            strings.append(text)
        return f'<c r="{reference}" t="s"><v>{positions[text]}</v></c>'

    sheet_rows = []
    for row_number, values in enumerate([[title], *rows], start=1):
        cells = []
        for column, value in enumerate(values):
            reference = f"{_column(column)}{row_number}"
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{reference}"><v>{value}</v></c>')
            else:
                cells.append(string_cell(reference, str(value)))
        sheet_rows.append(f'<row r="{row_number}">{"".join(cells)}</row>')
    items = "\n".join(f'<si><t xml:space="preserve">{_xml(text)}</t></si>' for text in strings)
    sheet_name = str(title).translate(_SHEET_NAME_FORBIDDEN)[:31].strip() or "1"
    return _package(
        [
            ("[Content_Types].xml", _XLSX_CONTENT_TYPES),
            ("_rels/.rels", _XLSX_RELS),
            ("xl/workbook.xml", _XLSX_WORKBOOK.format(name=escape(sheet_name, {'"': "&quot;"}))),
            ("xl/_rels/workbook.xml.rels", _XLSX_WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", _XLSX_SHEET.format(rows="\n".join(sheet_rows))),
            (
                "xl/sharedStrings.xml",
                _XLSX_SHARED_STRINGS.format(count=len(strings), items=items),
            ),
        ]
    )
