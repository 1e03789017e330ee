"""Read a report into NFC text: .txt, .docx, .html/.htm, .pdf (text layer).

Offices still hold documents typed in the legacy 8-bit Vietnamese fonts: TCVN3 (the "ABC"
.VnTime family, one byte per letter) and VNI (VNI-Times, a base letter followed by a byte for
its marks). Read naively they come out as "Tr­êng" or "Tröôøng"; both are detected here and
converted to Unicode. Everything returned is NFC, whatever the source used (macOS and some PDF
producers write NFD).
"""

from __future__ import annotations

import io
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from tongket.core.vntext import nfc


class ReadError(Exception):
    """A file that cannot be read as a report; the message is in Vietnamese."""


# ---------------------------------------------------------------- TCVN3 (ABC)

# TCVN 5712:1993 VN3, the byte values the ABC .VnTime fonts use (0xA1-0xFE), plus the upper-case
# letters VN1 places in the gaps. Bytes not listed keep their Windows-1252 meaning.
_TCVN3_TABLE: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xAF: "Ằ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBA: "Ẳ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xBF: "Ẵ",
    0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE0: "Ổ", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}  # fmt: skip

# Text that went through a Unicode file already holds these bytes as Latin-1/cp1252 characters.
_TCVN3_CHARS = {bytes([b]).decode("latin-1"): ch for b, ch in _TCVN3_TABLE.items()}
_TCVN3_TRANS = str.maketrans(_TCVN3_CHARS)
_FROM_UNICODE_TCVN3 = {ch: bytes([b]) for b, ch in _TCVN3_TABLE.items()}


_UPPER = "A-ZĂÂÊÔƠƯĐ"
_CONVERTED_LOWER = "à-ỹ"  # every toned letter the table yields lies in U+00E0..U+1EF9
_CAPS_INSIDE_RE = re.compile(
    rf"(?<=[{_UPPER}])[{_CONVERTED_LOWER}](?=[{_UPPER}])"
    rf"|(?<=[{_UPPER}]{{2}})[{_CONVERTED_LOWER}](?![\w])"
)


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (bytes shown as Latin-1 characters) to Unicode NFC.

    The ABC fonts have no code for most upper-case letters with tone marks: headings are typed
    in the capitals font .VnTimeH with the lower-case codes. So a converted lower-case letter
    standing between capitals is put back in upper case ("GIáO" -> "GIÁO").
    """
    out = text.translate(_TCVN3_TRANS)
    out = _CAPS_INSIDE_RE.sub(lambda m: m.group().upper(), out)
    return nfc(out)


def unicode_to_tcvn3(text: str) -> bytes:
    """Encode to TCVN3 bytes (upper-case toned letters go lower case: the fonts have none)."""
    out = bytearray()
    for ch in nfc(text):
        code = _FROM_UNICODE_TCVN3.get(ch) or _FROM_UNICODE_TCVN3.get(ch.lower())
        out += code if code else ch.encode("cp1252", errors="replace")
    return bytes(out)


# ---------------------------------------------------------------- VNI

# VNI-Windows: the letter, then one byte for its marks. Tone bytes (lower / upper case):
_VNI_TONES = {"\u0301": "ùÙ", "\u0300": "øØ", "\u0309": "ûÛ", "\u0303": "õÕ", "\u0323": "ïÏ"}
# Circumflex (â ê ô) fused with each tone: none, sắc, huyền, hỏi, ngã, nặng.
_VNI_CIRCUMFLEX = {"": "âÂ", "\u0301": "áÁ", "\u0300": "àÀ", "\u0309": "åÅ", "\u0303": "ãÃ", "\u0323": "äÄ"}  # fmt: skip
# Breve (ă) fused with each tone.
_VNI_BREVE = {"": "êÊ", "\u0301": "éÉ", "\u0300": "èÈ", "\u0309": "úÚ", "\u0303": "üÜ", "\u0323": "ëË"}  # fmt: skip
# Letters VNI writes as one byte: ơ ư đ, i with each tone, and ỵ.
_VNI_SINGLE = {
    "ơ": "ô", "Ơ": "Ô", "ư": "ö", "Ư": "Ö", "đ": "ñ", "Đ": "Ñ",
    "í": "í", "Í": "Í", "ì": "ì", "Ì": "Ì", "ỉ": "æ", "Ỉ": "Æ", "ĩ": "ó", "Ĩ": "Ó",
    "ị": "ò", "Ị": "Ò", "ỵ": "î", "Ỵ": "Î",
}  # fmt: skip


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Unicode letter -> VNI sequence, and its inverse, for every Vietnamese letter."""
    to_vni: dict[str, str] = dict(_VNI_SINGLE)
    tones = ["", *_VNI_TONES]
    for base in "aeiouyAEIOUY":
        upper = base.isupper()
        for tone in tones:
            mark = _VNI_TONES[tone][upper] if tone else ""
            letter = nfc(base + tone)
            if letter not in to_vni:
                to_vni[letter] = base + mark
            if base.lower() in "aeo":
                circ = nfc(base + "\u0302" + tone)
                to_vni[circ] = base + _VNI_CIRCUMFLEX[tone][upper]
            if base.lower() == "a":
                breve = nfc(base + "\u0306" + tone)
                to_vni[breve] = base + _VNI_BREVE[tone][upper]
            if base.lower() in "ou" and tone:
                horn = nfc(base + "\u031b" + tone)
                to_vni[horn] = _VNI_SINGLE[nfc(base + "\u031b")] + mark
    from_vni = {seq: ch for ch, seq in to_vni.items() if seq != ch}
    return to_vni, from_vni


