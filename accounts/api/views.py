"""The signed-in person's own account (../shared/API.md): profile, data export, deletion.

Every endpoint acts on the caller and takes no id, so nobody can name another person's account.
"""

from __future__ import annotations

import copy

from django.contrib.auth import logout
from django.utils.cache import patch_cache_control
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import registry, selectors, services
from accounts.api.authentication import PERSONAL_AUTHENTICATION, authenticated_session
from accounts.api.serializers import LoginsExportSerializer, MeSerializer, ProfileExportSerializer
from core.api import ERROR


class PersonalApi(APIView):
    """Base of every endpoint about the caller: logged in (401 otherwise), never cached by a
    browser or a proxy. Other apps' ``/me/...`` endpoints may build on it."""

    authentication_classes = PERSONAL_AUTHENTICATION
    permission_classes = [IsAuthenticated]

    def get_authenticate_header(self, request: Request) -> str:
        # DRF answers 403 when the first authenticator names no scheme (sessions do not): say 401.
        return super().get_authenticate_header(request) or "Session"

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response


class MeApi(PersonalApi):
    """The caller's profile: read it, change it, or delete the account."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(operation_id="me_retrieve", responses={200: MeSerializer, 401: ERROR})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        operation_id="me_update",
        request=MeSerializer,
        responses={200: MeSerializer, 400: ERROR, 401: ERROR},
        description="Change any of the fields; the others stay. Send JSON, or multipart/form-data to "
        "upload a picture. A bad locale, time zone or picture is a 400 naming the field, and "
        "nothing is changed.",
    )
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, data=serializer.validated_data)
        return Response(MeSerializer(user, context={"request": request}).data)

    @extend_schema(
        operation_id="me_delete",
        request=None,
        responses={204: None, 401: ERROR, 403: ERROR},
        description="Erase the account: name, e-mail addresses, picture, social and two-factor logins "
        "are deleted, every session and token ends, and nobody can log in to it again. Orders are "
        "kept for accounting without anything naming the person. Only within "
        "ACCOUNT_REAUTHENTICATION_TIMEOUT (default 5 minutes) of logging in or re-authenticating in "
        "this session; otherwise 403 with code `reauthentication_required`.",
    )
    def delete(self, request: Request) -> Response:
        services.user_delete_account(user=request.user, session=authenticated_session(request))
        logout(request._request)
        return Response(status=204)


class ExportSchema(AutoSchema):
    """The export's sections come from the registry, so its schema is built when the schema is."""

    def get_operation_id(self) -> str:
        return "me_export"

    def get_description(self) -> str:
        return (
            "Everything the project holds about the caller, as JSON: profile, logins, orders and "
            "each app's section (by the name the app registered in `accounts.registry`)."
        )

    def get_response_serializers(self):
        fields = {
            "exported_at": serializers.DateTimeField(),
            "profile": ProfileExportSerializer(),
            "logins": LoginsExportSerializer(),
        }
        for section in registry.sections():
            # A copy, so it is ordered after the fields above (DRF orders fields by creation).
            schema = copy.deepcopy(section.schema) if section.schema else serializers.JSONField()
            fields[section.name] = schema
        return {200: inline_serializer("PersonalDataExport", fields), 401: ERROR}


class MeExportApi(PersonalApi):
    schema = ExportSchema()

    def get(self, request: Request) -> Response:
        data = selectors.user_personal_data_export(request.user, absolute_uri=request.build_absolute_uri)
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="phialo-personal-data.json"'
        return response
