"""Signals other apps listen to (analytics refreshes its roll-ups on them)."""

from django.dispatch import Signal

# Sent after the transaction commits, with unit_id, period and status of the submission.
values_changed = Signal()
