"""Every settings module loads; production refuses to start without real secrets, and passes
Django's deployment checks once it has them. Each case runs in a fresh interpreter."""

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import manage


def _rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


PRODUCTION_ENV = {
    "HEADLESS_JWT_PRIVATE_KEY": _rsa_private_key_pem(),
    "DJANGO_SECRET_KEY": "k3#Vq9!mZ2@wLp7$Rt5^yB8&nH4*cJ6(sD1)fG0-xE_aU+oI=eW",
    "DATABASE_URL": "postgres://phialo@127.0.0.1:5432/phialo",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "STRIPE_SECRET_KEY": "sk_test_" + "a" * 24,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "b" * 32,
    "DJANGO_ALLOWED_HOSTS": "api.phialo.example",
}
CONFIG_VARIABLES = {
    *PRODUCTION_ENV,
    "DJANGO_DEBUG",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_PRIVATE_STORAGE_BUCKET_NAME",
    "DJANGO_MEDIA_ROOT",
    "DJANGO_PRIVATE_MEDIA_ROOT",
}


def run_manage(settings_module: str, *args: str, env: dict[str, str] | None = None):
    clean = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    clean.update(env or {})
    clean["DJANGO_SETTINGS_MODULE"] = settings_module
    return manage(*args, env=clean)


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_development_settings_load_with_nothing_configured(module):
    result = run_manage(module, "check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "CELERY_BROKER_URL",
        "HEADLESS_JWT_PRIVATE_KEY",
    ],
)
def test_production_refuses_to_start_without_each_secret(missing):
    # Set empty rather than left out: a .env beside manage.py (the demo writes its key there)
    # must not fill it in.
    result = run_manage("config.settings.production", "check", env={**PRODUCTION_ENV, missing: ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


def test_production_refuses_a_development_secret_key_and_sqlite():
    result = run_manage(
        "config.settings.production", "check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"}
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DATABASE_URL"}
    result = run_manage("config.settings.production", "check", env=env)
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_production_with_secrets_passes_the_deployment_checks_without_a_warning():
    result = run_manage(
        "config.settings.production", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_media_in_a_bucket_without_a_separate_private_bucket():
    bucket = {**PRODUCTION_ENV, "AWS_STORAGE_BUCKET_NAME": "phialo-media"}
    private = "AWS_PRIVATE_STORAGE_BUCKET_NAME"
    without = run_manage("config.settings.production", "check", env=bucket)
    same = run_manage("config.settings.production", "check", env={**bucket, private: "phialo-media"})
    separate = run_manage("config.settings.production", "check", env={**bucket, private: "phialo-private"})

    for refused in (without, same):
        assert refused.returncode != 0 and "AWS_PRIVATE_STORAGE_BUCKET_NAME" in refused.stderr
    assert separate.returncode == 0, separate.stderr


def test_the_private_media_directory_may_not_be_inside_the_public_one(tmp_path):
    env = {"DJANGO_MEDIA_ROOT": str(tmp_path), "DJANGO_PRIVATE_MEDIA_ROOT": str(tmp_path / "private")}
    result = run_manage("config.settings.local", "check", env=env)
    assert result.returncode != 0 and "DJANGO_PRIVATE_MEDIA_ROOT" in result.stderr
