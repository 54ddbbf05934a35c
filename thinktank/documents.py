"""Checking uploaded library documents and reading the text inside them.

``validate_document_file`` accepts only PDF, ODT, DOCX and XLSX files of a sensible
size, judged by their content (the PDF signature, the members of the ZIP package),
never by their name or content type. ZIP packages that would unpack to too much data
("zip bombs") and PDFs that cannot be opened without a password are refused.

``extract_text`` reads the plain text of an accepted file for the search index. It
never raises on damaged content: it logs a warning and returns an empty string. XML
is parsed with the standard library's expat, refusing any document type declaration,
so that no entity can be declared, let alone expanded ("billion laughs").

``prepare_document`` fills in a ``Document``'s file type, size and text before the
create or edit service saves it.
"""

import logging
import os
import re
import zipfile
import zlib
from contextlib import contextmanager
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from pypdf import PasswordType, PdfReader

from shop.text import slugify_greek

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PARTS = 5000
MAX_TEXT_CHARS = 200_000

PDF = "pdf"
ODT = "odt"
DOCX = "docx"
XLSX = "xlsx"
_LABELS = {PDF: "PDF", ODT: "ODT", DOCX: "DOCX", XLSX: "XLSX"}

_PDF_SIGNATURE = b"%PDF-"
_ZIP_SIGNATURE = b"PK\x03\x04"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ODT_CONTENT = "content.xml"
_ODT_TEXT_NAMESPACE = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODT_SPACE_COUNT = _ODT_TEXT_NAMESPACE + "}c"  # expat's name of the text:c attribute
_DOCX_BODY = "word/document.xml"
_XLSX_WORKBOOK = "xl/workbook.xml"
_XLSX_SHARED_STRINGS = "xl/sharedStrings.xml"
_XLSX_SHEET = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")

_CHUNK = 64 * 1024
_MAX_NAME_LENGTH = 80

_NOT_ALLOWED = _("Only PDF, ODT, DOCX and XLSX documents are allowed.")
_DAMAGED = _("This document is damaged and cannot be read.")


# Checking an upload ------------------------------------------------------------------


def validate_document_file(uploaded_file) -> None:
    """Raise ValidationError unless the upload is an allowed, intact, sensibly sized
    document. The file is rewound."""
    document_type(uploaded_file)


def document_type(uploaded_file) -> str:
    """The type of the upload read from its content: "pdf", "odt", "docx" or "xlsx".

    Runs every check of ``validate_document_file`` and raises ValidationError when one
    fails. The file is rewound.
    """
    _check_byte_size(uploaded_file.size)
    try:
        uploaded_file.seek(0)
        signature = uploaded_file.read(len(_PDF_SIGNATURE))
        if signature.startswith(_PDF_SIGNATURE):
            _check_pdf(uploaded_file)
            return PDF
        if signature.startswith(_ZIP_SIGNATURE):
            return _zip_document_type(uploaded_file)
        raise ValidationError(_NOT_ALLOWED, code="invalid_document_type")
    finally:
        uploaded_file.seek(0)


def human_file_type(file_type) -> str:
    """The label shown to people for a stored file type: "pdf" → "PDF"."""
    return _LABELS.get(file_type, (file_type or "").upper())


def _check_byte_size(size):
    if not size:
        raise ValidationError(_("The file is empty."), code="empty_document")
    limit = getattr(settings, "THINKTANK_MAX_DOCUMENT_BYTES", DEFAULT_MAX_BYTES)
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="document_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


def _check_pdf(uploaded_file):
    """The PDF opens and its pages can be counted, with no password or an empty one."""
    uploaded_file.seek(0)
    try:
        reader = PdfReader(uploaded_file)
        locked = reader.is_encrypted and not _unlock(reader)
        if not locked:
            len(reader.pages)
    # pypdf reports malformed files with many exception types (PdfReadError,
    # ValueError, KeyError, struct errors...): all of them mean a damaged file.
    except Exception as error:
        raise ValidationError(_DAMAGED, code="damaged_document") from error
    if locked:
        raise ValidationError(
            _(
                "This PDF is protected with a password and cannot be read; "
                "please upload it without the protection."
            ),
            code="encrypted_document",
        )


def _unlock(reader):
    """Open an encrypted PDF with the empty password; whether that worked."""
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    # A cipher pypdf cannot handle without optional libraries raises here.
    except Exception:
        return False


def _zip_document_type(uploaded_file):
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as package:
            _check_unpacked_size(package)
            names = set(package.namelist())
            if _is_odt(package, names):
                return ODT
            if _DOCX_BODY in names:
                return DOCX
            if _XLSX_WORKBOOK in names:
                return XLSX
    # A broken archive, a corrupt or encrypted member, or an unknown compression method.
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, ValueError) as error:
        raise ValidationError(_DAMAGED, code="damaged_document") from error
    raise ValidationError(_NOT_ALLOWED, code="invalid_document_type")


