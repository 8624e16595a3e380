"""django-allauth: headless sign-in by e-mailed code and social login, staff second factor."""

from config.settings.environment import DEBUG, FRONTEND_URL, TRUSTED_PROXY_COUNT, env

# ------------------------------------------------------------------------------
# django-allauth (headless; e-mail is the login identifier)
# ------------------------------------------------------------------------------
# Shoppers never have a password. The e-mailed login code is the way in and the way to sign up:
# a sign-up asks for the address only and must pass the same code stage as a log-in (a sign-up
# has no earlier authentication; a social login has one and skips it). Signing up with an address
# that already has an account mails a login code for that account (accounts/adapters.py), so
# ``POST /_allauth/<client>/v1/auth/signup`` then ``.../auth/code/confirm`` is one flow for
# everyone; returning shoppers may also use ``.../auth/code/request``.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 2  # new codes per request; then the shopper starts over
# Counted in the cache (Redis in production, shared by every process). One budget per address
# for every code mailed to it (requests and sign-ups; resends are capped above) and one per IP.
# ``login_failed`` counts wrong passwords (allauth's login and reauthentication, and the Wagtail
# and Django admin logins through accounts/staff_login.py) and wrong second-factor codes (allauth's
# and /staff/2fa/verify/), per client address and per account; once spent, even the right one is
# refused until the window passes.
ACCOUNT_RATE_LIMITS = {
    "request_login_code": "20/m/ip,3/10m/key",
    "signup": "20/m/ip",
    "login_failed": "10/m/ip,50/h/ip,5/5m/key,20/h/key",
}
# Wagtail's login, the one staff use, spends the same budget.
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.staff_login.StaffLoginForm"
# The per-IP limits key on the client's address as core.http.client_ip finds it.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # the subjects name Phialo themselves
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
HEADLESS_ONLY = True
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{FRONTEND_URL}/account/verify-email/{{key}}",
    "account_reset_password_from_key": f"{FRONTEND_URL}/account/password/reset/{{key}}",
    "account_signup": f"{FRONTEND_URL}/account/signup",
    "socialaccount_login_error": f"{FRONTEND_URL}/account/provider/callback",
    # Ours, not allauth's: the page the login-code e-mail links to, with ?code=...&email=... added.
    "account_login_code": f"{FRONTEND_URL}/account/login/code",
}
# The app client gets short-lived JWT access tokens and rotating refresh tokens; the browser
# client keeps Django's session cookie. Tokens are checked against their session, so logging out
# ends them at once. Production signs with RS256 and refuses to start without the RSA key (PEM;
# line breaks may be written as \n). Unset elsewhere, allauth signs with HS256 and SECRET_KEY:
# nothing is generated or written to disk, and tokens die with the development secret.
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.JWTTokenStrategy"  # noqa: S105 (a class path)
HEADLESS_JWT_PRIVATE_KEY = env.str("HEADLESS_JWT_PRIVATE_KEY", default="", multiline=True)
HEADLESS_JWT_ALGORITHM = "RS256" if HEADLESS_JWT_PRIVATE_KEY else "HS256"
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = 5 * 60
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = 14 * 24 * 60 * 60
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
# A social login whose address the provider reports as verified signs in to the account with that
# address and is connected to it; an unverified address never does (accounts/social.py).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_QUERY_EMAIL = True
# We only need who the person is, not access to their provider account afterwards.
SOCIALACCOUNT_STORE_TOKENS = False
# The redirect URI to register with each provider is {BACKEND_URL}/accounts/<provider>/login/callback/
# (allauth.urls, mounted at accounts/ in config/urls.py); Apple's redirect flow answers there by POST.
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": [
            {
                "client_id": env("GOOGLE_CLIENT_ID", default=""),
                "secret": env("GOOGLE_CLIENT_SECRET", default=""),
            }
        ],
        "SCOPE": ["openid", "email", "profile"],
    },
    "apple": {
        "APPS": [
            {
                "client_id": env("APPLE_CLIENT_ID", default=""),  # the Services ID
                "secret": env("APPLE_KEY_ID", default=""),
                "key": env("APPLE_TEAM_ID", default=""),
                # The .p8 key; in a one-line variable its line breaks may be written as \n.
                "settings": {"certificate_key": env.str("APPLE_PRIVATE_KEY", default="", multiline=True)},
            }
        ],
    },
    "github": {
        "APPS": [
            {
                "client_id": env("GITHUB_CLIENT_ID", default=""),
                "secret": env("GITHUB_CLIENT_SECRET", default=""),
            }
        ],
        "SCOPE": ["user:email"],
    },
}
# A provider is offered only when every credential it needs is configured: a half-configured one
# would be listed to clients and then fail at the token exchange.
SOCIALACCOUNT_PROVIDERS = {
    name: conf
    for name, conf in SOCIALACCOUNT_PROVIDERS.items()
    if all(conf["APPS"][0][field] for field in ("client_id", "secret", "key") if field in conf["APPS"][0])
    and all(conf["APPS"][0].get("settings", {}).values())
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
