import importlib

from django.apps import AppConfig

# allauth 65.21 reaches ``cryptography`` and ``jwt`` through lazy module proxies. Once some other
# code has imported ``cryptography.hazmat.primitives`` (but not its ``serialization`` submodule),
# the proxy hands out the real package and ``...primitives.serialization`` is missing: every
# RS256 login of the app client fails with an AttributeError. Importing the submodules allauth
# uses up front makes them attributes of their packages. tests/accounts/test_app_tokens.py logs
# in with RS256 tokens to keep this honest.
ALLAUTH_JWT_MODULES = (
    "cryptography.hazmat.backends",
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.ciphers",
    "cryptography.hazmat.primitives.serialization",
    "cryptography.x509",
    "jwt.algorithms",
)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        for module in ALLAUTH_JWT_MODULES:
            importlib.import_module(module)

        from accounts import receivers

        receivers.connect()
