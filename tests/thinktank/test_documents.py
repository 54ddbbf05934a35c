import io
import logging
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter

from thinktank.demo_files import docx_bytes, law_pdf_bytes, odt_bytes, xlsx_bytes
from thinktank.documents import (
    MAX_TEXT_CHARS,
    document_type,
    extract_text,
    human_file_type,
    prepare_document,
    validate_document_file,
)
from thinktank.models import Document

TITLE = "Νόμος 4430/2016"
PARAGRAPHS = ["Κοινωνική οικονομία και αλληλέγγυα οικονομία."]
NOT_ALLOWED = "Only PDF, ODT, DOCX and XLSX documents are allowed."
DAMAGED = "This document is damaged and cannot be read."
MB = 1024 * 1024

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _upload(content, name="document.bin"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _rejection(uploaded_file):
    """The code and English messages of the error validate_document_file raises."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_document_file(uploaded_file)
        return caught.value.code, caught.value.messages


def _zip(members, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def _docx_with_body(body):
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
    return _zip({"word/document.xml": document + body + "</w:body></w:document>"})


def _odt_with_text(text_xml):
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{OFFICE_NS}"'
        f' xmlns:text="{TEXT_NS}"><office:body><office:text>{text_xml}'
        "</office:text></office:body></office:document-content>"
    )
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content})


def _png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), "seagreen").save(buffer, format="PNG")
    return buffer.getvalue()


def _encrypted_pdf(user_password):
    writer = PdfWriter(clone_from=io.BytesIO(law_pdf_bytes(TITLE, PARAGRAPHS)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Accepted files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (law_pdf_bytes(TITLE, PARAGRAPHS), "pdf"),
        (odt_bytes(TITLE, PARAGRAPHS), "odt"),
        (docx_bytes(TITLE, PARAGRAPHS), "docx"),
        (xlsx_bytes(TITLE, [["Ενοίκιο", 450]]), "xlsx"),
    ],
)
def test_document_type_reads_the_content_not_the_name(content, expected):
    uploaded_file = _upload(content, name="wrong-extension.png")
    uploaded_file.read(3)

    assert document_type(uploaded_file) == expected
    assert uploaded_file.tell() == 0
    assert validate_document_file(uploaded_file) is None
    assert uploaded_file.tell() == 0


def test_validate_document_file_accepts_a_pdf_encrypted_without_user_password():
    assert document_type(_upload(_encrypted_pdf(user_password=""))) == "pdf"


def test_validate_document_file_accepts_a_package_just_under_the_limits():
    content = _zip({"word/document.xml": "<x/>", "word/media/zeros.bin": bytes(MB - 4)})

    with override_settings(
        THINKTANK_MAX_DOCUMENT_UNPACKED_BYTES=MB, THINKTANK_MAX_DOCUMENT_PARTS=2
    ):
        assert document_type(_upload(content)) == "docx"


# Rejected files ----------------------------------------------------------------------


def test_validate_document_file_rejects_a_png_named_pdf():
    assert _rejection(_upload(_png_bytes(), name="law.pdf")) == (
        "invalid_document_type",
        [NOT_ALLOWED],
    )


def test_validate_document_file_rejects_a_text_file():
    content = "Κοινωνική οικονομία\n".encode()

    assert _rejection(_upload(content, name="law.docx")) == ("invalid_document_type", [NOT_ALLOWED])


def test_validate_document_file_rejects_an_empty_file():
    assert _rejection(_upload(b"", name="law.pdf")) == ("empty_document", ["The file is empty."])


@pytest.mark.parametrize(
    "members",
    [
        {"readme.txt": "Κοινωνική οικονομία"},
        {"word/styles.xml": "<w:styles/>", "xl/styles.xml": "<styleSheet/>"},
        # An OpenDocument spreadsheet, not a text.
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
        # The ODT mimetype without the content.
        {"mimetype": "application/vnd.oasis.opendocument.text"},
    ],
)
def test_validate_document_file_rejects_a_zip_without_the_expected_members(members):
    assert _rejection(_upload(_zip(members), name="law.docx")) == (
        "invalid_document_type",
        [NOT_ALLOWED],
    )


@override_settings(THINKTANK_MAX_DOCUMENT_BYTES=1000)
def test_validate_document_file_rejects_a_file_over_the_size_limit():
    content = b"%PDF-" + b"0" * 1995

    assert _rejection(_upload(content, name="law.pdf")) == (
        "document_too_large",
        ["The file is 2.0\xa0KB; the largest allowed is 1000\xa0bytes."],
    )


def test_validate_document_file_rejects_a_file_over_the_default_size_limit():
    content = b"%PDF-" + bytes(26 * MB - 5)

    assert _rejection(_upload(content, name="law.pdf")) == (
        "document_too_large",
        ["The file is 26.0\xa0MB; the largest allowed is 25.0\xa0MB."],
    )


def test_validate_document_file_rejects_a_zip_bomb():
    """201 MB of zeros compress to about 200 KB; the archive declares their real size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", "<w:document/>")
        with package.open("word/media/zeros.bin", "w") as member:
            for _megabyte in range(201):
                member.write(bytes(MB))
    assert len(buffer.getvalue()) < 300_000

    assert _rejection(_upload(buffer.getvalue(), name="law.docx")) == (
        "document_unpacks_too_large",
        ["The file unpacks to 201.0\xa0MB; the largest allowed is 200.0\xa0MB."],
    )


@override_settings(THINKTANK_MAX_DOCUMENT_UNPACKED_BYTES=MB)
def test_validate_document_file_rejects_a_package_over_a_lowered_unpacked_limit():
    content = _zip({"word/document.xml": "<x/>", "word/media/zeros.bin": bytes(3 * MB)})
    assert len(content) < 10_000

    assert _rejection(_upload(content)) == (
        "document_unpacks_too_large",
        ["The file unpacks to 3.0\xa0MB; the largest allowed is 1.0\xa0MB."],
    )


@override_settings(THINKTANK_MAX_DOCUMENT_PARTS=5)
def test_validate_document_file_rejects_a_package_of_too_many_parts():
    members = {f"word/part{number}.xml": "<x/>" for number in range(7)}
    members["word/document.xml"] = "<x/>"

    assert _rejection(_upload(_zip(members))) == (
        "document_too_many_parts",
        ["The file is made of 8 parts; the most allowed is 5."],
    )


def test_validate_document_file_rejects_a_pdf_with_a_password():
    assert _rejection(_upload(_encrypted_pdf(user_password="secret"), name="law.pdf")) == (
        "encrypted_document",
        [
            "This PDF is protected with a password and cannot be read; "
            "please upload it without the protection."
        ],
    )


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\nnot really a PDF",
        law_pdf_bytes(TITLE, PARAGRAPHS)[:2000],
        b"PK\x03\x04 not really a ZIP file",
        docx_bytes(TITLE, PARAGRAPHS)[:-30],
    ],
    ids=["pdf-garbage", "pdf-truncated", "zip-garbage", "zip-truncated"],
)
def test_validate_document_file_rejects_a_damaged_file(content):
    assert _rejection(_upload(content)) == ("damaged_document", [DAMAGED])


