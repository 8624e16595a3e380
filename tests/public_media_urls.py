"""The real URL map plus what the public media are served by in every deployment: anything in
the default storage at ``MEDIA_URL``, to anyone (the CDN in front of the public bucket, or
``static()`` under DEBUG). A file is public exactly when it can be fetched here."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import re_path

from config.urls import urlpatterns as real_urlpatterns


def public_media(request, name: str):
    if not default_storage.exists(name):
        raise Http404(name)
    return FileResponse(default_storage.open(name, "rb"))


urlpatterns = [
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<name>.+)$", public_media),
    *real_urlpatterns,
]