_TO_VNI, _FROM_VNI = _vni_tables()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_FROM_VNI, key=len, reverse=True)))


def vni_to_unicode(text: str) -> str:
    """Convert VNI text (bytes shown as cp1252 characters) to Unicode NFC."""
    return nfc(_VNI_RE.sub(lambda m: _FROM_VNI[m.group()], text))


def unicode_to_vni(text: str) -> bytes:
    """Encode to VNI-Windows bytes."""
    return "".join(_TO_VNI.get(ch, ch) for ch in nfc(text)).encode("cp1252", errors="replace")


# ---------------------------------------------------------------- detection

# Very common syllables of administrative Vietnamese: a decoding that yields many of them is
# the right one.
_COMMON = frozenset(
    [
        "của",
        "và",
        "các",
        "được",
        "trong",
        "năm",
        "học",
        "trường",
        "giáo",
        "dục",
        "những",
        "có",
        "đã",
        "với",
        "người",
        "là",
        "cho",
        "này",
        "việc",
        "đạt",
        "tỷ",
        "lệ",
        "sinh",
        "viên",
        "công",
        "tác",
        "thực",
        "hiện",
        "động",
        "kết",
        "quả",
        "huyện",
        "tỉnh",
        "xã",
        "nhà",
        "chất",
        "lượng",
        "số",
        "một",
        "không",
        "đến",
        "theo",
        "về",
        "tổ",
        "chức",
        "đồng",
        "chí",
        "phòng",
        "sở",
        "quản",
        "lý",
        "đội",
        "ngũ",
        "cấp",
        "tiểu",
        "mầm",
        "non",
        "hội",
        "nghị",
        "báo",
        "cáo",
        "nhiệm",
        "vụ",
        "tổng",
        "tốt",
        "tiếp",
        "tục",
        "tăng",
        "cường",
        "chỉ",
        "đạo",
        "kế",
        "hoạch",
        "trên",
        "địa",
        "bàn",
        "phát",
        "triển",
    ]
)
_WORD_RE = re.compile(r"\w+")


def vietnamese_score(text: str) -> float:
    """Share of words that are common Vietnamese syllables (0..1)."""
    words = _WORD_RE.findall(text[:20000].lower())
    if not words:
        return 0.0
    return sum(1 for w in words if w in _COMMON) / len(words)


_LATIN1_MARKERS = re.compile(r"[\u00a1-\u00ff]")


def fix_legacy(text: str) -> tuple[str, str | None]:
    """Convert text that is really TCVN3 or VNI shown as Latin-1 characters.

    Returns (text, "tcvn3" / "vni" / None). Genuine Unicode text is returned unchanged: a
    conversion is kept only when it makes the text clearly more Vietnamese.
    """
    text = nfc(text)
    if len(_LATIN1_MARKERS.findall(text[:20000])) < 3:
        return text, None
    base = vietnamese_score(text)
    best, best_name, best_score = text, None, base
    for name, conv in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
        converted = conv(text)
        score = vietnamese_score(converted)
        if score > best_score + 0.05:
            best, best_name, best_score = converted, name, score
    return best, best_name


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file: UTF-8/UTF-16 (with or without BOM), cp1258, TCVN3 or VNI.

    Returns (NFC text, encoding name).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text, enc = data[3:].decode("utf-8", errors="replace"), "utf-8"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, enc = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return _decode_legacy(data)
    fixed, legacy = fix_legacy(text)
    return fixed, legacy or enc


def _decode_legacy(data: bytes) -> tuple[str, str]:
    latin = data.decode("cp1252", errors="replace")
    candidates = [
        ("tcvn3", tcvn3_to_unicode(data.decode("latin-1"))),
        ("vni", vni_to_unicode(latin)),
        ("cp1258", nfc(data.decode("cp1258", errors="replace"))),
        ("cp1252", nfc(latin)),
    ]
    name, text = max(candidates, key=lambda c: vietnamese_score(c[1]))
    return text, name


