"""The JSON endpoints of uploads in the admin, called by ``static/media_pipeline/js/video-upload.js``:
start, status and cancel, chunks, presigned parts, complete. The work is ``media_pipeline.uploads``'."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import reverse

from media_pipeline.admin_views.permissions import require_permission
from media_pipeline.uploads.bucket import upload_part_urls
from media_pipeline.uploads.chunks import upload_chunk_store
from media_pipeline.uploads.completion import upload_complete, upload_discard
from media_pipeline.uploads.sessions import upload_load, upload_start, upload_status
from media_pipeline.uploads.upload import Upload, UploadError


def _error(error: UploadError) -> JsonResponse:
    body = {"error": {"code": error.code, "message": error.message, "fields": {}, **error.extra}}
    return JsonResponse(body, status=error.status)


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as problem:
        raise UploadError("invalid_json", "The request body is not JSON.") from problem
    if not isinstance(data, dict):
        raise UploadError("invalid_json", "The request body must be a JSON object.")
    return data


def _status(upload: Upload, *, fresh: bool = False) -> dict:
    token = upload.token
    return {
        **upload_status(upload=upload, fresh=fresh),
        "urls": {
            "status": reverse("videos:upload", args=[token]),
            "chunks": reverse("videos:upload_chunk", args=[token, 0])[: -len("0/")],
            "parts": reverse("videos:upload_parts", args=[token]),
            "complete": reverse("videos:upload_complete", args=[token]),
        },
    }


def upload_api(view):
    """Upload endpoints: 'add' permission, answers and refusals as JSON in the API's shape."""

    def wrapped(request, *args, **kwargs):
        try:
            require_permission(request, "add")
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return JsonResponse(
                {
                    "error": {
                        "code": "permission_denied",
                        "message": "You may not upload videos.",
                        "fields": {},
                    }
                },
                status=403,
            )
        except UploadError as error:
            return _error(error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@upload_api
def upload_start_view(request):
    """POST {"filename", "size"}: open an upload; the answer says how to send it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    data = _json_body(request)
    try:
        size = int(data.get("size"))
    except (TypeError, ValueError) as problem:
        raise UploadError("invalid_size", "Say the file's size in bytes.") from problem
    upload = upload_start(user=request.user, filename=str(data.get("filename") or ""), size=size)
    return JsonResponse(_status(upload, fresh=True), status=201)


@upload_api
def upload_view(request, token: str):
    """GET: how far the upload got (to resume). DELETE: cancel it and discard what arrived."""
    upload = upload_load(token=token, user=request.user)
    if request.method == "GET":
        return JsonResponse(_status(upload))
    if request.method == "DELETE":
        upload_discard(upload=upload)
        return JsonResponse({}, status=200)
    return HttpResponseNotAllowed(["GET", "DELETE"])


@upload_api
def upload_chunk_view(request, token: str, index: int):
    """PUT the raw bytes of chunk ``index`` (0-based), in order."""
    if request.method != "PUT":
        return HttpResponseNotAllowed(["PUT"])
    upload = upload_load(token=token, user=request.user)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) or None
    except ValueError:
        length = None
    # The body is read as a stream: never through request.body, which would hold it in memory
    # and stop at DATA_UPLOAD_MAX_MEMORY_SIZE.
    upload_chunk_store(upload=upload, index=index, stream=request, length=length)
    received = index + 1
    return JsonResponse(
        {"received_chunks": received, "received_bytes": min(received * upload.chunk_size, upload.size)}
    )


@upload_api
def upload_parts_view(request, token: str):
    """POST {"part_numbers": [1, 2, ...]}: presigned URLs to PUT those parts to the bucket."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    upload = upload_load(token=token, user=request.user)
    numbers = _json_body(request).get("part_numbers")
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        raise UploadError("invalid_parts", "part_numbers must be a list of integers.")
    return JsonResponse({"urls": upload_part_urls(upload=upload, part_numbers=numbers)})


@upload_api
def upload_complete_view(request, token: str):
    """POST {"parts": [{"PartNumber", "ETag"}]} (direct uploads) or {}: every byte arrived."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    upload = upload_load(token=token, user=request.user)
    parts = _json_body(request).get("parts")
    if parts is not None and not isinstance(parts, list):
        raise UploadError("invalid_parts", "parts must be a list.")
    upload_complete(upload=upload, parts=parts)
    return JsonResponse({"upload": upload.token, "complete": True})
