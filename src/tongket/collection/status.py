"""A submission's state in the user's words: the one place that names it.

Every page, the API (`status_label`) and the exports show what this module returns, so a school,
a commune and the Sở read the same words for the same state:

    Chưa nhập · Đang nhập · Chờ xã duyệt · Chờ Sở duyệt · Trả lại · Đã duyệt

A submitted report waits for the next level of its round's approval chain (configurable per
round, `ReportingRound.approval_levels`): after the commune approves a report of a two-level
round it is still "submitted" in the workflow, but it now waits for the Sở.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongket.collection.models import Submission

NOT_STARTED = "Chưa nhập"
DRAFT = "Đang nhập"
RETURNED = "Trả lại"
APPROVED = "Đã duyệt"
WAITING = {"commune": "Chờ xã duyệt", "province": "Chờ Sở duyệt"}
LEVEL_VI = {"commune": "xã/phường", "province": "Sở GD&ĐT"}
DEFAULT_CHAIN = ("province",)  # a round without a chain is approved by the Sở

# what the filters of the review queue offer, in the order a user reads them
LABELS = (NOT_STARTED, DRAFT, WAITING["commune"], WAITING["province"], RETURNED, APPROVED)


def next_level(chain: list[str] | tuple[str, ...] | None, approved_level: str) -> str | None:
    """The level that must approve next, given the last level that approved (None: done)."""
    chain = list(chain or DEFAULT_CHAIN)
    done = chain.index(approved_level) + 1 if approved_level in chain else 0
    return chain[done] if done < len(chain) else None


def label_for(
    status: str | None, approved_level: str = "", chain: list[str] | tuple[str, ...] | None = None
) -> str:
    """The label of a state given as plain values (for rows read with values_list)."""
    if not status:
        return NOT_STARTED
    if status == "draft":
        return DRAFT
    if status == "returned":
        return RETURNED
    if status == "approved":
        return APPROVED
    level = next_level(chain, approved_level)
    return APPROVED if level is None else WAITING.get(level, "Chờ duyệt")


def status_label(sub: Submission | None) -> str:
    """The label of a submission (None or unsaved: nothing entered yet)."""
    if sub is None or sub.pk is None:
        return NOT_STARTED
    return label_for(sub.status, sub.approved_level, sub.round.approval_levels)


def status_css(sub_or_label: Submission | str | None) -> str:
    """A class for the badge, so a returned report stands out and an approved one reads done."""
    label = sub_or_label if isinstance(sub_or_label, str) else status_label(sub_or_label)
    return {
        RETURNED: "badge-bad",
        APPROVED: "badge-ok",
        NOT_STARTED: "badge-todo",
        DRAFT: "badge-todo",
    }.get(label, "badge-wait")


def return_reason(sub: Submission | None) -> str:
    """Why the report came back (the latest return's reason), '' when it is not returned."""
    if sub is None or sub.pk is None or sub.status != "returned":
        return ""
    from tongket.collection.models import SubmissionEvent

    event = (
        SubmissionEvent.objects.filter(submission=sub, status="returned")
        .order_by("-at", "-pk")
        .values_list("reason", flat=True)
        .first()
    )
    return event or ""
