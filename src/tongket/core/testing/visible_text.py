"""What a person reads on a page, and the English words or internal codes in it.

Used by the tests that render every role's main pages: visible text only (no tags, scripts,
styles or attribute values), so codes in URLs and form names are fine; codes on screen are not.
"""

from __future__ import annotations

import html
import re

# Words of English UI (and status/level/action codes) that must never be shown as text.
ENGLISH = {
    "about",
    "action",
    "add",
    "admin",
    "all",
    "and",
    "approve",
    "approved",
    "back",
    "budget",
    "cancel",
    "change",
    "close",
    "closed",
    "commune",
    "confirm",
    "delete",
    "done",
    "download",
    "draft",
    "edit",
    "error",
    "errors",
    "extend",
    "failed",
    "false",
    "for",
    "forbidden",
    "from",
    "home",
    "indicator",
    "level",
    "login",
    "logout",
    "missing",
    "none",
    "not",
    "null",
    "open",
    "password",
    "pending",
    "province",
    "rate",
    "remind",
    "reopen",
    "return",
    "returned",
    "round",
    "running",
    "save",
    "school",
    "search",
    "status",
    "submission",
    "submit",
    "submitted",
    "target",
    "the",
    "this",
    "true",
    "upload",
    "user",
    "username",
    "value",
    "warning",
    "with",
    "yes",
    "you",
    "your",
    "units",
    "unit",
    "view",
    "history",
    "found",
    "page",
    "select",
    "filter",
    "groups",
    "users",
    "permissions",
    "authentication",
    "authorization",
    "site",
    "administration",
    "recent",
    "actions",
    "welcome",
}
ALLOWED = {"THCS", "THPT", "PCGD", "XMC", "API", "Excel", "DOCX", "PDF", "XLSX", "Tongket"}
WORD = re.compile(r"[^\W_]+", re.UNICODE)  # "user1" is a username, not the word "user"
# snake_case (national_standard_rate, tt19_2023), key=value combos (grade=3;level=TH)
CODE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b[a-z_]+=[\w.-]+")


def visible_text(page: str) -> str:
    # <code> marks an identifier the user must type as is (a file's column name), explained
    # beside it in Vietnamese; it is not prose, so it is not read for English words.
    page = re.sub(r"(?is)<(script|style|template|textarea|code)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page)).strip()


def foreign_tokens(text: str) -> list[str]:
    """English words and code-like tokens found in the text (empty when it is clean)."""
    found = [m.group(0) for m in CODE.finditer(text)]
    for m in WORD.finditer(text):
        w = m.group(0)
        if w in ALLOWED:
            continue
        if w.isalpha() and w.isascii() and w.lower() in ENGLISH:
            found.append(w)
    return found


def context_of(text: str, token: str, width: int = 40) -> str:
    i = text.find(token)
    return text[max(0, i - width) : i + len(token) + width] if i >= 0 else token
