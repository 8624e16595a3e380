"""Forms of the back office's customer view: giving a customer access to a catalogue item, taking
a grant back, refunding lines of an order. Each needs a reason: it is kept on the grant (or sent
with the refund to Stripe), for the next person who asks why."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

# Long enough for a sentence or two and a ticket number; a reason is not a letter.
REASON_MAX_LENGTH = 500

ITEM_GROUPS = (
    ("video", _("Videos")),
    ("course", _("Courses")),
    ("bundle", _("Bundles")),
)


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX_LENGTH}),
        error_messages={"required": _("Give a reason: it is recorded with the grant.")},
    )


class GrantForm(forms.Form):
    """``items``: the catalogue as ``(key, kind, title)``, shown grouped by kind, by title."""

    item = forms.TypedChoiceField(
        label=_("Item"),
        coerce=uuid.UUID,
        error_messages={
            "required": _("Choose a video, course or bundle."),
            "invalid_choice": _("Choose a video, course or bundle from the list."),
        },
    )
    reason = _reason_field()

    def __init__(self, *args, items: Iterable[tuple[uuid.UUID, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        by_kind: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _label in ITEM_GROUPS}
        for key, kind, title in items:
            if kind in by_kind:
                by_kind[kind].append((str(key), title))
        self.fields["item"].choices = [("", "---------")] + [
            (label, sorted(by_kind[kind], key=lambda choice: choice[1].casefold()))
            for kind, label in ITEM_GROUPS
            if by_kind[kind]
        ]


class RevokeForm(forms.Form):
    reason = _reason_field()


class RefundForm(forms.Form):
    """``lines``: the order's refundable lines as ``(line id, label)``."""

    lines = forms.TypedMultipleChoiceField(
        label=_("Lines"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the lines to refund."),
            "invalid_choice": _("Choose lines of this order that can still be refunded."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX_LENGTH}),
        error_messages={"required": _("Give a reason: it goes with the refund.")},
    )

    def __init__(self, *args, lines: Iterable[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(str(pk), label) for pk, label in lines]
