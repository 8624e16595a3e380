"""``GET|PATCH /api/v1/me/``: the signed-in person reads and changes their own profile, and only
theirs, from the Astro site (session cookie) or an app (allauth's session token or JWT)."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.test.client import encode_multipart
from PIL import Image

from accounts.models import User

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
BOUNDARY = "PhialoBoundary"


@pytest.fixture
def shopper(django_user_model) -> User:
    return django_user_model.objects.create_user(
        email="ada@example.com", password="x", first_name="Ada", last_name="Goldschmied"
    )


@pytest.fixture
def client_of(shopper) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(shopper)
    return client


def picture(name: str = "me.png", image_format: str = "PNG", size: tuple[int, int] = (32, 32)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    buffer.seek(0)
    buffer.name = name
    return buffer


def patch_json(client: Client, data: dict, **headers):
    return client.patch(ME, data, content_type="application/json", **headers)


def patch_multipart(client: Client, data: dict):
    return client.patch(
        ME, encode_multipart(BOUNDARY, data), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def assert_personal(response) -> None:
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("method", "path"), [("get", ME), ("patch", ME), ("delete", ME), ("get", f"{ME}export/")]
)
def test_personal_endpoints_answer_401_in_the_error_shape_when_not_logged_in(api_client, method, path):
    response = getattr(api_client, method)(path)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert_personal(response)


def test_shopper_reads_their_profile_with_defaults(client_of):
    response = client_of.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Goldschmied",
        "locale": "de",
        "time_zone": "Europe/Berlin",
        "avatar": None,
        # Reminders and follow-ups until the shopper says otherwise; news only when asked for.
        "communication": {"reminders": True, "follow_ups": True, "news": False},
    }
    assert_personal(response)


def test_patch_changes_only_the_fields_sent(client_of, shopper):
    response = patch_json(client_of, {"first_name": "Adele", "locale": "en", "time_zone": "America/New_York"})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Adele"
    assert response.json()["last_name"] == "Goldschmied"
    assert_personal(response)
    shopper.refresh_from_db()
    assert (shopper.first_name, shopper.last_name, shopper.locale, shopper.time_zone) == (
        "Adele",
        "Goldschmied",
        "en",
        "America/New_York",
    )


def test_email_cannot_be_changed_here(client_of, shopper):
    response = patch_json(client_of, {"email": "mallory@example.com"})

    assert response.status_code == 200
    shopper.refresh_from_db()
    assert shopper.email == "ada@example.com"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", "europe/berlin"),
        ("time_zone", "../../etc/passwd"),
        ("time_zone", ""),
        ("locale", "fr"),
        ("locale", ""),
        ("locale", None),
    ],
)
def test_bad_time_zone_or_locale_is_a_400_naming_the_field_and_nothing_is_stored(
    client_of, shopper, field, value
):
    response = patch_json(client_of, {"first_name": "Changed", field: value})

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    shopper.refresh_from_db()
    assert (shopper.first_name, shopper.locale, shopper.time_zone) == ("Ada", "de", "Europe/Berlin")


def test_avatar_upload_replace_and_removal(client_of, shopper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = patch_multipart(client_of, {"avatar": picture("Ada Goldschmied.png")})
    assert first.status_code == 200
    url = first.json()["avatar"]
    assert url.startswith("http://testserver/media/avatars/")
    assert url.endswith(".png")
    assert "Ada" not in url  # the file name says nothing about the person
    shopper.refresh_from_db()
    first_name = shopper.avatar.name
    assert default_storage.exists(first_name)

    with django_capture_on_commit_callbacks(execute=True):
        second = patch_multipart(client_of, {"avatar": picture("new.webp", "WEBP")})
    assert second.status_code == 200
    assert second.json()["avatar"] != url
    shopper.refresh_from_db()
    assert default_storage.exists(shopper.avatar.name)
    assert not default_storage.exists(first_name)

    with django_capture_on_commit_callbacks(execute=True):
        removed = patch_json(client_of, {"avatar": None})
    assert removed.status_code == 200
    assert removed.json()["avatar"] is None
    second_name = shopper.avatar.name
    shopper.refresh_from_db()
    assert not shopper.avatar
    assert not default_storage.exists(second_name)


def test_an_empty_form_field_removes_the_avatar(client_of, shopper):
    patch_multipart(client_of, {"avatar": picture()})

    response = patch_multipart(client_of, {"avatar": ""})

    assert response.status_code == 200
    assert response.json()["avatar"] is None


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: picture("me.gif", "GIF"), id="gif"),
        pytest.param(lambda: picture("me.png", "GIF"), id="gif-named-png"),
        pytest.param(lambda: picture("me.png", size=(5000, 10)), id="too-wide"),
        pytest.param(lambda: io.BytesIO(b"not a picture"), id="text"),
    ],
)
def test_a_bad_avatar_is_a_400_and_nothing_is_stored(client_of, shopper, upload):
    file = upload()
    if not hasattr(file, "name"):
        file.name = "me.png"

    response = patch_multipart(client_of, {"avatar": file, "first_name": "Changed"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["avatar"]
    shopper.refresh_from_db()
    assert not shopper.avatar
    assert shopper.first_name == "Ada"


def test_too_large_an_avatar_is_refused(client_of, shopper, monkeypatch):
    monkeypatch.setattr("accounts.models.AVATAR_MAX_BYTES", 100)

    response = patch_multipart(client_of, {"avatar": picture(size=(64, 64))})

    assert response.status_code == 400
    assert "avatar" in response.json()["error"]["fields"]


def test_one_shopper_never_reads_or_changes_another(client_of, shopper, django_user_model):
    other = django_user_model.objects.create_user(email="bea@example.com", password="y", first_name="Bea")
    other_client = Client()
    other_client.force_login(other)

    assert other_client.get(ME).json()["email"] == "bea@example.com"
    patch_json(other_client, {"first_name": "Mallory", "time_zone": "Asia/Tokyo"})

    shopper.refresh_from_db()
    assert (shopper.first_name, shopper.time_zone) == ("Ada", "Europe/Berlin")
    assert client_of.get(ME).json()["first_name"] == "Ada"


def test_app_clients_authenticate_with_allauths_session_token(shopper):
    # With allauth's session token strategy the token an app client gets is its session's key.
    logged_in = Client()
    logged_in.force_login(shopper)
    token = logged_in.session.session_key
    app = Client(raise_request_exception=False)

    assert app.get(ME, headers={"X-Session-Token": token}).json()["email"] == "ada@example.com"
    response = patch_json(app, {"locale": "en"}, headers={"X-Session-Token": token})
    assert response.status_code == 200
    assert app.get(ME, headers={"X-Session-Token": "not-a-session"}).status_code == 401


@override_settings(
    HEADLESS_TOKEN_STRATEGY="allauth.headless.tokens.strategies.jwt.JWTTokenStrategy",
    HEADLESS_JWT_ALGORITHM="HS256",
)
def test_app_clients_authenticate_with_allauths_jwt_until_the_account_is_deactivated(shopper):
    from allauth.headless.tokens.strategies.jwt.internal import create_access_token

    logged_in = Client()
    logged_in.force_login(shopper)
    token = create_access_token(shopper, logged_in.session, {})
    app = Client(raise_request_exception=False)

    assert app.get(ME, headers={"Authorization": f"Bearer {token}"}).json()["email"] == "ada@example.com"
    User.objects.filter(pk=shopper.pk).update(is_active=False)
    assert app.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_deleting_a_user_row_outright_deletes_their_picture(
    client_of, shopper, django_capture_on_commit_callbacks
):
    from accounts import receivers

    receivers.connect()  # AccountsConfig.ready() does this; connecting twice changes nothing
    patch_multipart(client_of, {"avatar": picture()})
    shopper.refresh_from_db()
    name = shopper.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        shopper.delete()  # e.g. an administrator in the Django admin

    assert not default_storage.exists(name)
