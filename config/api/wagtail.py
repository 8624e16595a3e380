"""Wagtail's own API v2 at /api/v2/: generic pages, images and documents, per locale; and the
draft preview the Astro site fetches with the token wagtail-headless-preview gives it."""

from django.contrib.contenttypes.models import ContentType
from django.core.signing import BadSignature
from django.http import Http404
from rest_framework.response import Response
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail_headless_preview.models import HeadlessPreviewMixin


class PagePreviewAPIViewSet(PagesAPIViewSet):
    """``GET /api/v2/page_preview/?content_type=cms.videopage&token=...``: the draft behind a
    preview token, serialised like any page of the pages endpoint."""

    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["content_type", "token"])

    def listing_view(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def detail_view(self, request, pk):
        return self.listing_view(request)

    def get_object(self):
        try:
            app_label, model = self.request.GET["content_type"].split(".")
            model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
            token = self.request.GET["token"]
        except (KeyError, ValueError, ContentType.DoesNotExist) as error:
            raise BadRequestError("content_type (app.model) and token are required") from error
        if model_class is None or not issubclass(model_class, HeadlessPreviewMixin):
            raise BadRequestError("content_type is not a previewable page type")
        try:
            page = model_class.get_page_from_preview_token(token)
        except BadSignature as error:
            raise Http404 from error
        if page is None:
            raise Http404
        page.pk = page.pk or 0  # a page never saved yet still serialises
        return page


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
