"""A shopper changes their e-mail address: the new one counts only once it is verified."""

from urllib.parse import unquote

from allauth.account.models import EmailAddress


def log_in(browser, mailbox, email):
    browser.post("/auth/code/request", {"email": email})
    assert browser.post("/auth/code/confirm", {"code": mailbox.last(to=email).code}).status_code == 200


def test_a_new_address_is_verified_by_a_link_before_it_can_become_primary(browser, mailbox, shopper):
    astro = browser()
    log_in(astro, mailbox, shopper.email)

    assert astro.post("/account/email", {"email": "neu@example.com"}).status_code == 200
    added = EmailAddress.objects.get(user=shopper, email="neu@example.com")
    assert not added.verified and not added.primary
    refused = astro.client.patch(
        astro.url("/account/email"),
        {"email": "neu@example.com", "primary": True},
        content_type="application/json",
        headers=astro._csrf_header(),
    )
    assert refused.status_code == 400  # an unverified address never becomes the login address

    link = mailbox.last(to="neu@example.com").link_to("http://localhost:4321/account/verify-email/")
    key = unquote(link.rstrip("/").rsplit("/", 1)[-1])
    assert astro.post("/auth/email/verify", {"key": key}).status_code == 200
    made_primary = astro.client.patch(
        astro.url("/account/email"),
        {"email": "neu@example.com", "primary": True},
        content_type="application/json",
        headers=astro._csrf_header(),
    )
    assert made_primary.status_code == 200
    shopper.refresh_from_db()
    assert shopper.email == "neu@example.com"