# ---------------------------------------------------------------- formats


def read_txt(path: Path) -> str:
    return decode_bytes(path.read_bytes())[0]


def read_docx(path: Path) -> str:
    """Paragraphs and table cells, in document order. Runs in .Vn* fonts are TCVN3 and runs in
    VNI-* fonts are VNI, whatever the rest of the paragraph uses."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is a project dependency
        raise ReadError("thiếu thư viện python-docx để đọc .docx") from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise ReadError(f"không mở được tệp Word '{path.name}': {exc}") from exc

    def para_text(p: Paragraph) -> str:
        parts = []
        for run in p.runs:
            font = (run.font.name or "").lower()
            t = run.text
            if font.startswith(".vn"):
                t = tcvn3_to_unicode(t)
            elif font.startswith("vni"):
                t = vni_to_unicode(t)
            parts.append(t)
        return "".join(parts) if parts else p.text

    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(para_text(Paragraph(block, document)))
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = []
                for cell in row.cells:
                    cells.append(" ".join(para_text(p) for p in cell.paragraphs).strip())
                # A row is one line, cells apart, so "Tổng số | 337" stays one statement.
                lines.append(" | ".join(cells))
    return fix_legacy("\n".join(lines))[0]


_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "menu",
              "button", "select", "svg", "iframe", "template"}  # fmt: skip
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table",
               "section", "article", "blockquote", "ul", "ol", "dd", "dt", "pre"}  # fmt: skip
_VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "area", "col"}
_CHROME_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|header|footer|sidebar|breadcrumb|banner|widget|social"
    r"|share|comment|related|advert|ads|cookie|counter|thong-ke|thongke)(?:$|[\s_-])",
    re.IGNORECASE,
)


class _TextExtractor(HTMLParser):
    """Keeps the article text; drops page chrome (menus, headers, footers, scripts, widgets)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # for each open element: does it start a skipped region?
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            if tag == "br":
                self.parts.append("\n")
            return
        attr = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        skip = tag in _SKIP_TAGS or bool(attr and _CHROME_RE.search(attr))
        self.stack.append(skip)
        if skip:
            self.skip_depth += 1
        if tag in _BLOCK_TAGS and not self.skip_depth:
            self.parts.append("\n")
        elif tag in ("td", "th") and not self.skip_depth:
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or not self.stack:
            return
        if self.stack.pop():
            self.skip_depth -= 1
        if tag in _BLOCK_TAGS and not self.skip_depth:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out = "\n".join(line for line in lines if line)
    return fix_legacy(out)[0]


def read_html(path: Path) -> str:
    data = path.read_bytes()
    m = re.search(rb"charset=[\"']?([\w-]+)", data[:4000], re.IGNORECASE)
    if m and m.group(1).lower() not in (b"utf-8", b"utf8"):
        try:
            html = data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            html = decode_bytes(data)[0]
    else:
        html = decode_bytes(data)[0]
    return html_to_text(html)


def read_pdf(path: Path) -> str:
    """Text layer only: a scanned PDF gives an error asking for OCR, not an empty report."""
    try:
        from pypdf import PdfReader
    except ImportError as exc:
        raise ReadError("thiếu thư viện pypdf để đọc .pdf (pip install pypdf)") from exc
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise ReadError(f"không đọc được tệp PDF '{path.name}': {exc}") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise ReadError(f"tệp PDF '{path.name}' không có lớp chữ (bản quét?): cần OCR trước")
    # Some producers emit decomposed marks with a space before them; glue them back.
    text = re.sub(r" ([\u0300-\u036f])", r"\1", unicodedata.normalize("NFD", text))
    return fix_legacy(text)[0]


READERS = {
    ".txt": read_txt,
    ".text": read_txt,
    ".md": read_txt,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
}


def read_document(path: str | Path) -> str:
    """Read any supported report into NFC text. Raises ReadError with a Vietnamese message."""
    p = Path(path)
    if not p.exists():
        raise ReadError(f"không tìm thấy tệp '{p}'")
    if p.is_dir():
        raise ReadError(f"'{p}' là thư mục, không phải tệp")
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(READERS))
        raise ReadError(f"không hỗ trợ định dạng '{p.suffix}' (hỗ trợ: {supported})")
    try:
        return nfc(reader(p))
    except ReadError:
        raise
    except OSError as exc:
        raise ReadError(f"không đọc được tệp '{p}': {exc.strerror or exc}") from exc
