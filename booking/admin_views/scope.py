"""Who sees which consultations' rows in the admin, decided in one place.

:func:`consultant_scope` says which consultant's rows a user is limited to; Wagtail's permission
policies (:class:`ConsultantScopedPolicy`, registered for ``Consultant`` and ``Booking`` in
``booking.wagtail_hooks``) enforce it: the model permissions say *what* someone may do, the scope
says *on which rows*. A row outside the scope answers 404, as if it did not exist. The generic
views Wagtail builds load their object in several ways, so the scope is applied where each view
lists (:class:`ScopedIndexMixin`) and where it loads one row (:class:`ScopedObjectMixin`).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from wagtail.permission_policies import ModelPermissionPolicy

from booking.models import Booking, Consultant

_SCOPE_CACHE = "_booking_consultant_scope"


def consultant_scope(user) -> int | None:
    """The id of the consultant whose rows ``user`` is limited to, or ``None`` for every row.

    A superuser sees everything, and so does staff who are not consultants themselves (the
    studio's office, given the model permissions); a consultant sees only their own row. Cached on
    the user object: a listing asks once per row.
    """
    if user.is_superuser:
        return None
    if not hasattr(user, _SCOPE_CACHE):
        own = Consultant.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
        setattr(user, _SCOPE_CACHE, own)
    return getattr(user, _SCOPE_CACHE)


class ConsultantScopedPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed to the rows of :func:`consultant_scope`.

    ``consultant_field`` names the consultant's id on the model (``pk`` for a consultant itself).
    ``never`` lists actions nobody takes here, whatever their permissions (bookings are made by
    shoppers and never deleted: orders, refunds and invoices point at them).
    """

    def __init__(self, model, *, consultant_field: str, never: tuple[str, ...] = ()):
        super().__init__(model)
        self.consultant_field = consultant_field
        self.never = never

    def user_has_permission(self, user, action) -> bool:
        return action not in self.never and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def in_scope(self, user, instance) -> bool:
        scope = consultant_scope(user)
        return scope is None or getattr(instance, self.consultant_field) == scope

    def scoped(self, queryset, user):
        scope = consultant_scope(user)
        return queryset if scope is None else queryset.filter(**{self.consultant_field: scope})

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_permission(user, action) and self.in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return self.user_has_any_permission(user, actions) and self.in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scoped(self.model._default_manager.all(), user)


consultant_policy = ConsultantScopedPolicy(Consultant, consultant_field="pk")
booking_policy = ConsultantScopedPolicy(Booking, consultant_field="consultant_id", never=("add", "delete"))


class ScopedIndexMixin:
    """A listing of only the rows in the user's scope."""

    def get_base_queryset(self):
        return self.permission_policy.scoped(super().get_base_queryset(), self.request.user)


class ScopedObjectMixin:
    """A view of one row answers 404 for a row outside the user's scope."""

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if not self.permission_policy.in_scope(self.request.user, instance):
            raise Http404
        return instance


def local_text(instant: datetime | None, time_zone) -> str:
    if instant is None:
        return ""
    local = timezone.localtime(instant, time_zone)
    return f"{local:%a %d.%m.%Y %H:%M} {local.tzname()}"