def _is_odt(package, names):
    """An OpenDocument text: its "mimetype" member says so, and it has a content."""
    if "mimetype" not in names or _ODT_CONTENT not in names:
        return False
    return _read_member(package, "mimetype", len(_ODT_MIMETYPE) + 1) == _ODT_MIMETYPE


def _check_unpacked_size(package):
    """Refuse packages with too many members or too much data once unpacked.

    The sizes are those the archive declares; reading a member never yields more than
    its declared size (zipfile stops there and checks the CRC).
    """
    members = package.infolist()
    most = getattr(settings, "THINKTANK_MAX_DOCUMENT_PARTS", DEFAULT_MAX_PARTS)
    if len(members) > most:
        raise ValidationError(
            _("The file is made of %(count)s parts; the most allowed is %(limit)s."),
            code="document_too_many_parts",
            params={"count": _number(len(members)), "limit": _number(most)},
        )
    unpacked = sum(member.file_size for member in members)
    limit = _max_unpacked_bytes()
    if unpacked > limit:
        raise ValidationError(
            _("The file unpacks to %(size)s; the largest allowed is %(limit)s."),
            code="document_unpacks_too_large",
            params={"size": filesizeformat(unpacked), "limit": filesizeformat(limit)},
        )


def _max_unpacked_bytes():
    return getattr(settings, "THINKTANK_MAX_DOCUMENT_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


def _read_member(package, name, limit):
    with package.open(name) as member:
        return member.read(limit)


def _number(value):
    return number_format(value, force_grouping=True)


# Preparing a document before it is saved -------------------------------------------


def prepare_document(document, uploaded_file=None) -> None:
    """Set ``file_type``, ``file_size`` and ``extracted_text`` of ``document``.

    With ``uploaded_file``, the upload becomes the document's file, renamed to a Latin
    slug of its name with the extension of its real type; without it, the document's
    current file is read again. Raises ValidationError if the file is not an allowed
    document. Nothing is saved.
    """
    if uploaded_file is not None:
        file_type = document_type(uploaded_file)
        uploaded_file.name = _safe_name(uploaded_file.name, file_type)
        document.file = uploaded_file
        _describe(document, uploaded_file, file_type)
        return
    with _opened(document.file) as stored_file:
        _describe(document, stored_file, document_type(stored_file))


def _describe(document, file_obj, file_type):
    document.file_type = file_type
    document.file_size = file_obj.size
    try:
        document.extracted_text = extract_text(file_obj, file_type)
    finally:
        file_obj.seek(0)


@contextmanager
def _opened(field_file):
    """The field's file opened for reading; closed afterwards only if it was closed."""
    was_closed = field_file.closed
    field_file.open("rb")
    try:
        yield field_file
    finally:
        if was_closed:
            field_file.close()
        else:
            field_file.seek(0)


def _safe_name(client_name, file_type):
    """A Latin slug of the client's base name, with the extension of the real type."""
    base_name = os.path.basename((client_name or "").replace("\\", "/"))
    stem, dot, _extension = base_name.rpartition(".")
    stem = (stem if dot else base_name).replace(".", " ")
    slug = slugify_greek(stem)[:_MAX_NAME_LENGTH].strip("-_") or "document"
    return f"{slug}.{file_type}"


# Reading the text --------------------------------------------------------------------


def extract_text(file_obj, file_type) -> str:
    """The plain text inside a document, at most ``MAX_TEXT_CHARS`` characters.

    Paragraphs (and spreadsheet strings) become lines. Damaged or unreadable content
    gives an empty string and a logged warning, never an exception.
    """
    reader = _READERS.get(file_type)
    if reader is None:
        logger.warning("No text reader for documents of type %r.", file_type)
        return ""
    try:
        file_obj.seek(0)
        lines = reader(file_obj)
    # Damaged files surface as many exception types from pypdf, zipfile and expat.
    except Exception as error:
        logger.warning("Could not read the text of a %s document: %r", file_type, error)
        return ""
    finally:
        file_obj.seek(0)
    # PostgreSQL text cannot hold NUL characters, which some PDFs produce.
    return "\n".join(lines).replace("\x00", "")[:MAX_TEXT_CHARS]


def _pdf_lines(file_obj):
    reader = PdfReader(file_obj)
    if reader.is_encrypted and not _unlock(reader):
        raise ValueError("the PDF is protected with a password")
    lines = []
    length = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        lines.append(text)
        length += len(text) + 1
        if length > MAX_TEXT_CHARS:
            break
    return lines


def _odt_lines(file_obj):
    collector = _TextCollector(
        namespaces={_ODT_TEXT_NAMESPACE},
        blocks={"p", "h"},
        inserts={
            "s": lambda attrs: " " * _count(attrs.get(_ODT_SPACE_COUNT)),
            "tab": lambda attrs: "\t",
            "line-break": lambda attrs: "\n",
        },
    )
    with zipfile.ZipFile(file_obj) as package:
        _collect(package, _ODT_CONTENT, collector)
    return collector.lines


def _count(value):
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _docx_lines(file_obj):
    collector = _TextCollector(
        namespaces={
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            "http://purl.oclc.org/ooxml/wordprocessingml/main",
        },
        blocks={"p"},
        text_in={"t"},
        inserts={"tab": lambda attrs: "\t", "br": lambda attrs: "\n", "cr": lambda attrs: "\n"},
    )
    with zipfile.ZipFile(file_obj) as package:
        _collect(package, _DOCX_BODY, collector)
    return collector.lines


def _xlsx_lines(file_obj):
    namespaces = {
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",
    }
    # Shared strings are <si> items; inline strings are <is> items inside sheet cells.
    # Their text is in <t> elements, except the phonetic hints kept in <rPh>.
    collector = _TextCollector(
        namespaces=namespaces, blocks={"si", "is"}, text_in={"t"}, skip={"rPh"}
    )
    with zipfile.ZipFile(file_obj) as package:
        names = package.namelist()
        if _XLSX_SHARED_STRINGS in names:
            _collect(package, _XLSX_SHARED_STRINGS, collector)
        sheets = sorted(
            (int(match[1]), name) for name in names if (match := _XLSX_SHEET.match(name))
        )
        for _index, name in sheets:
            if collector.full:
                break
            _collect(package, name, collector)
    return collector.lines


_READERS = {PDF: _pdf_lines, ODT: _odt_lines, DOCX: _docx_lines, XLSX: _xlsx_lines}


class _ForbiddenDeclaration(ValueError):
    """The XML declares a document type or entities, which no document needs."""


def _forbid(*args):
    raise _ForbiddenDeclaration("the XML declares a document type or an entity")


def _collect(package, name, collector):
    """Stream one XML member through expat into the collector.

    A DOCTYPE or ENTITY declaration stops the parsing with an error before any entity
    is declared; reading stops as soon as the collector holds enough text, and never
    goes past the allowed unpacked size.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.data
    budget = _max_unpacked_bytes()
    with package.open(name) as member:
        while not collector.full and budget > 0:
            chunk = member.read(min(_CHUNK, budget))
            if not chunk:
                parser.Parse(b"", True)
                break
            budget -= len(chunk)
            parser.Parse(chunk, False)
    collector.finish()


class _TextCollector:
    """Gathers the text of "block" elements (paragraphs, strings) as lines.

    ``text_in`` limits the text to those elements inside a block (Word's <w:t>); without
    it every character inside a block counts. ``inserts`` give the text of empty
    elements (tabs, spaces, line breaks); nothing inside ``skip`` elements counts.
    Element names are matched in the given namespaces only.
    """

    def __init__(self, *, namespaces, blocks, text_in=None, inserts=None, skip=()):
        self.namespaces = namespaces
        self.blocks = blocks
        self.text_in = text_in
        self.inserts = inserts or {}
        self.skip = skip
        self.lines = []
        self.length = 0
        self._parts = []
        self._block_depth = 0
        self._text_depth = 0
        self._skip_depth = 0

    @property
    def full(self):
        return self.length > MAX_TEXT_CHARS

    def _local(self, name):
        namespace, separator, local = name.rpartition("}")
        return local if separator and namespace in self.namespaces else None

    def start(self, name, attrs):
        local = self._local(name)
        if local is None:
            return
        if local in self.skip:
            self._skip_depth += 1
        if local in self.blocks:
            self._block_depth += 1
        if self.text_in and local in self.text_in:
            self._text_depth += 1
        if local in self.inserts and self._collecting(text_only=False):
            self._parts.append(self.inserts[local](attrs))

    def end(self, name):
        local = self._local(name)
        if local is None:
            return
        if local in self.skip:
            self._skip_depth -= 1
        if self.text_in and local in self.text_in:
            self._text_depth -= 1
        if local in self.blocks:
            self._block_depth -= 1
            if self._block_depth == 0:
                self._flush()

    def data(self, text):
        if self._collecting(text_only=True):
            self._parts.append(text)

    def _collecting(self, *, text_only):
        if not self._block_depth or self._skip_depth:
            return False
        return not (text_only and self.text_in) or self._text_depth > 0

    def _flush(self):
        line = "".join(self._parts)
        self._parts = []
        if line.strip():
            self.lines.append(line)
            self.length += len(line) + 1

    def finish(self):
        """End of a member: keep the text of a block left open by a truncated read."""
        self._flush()
        self._block_depth = self._text_depth = self._skip_depth = 0
