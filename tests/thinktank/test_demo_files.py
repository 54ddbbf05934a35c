import io
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from thinktank.demo_files import docx_bytes, font_dir, law_pdf_bytes, odt_bytes, xlsx_bytes
from thinktank.documents import document_type, extract_text

TITLE = "Νόμος 4430/2016: Κοινωνική και Αλληλέγγυα Οικονομία"
PARAGRAPHS = [
    "Άρθρο 1. Η κοινωνική οικονομία είναι το σύνολο των οικονομικών δραστηριοτήτων "
    "που βασίζονται σε εναλλακτική μορφή οργάνωσης των σχέσεων παραγωγής, διανομής, "
    "κατανάλωσης και επανεπένδυσης.",
    "Άρθρο 2. Φορείς: Κοινωνικές Συνεταιριστικές Επιχειρήσεις (Κοιν.Σ.Επ.) & «Συνεταιρισμοί "
    'Εργαζομένων» <με> "εισαγωγικά".',
]


def _words(text):
    return " ".join(text.split())


def _checked_type(content):
    return document_type(SimpleUploadedFile("demo.bin", content))


def test_font_dir_is_inside_the_project_with_its_licence():
    assert font_dir() == Path(settings.BASE_DIR) / "static" / "fonts"
    assert sorted(path.name for path in font_dir().iterdir()) == [
        "DejaVuSans-Bold.ttf",
        "DejaVuSans.ttf",
        "LICENSE",
    ]
    licence = (font_dir() / "LICENSE").read_text()
    assert "https://dejavu-fonts.github.io/License.html" in licence
    assert "Bitstream Vera Fonts Copyright" in licence
    assert "DejaVu changes are in public domain." in licence


def test_law_pdf_bytes_round_trips_its_greek_text():
    content = law_pdf_bytes(TITLE, PARAGRAPHS)

    text = extract_text(io.BytesIO(content), "pdf")

    assert _checked_type(content) == "pdf"
    assert "κοινωνική οικονομία" in text
    # Long paragraphs are wrapped on the page; the words come back in order.
    assert _words(text) == _words(" ".join([TITLE, *PARAGRAPHS]))


def test_law_pdf_bytes_embeds_a_subset_of_dejavu_and_stays_small():
    content = law_pdf_bytes(TITLE, PARAGRAPHS)
    reader = PdfReader(io.BytesIO(content))

    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    font_files = [
        font["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontFile2"].get_object()
        for font in fonts
    ]

    assert len(reader.pages) == 1
    assert reader.metadata.title == TITLE
    # A subset's name carries a six-letter tag: ABCDEF+DejaVuSansBook.
    assert sorted(re.sub(r"^/[A-Z]{6}\+", "", font["/BaseFont"]) for font in fonts) == [
        "DejaVuSansBold",
        "DejaVuSansBook",
    ]
    assert all(len(font_file.get_data()) < 40_000 for font_file in font_files)
    assert (font_dir() / "DejaVuSans.ttf").stat().st_size > 700_000
    assert len(content) < 40_000


def test_law_pdf_bytes_fills_several_pages():
    paragraphs = [f"Άρθρο {number}. Η κοινωνική οικονομία. " * 8 for number in range(1, 41)]

    content = law_pdf_bytes(TITLE, paragraphs)

    assert len(PdfReader(io.BytesIO(content)).pages) > 1
    assert _words(extract_text(io.BytesIO(content), "pdf")) == _words(
        " ".join([TITLE, *paragraphs])
    )


def test_docx_bytes_round_trips_exactly():
    content = docx_bytes(TITLE, PARAGRAPHS)

    assert _checked_type(content) == "docx"
    assert extract_text(io.BytesIO(content), "docx") == "\n".join([TITLE, *PARAGRAPHS])


def test_docx_bytes_is_a_minimal_word_package():
    with zipfile.ZipFile(io.BytesIO(docx_bytes(TITLE, PARAGRAPHS))) as package:
        assert package.namelist() == ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        assert package.testzip() is None
        assert b'Target="word/document.xml"' in package.read("_rels/.rels")


def test_odt_bytes_round_trips_exactly():
    content = odt_bytes(TITLE, PARAGRAPHS)

    assert _checked_type(content) == "odt"
    assert extract_text(io.BytesIO(content), "odt") == "\n".join([TITLE, *PARAGRAPHS])


def test_odt_bytes_starts_with_the_uncompressed_mimetype():
    content = odt_bytes(TITLE, PARAGRAPHS)

    with zipfile.ZipFile(io.BytesIO(content)) as package:
        first = package.infolist()[0]
        assert package.namelist() == ["mimetype", "META-INF/manifest.xml", "content.xml"]
        assert (first.filename, first.compress_type, first.extra) == (
            "mimetype",
            zipfile.ZIP_STORED,
            b"",
        )
        assert package.testzip() is None
    # Readers identify an ODT by this text at a fixed offset of the file.
    assert content[30:38] == b"mimetype"
    assert content[38:77] == b"application/vnd.oasis.opendocument.text"


def test_xlsx_bytes_round_trips_its_strings():
    rows = [["Είδος", "Ποσό"], ["Ενοίκιο", 450], ["Ενοίκιο", 12.5], ["Σύνολο", 462.5]]
    content = xlsx_bytes(TITLE, rows)

    assert _checked_type(content) == "xlsx"
    # Each distinct text is stored once, as a shared string; numbers are not text.
    assert extract_text(io.BytesIO(content), "xlsx") == "\n".join(
        [TITLE, "Είδος", "Ποσό", "Ενοίκιο", "Σύνολο"]
    )
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
        workbook = package.read("xl/workbook.xml").decode()
    assert '<c r="B3"><v>450</v></c>' in sheet
    assert '<c r="A3" t="s"><v>3</v></c><c r="B3">' in sheet
    assert '<sheet name="Νόμος 4430 2016  Κοινωνική και"' in workbook


def test_demo_files_are_the_same_for_the_same_text():
    assert law_pdf_bytes(TITLE, PARAGRAPHS) == law_pdf_bytes(TITLE, PARAGRAPHS)
    assert docx_bytes(TITLE, PARAGRAPHS) == docx_bytes(TITLE, PARAGRAPHS)
    assert odt_bytes(TITLE, PARAGRAPHS) == odt_bytes(TITLE, PARAGRAPHS)
    assert xlsx_bytes(TITLE, [["α", 1]]) == xlsx_bytes(TITLE, [["α", 1]])
