"""Who may do what in the video admin: Wagtail's model permissions on ``VideoAsset``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.permission_policies import ModelPermissionPolicy

from media_pipeline.models import VideoAsset

permission_policy = ModelPermissionPolicy(VideoAsset)


def require_permission(request, action: str) -> None:
    if not permission_policy.user_has_permission(request.user, action):
        raise PermissionDenied