def test_validate_document_file_rejects_a_package_with_a_corrupt_member():
    content = bytearray(odt_bytes(TITLE, PARAGRAPHS))
    # The stored "mimetype" member starts right after its 30-byte local header and name.
    start = 30 + len("mimetype")
    content[start : start + 11] = b"application".upper()

    assert _rejection(_upload(bytes(content))) == ("damaged_document", [DAMAGED])


# Text extraction ---------------------------------------------------------------------


def test_extract_text_of_a_docx_keeps_paragraphs_tabs_and_skips_deleted_text():
    body = (
        "<w:p><w:r><w:t>Κοινωνική </w:t></w:r><w:r><w:t>οικονομία</w:t></w:r></w:p>"
        "<w:p/>"
        "<w:p><w:r><w:t>Άρθρο</w:t><w:tab/><w:t>1</w:t><w:br/><w:t>Σκοπός</w:t></w:r>"
        "<w:del><w:r><w:delText>σβησμένο</w:delText></w:r></w:del></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Κελί πίνακα</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )

    text = extract_text(io.BytesIO(_docx_with_body(body)), "docx")

    assert text == "Κοινωνική οικονομία\nΆρθρο\t1\nΣκοπός\nΚελί πίνακα"


def test_extract_text_of_an_odt_reads_headings_spans_and_spaces():
    text_xml = (
        '<text:h text:outline-level="1">Καταστατικό</text:h>'
        '<text:p>Κοινωνική<text:s text:c="2"/>οικονομία<text:tab/>'
        "<text:span>και</text:span><text:line-break/>αλληλεγγύη</text:p>"
        "<text:list><text:list-item><text:p>Σημείο <text:a>ένα</text:a></text:p>"
        "</text:list-item></text:list>"
    )

    text = extract_text(io.BytesIO(_odt_with_text(text_xml)), "odt")

    assert text == "Καταστατικό\nΚοινωνική  οικονομία\tκαι\nαλληλεγγύη\nΣημείο ένα"


def test_extract_text_of_an_xlsx_reads_shared_and_inline_strings():
    shared = (
        f'<sst xmlns="{SHEET_NS}"><si><t>Προϋπολογισμός</t></si>'
        "<si><r><t>Κοινωνική </t></r><r><t>οικονομία</t></r>"
        "<rPh><t>φωνητικό</t></rPh></si></sst>"
    )
    sheet = (
        f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>0</v></c><c r="B1"><v>450</v></c>'
        '<c r="C1" t="inlineStr"><is><t>Ενοίκιο γραφείου</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    sheet2 = (
        f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>Δεύτερο φύλλο</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    content = _zip(
        {
            "xl/workbook.xml": "<workbook/>",
            "xl/sharedStrings.xml": shared,
            "xl/worksheets/sheet10.xml": "<worksheet/>",
            "xl/worksheets/sheet2.xml": sheet2,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )

    text = extract_text(io.BytesIO(content), "xlsx")

    assert text == "Προϋπολογισμός\nΚοινωνική οικονομία\nΕνοίκιο γραφείου\nΔεύτερο φύλλο"


def test_extract_text_of_a_pdf_reads_every_page():
    from fpdf import FPDF

    from thinktank.demo_files import font_dir

    pdf = FPDF()
    pdf.add_font("DejaVuSans", "", font_dir() / "DejaVuSans.ttf")
    pdf.set_font("DejaVuSans", size=12)
    for text in ("Πρώτη σελίδα", "Δεύτερη σελίδα"):
        pdf.add_page()
        pdf.cell(text=text)

    assert extract_text(io.BytesIO(bytes(pdf.output())), "pdf") == "Πρώτη σελίδα\nΔεύτερη σελίδα"


def test_extract_text_of_a_pdf_encrypted_without_user_password():
    text = extract_text(io.BytesIO(_encrypted_pdf(user_password="")), "pdf")

    assert text == "Νόμος 4430/2016\nΚοινωνική οικονομία και αλληλέγγυα οικονομία."


BILLION_LAUGHS = (
    '<?xml version="1.0"?>'
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    f'<w:document xmlns:w="{W_NS}"><w:body>'
    "<w:p><w:r><w:t>Κοινωνική οικονομία &lol3;</w:t></w:r></w:p></w:body></w:document>"
)


def test_extract_text_refuses_xml_that_declares_entities(caplog):
    content = _zip({"word/document.xml": BILLION_LAUGHS})

    with caplog.at_level(logging.WARNING, logger="thinktank.documents"):
        text = extract_text(io.BytesIO(content), "docx")

    assert text == ""
    assert [record.getMessage() for record in caplog.records] == [
        "Could not read the text of a docx document: "
        "_ForbiddenDeclaration('the XML declares a document type or an entity')"
    ]


def test_extract_text_refuses_a_doctype_in_utf16_xml():
    """A byte search for "<!DOCTYPE" would miss it in UTF-16; the parser does not."""
    xml = BILLION_LAUGHS.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    content = _zip({"word/document.xml": xml.encode("utf-16")})

    assert extract_text(io.BytesIO(content), "docx") == ""


def test_extract_text_refuses_a_doctype_without_entities():
    body = f'<!DOCTYPE w:document><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r>'
    content = _zip(
        {"word/document.xml": body + "<w:t>κείμενο</w:t></w:r></w:p></w:body></w:document>"}
    )

    assert extract_text(io.BytesIO(content), "docx") == ""


@pytest.mark.parametrize(
    ("content", "file_type"),
    [
        (b"%PDF-1.7\nnot really a PDF", "pdf"),
        (b"PK\x03\x04 not really a ZIP file", "docx"),
        (_zip({"content.xml": "<office:document-content"}), "odt"),
        (_zip({"xl/workbook.xml": "<workbook/>", "xl/sharedStrings.xml": "<sst><si>"}), "xlsx"),
        (_zip({"word/other.xml": "<x/>"}), "docx"),
        (b"anything", "exe"),
    ],
    ids=["pdf", "zip", "odt-unclosed-tag", "xlsx-unclosed", "docx-missing-body", "unknown-type"],
)
def test_extract_text_of_damaged_content_is_empty_and_logged(content, file_type, caplog):
    stream = io.BytesIO(content)

    with caplog.at_level(logging.WARNING, logger="thinktank.documents"):
        text = extract_text(stream, file_type)

    assert text == ""
    assert [
        record.levelname for record in caplog.records if record.name == "thinktank.documents"
    ] == ["WARNING"]
    assert stream.tell() == 0


def test_extract_text_is_capped():
    paragraph = "<w:p><w:r><w:t>" + "α" * 99 + "</w:t></w:r></w:p>"
    content = _docx_with_body(paragraph * 3000)

    text = extract_text(io.BytesIO(content), "docx")

    assert len(text) == MAX_TEXT_CHARS == 200_000
    assert text == ("α" * 99 + "\n") * 2000


# Preparing a document ----------------------------------------------------------------


def test_prepare_document_sets_type_size_text_and_a_safe_name():
    content = law_pdf_bytes(TITLE, PARAGRAPHS)
    uploaded_file = _upload(content, name="C:\\Έγγραφα\\Νόμος 4430.2016 τελικό.docx")
    document = Document(title="Νόμος 4430/2016")

    prepare_document(document, uploaded_file)

    assert document.file_type == "pdf"
    assert document.file_size == len(content)
    assert document.extracted_text == (
        "Νόμος 4430/2016\nΚοινωνική οικονομία και αλληλέγγυα οικονομία."
    )
    assert document.file.name == "nomos-4430-2016-teliko.pdf"
    assert document.file.file is uploaded_file
    assert uploaded_file.tell() == 0


def test_prepare_document_names_a_file_without_a_usable_name():
    document = Document()

    prepare_document(document, _upload(odt_bytes(TITLE, PARAGRAPHS), name="«»"))

    assert document.file.name == "document.odt"


def test_prepare_document_rereads_the_current_unsaved_file():
    content = docx_bytes(TITLE, PARAGRAPHS)
    document = Document(file=ContentFile(content, name="law.docx"))

    prepare_document(document)

    assert (document.file_type, document.file_size) == ("docx", len(content))
    assert document.extracted_text == TITLE + "\n" + PARAGRAPHS[0]
    assert document.file.closed is False
    assert document.file.tell() == 0


def test_prepare_document_rereads_the_stored_file_and_closes_it():
    content = xlsx_bytes(TITLE, [["Ενοίκιο", 450]])
    name = default_storage.save("library/2024/01/budget.xlsx", ContentFile(content))
    document = Document(file=name)

    prepare_document(document)

    assert (document.file_type, document.file_size) == ("xlsx", len(content))
    assert document.extracted_text == TITLE + "\nΕνοίκιο"
    assert document.file.closed is True


def test_prepare_document_leaves_the_document_unchanged_when_the_upload_is_refused():
    document = Document(file_type="pdf", file_size=10, extracted_text="παλιό", file="old.pdf")

    with pytest.raises(ValidationError):
        prepare_document(document, _upload(_png_bytes(), name="new.pdf"))

    assert (document.file.name, document.file_type, document.file_size) == ("old.pdf", "pdf", 10)
    assert document.extracted_text == "παλιό"


@pytest.mark.parametrize(
    ("file_type", "label"),
    [("pdf", "PDF"), ("odt", "ODT"), ("docx", "DOCX"), ("xlsx", "XLSX"), ("", "")],
)
def test_human_file_type(file_type, label):
    assert human_file_type(file_type) == label
