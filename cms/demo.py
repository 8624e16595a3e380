"""Demo content for the catalogue: the site tree in German and English, and videos.

Every function is idempotent: what exists (found by slug) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, Level, LibraryIndexPage, VideoPage
from cms.services import page_translate

# (German title, English title, level, minutes, price or None for free)
TOPICS = [
    (
        "Ringschiene sägen und feilen",
        "Sawing and filing a ring shank",
        Level.BEGINNER,
        14,
        None,
    ),
    (
        "Löten mit dem Mikrobrenner",
        "Soldering with a micro torch",
        Level.BEGINNER,
        22,
        "9.00",
    ),
    (
        "Krappenfassung für Solitäre",
        "Prong settings for solitaires",
        Level.INTERMEDIATE,
        31,
        "19.00",
    ),
    (
        "Zargenfassung aus Feingold",
        "Fine gold bezel settings",
        Level.INTERMEDIATE,
        27,
        "19.00",
    ),
    (
        "Granulation nach etruskischer Art",
        "Etruscan granulation",
        Level.ADVANCED,
        45,
        "29.00",
    ),
    (
        "Oberflächen: Mattieren und Polieren",
        "Finishes: matting and polishing",
        Level.BEGINNER,
        18,
        "9.00",
    ),
    (
        "Wachsmodellieren für den Guss",
        "Wax carving for casting",
        Level.INTERMEDIATE,
        38,
        "24.00",
    ),
    ("Emaille auf Silber", "Enamel on silver", Level.ADVANCED, 41, "29.00"),
    (
        "Ketten selbst herstellen",
        "Making your own chains",
        Level.INTERMEDIATE,
        26,
        "14.00",
    ),
    ("Scharniere für Medaillons", "Hinges for lockets", Level.ADVANCED, 36, "24.00"),
    (
        "Entwurf: vom Skizzenbuch zum Schmuckstück",
        "Design: from sketchbook to jewel",
        Level.BEGINNER,
        20,
        None,
    ),
    (
        "Steine einschätzen und kaufen",
        "Judging and buying gemstones",
        Level.BEGINNER,
        16,
        "9.00",
    ),
]

Progress = Callable[[str, int, int], None]


def _locales() -> tuple[Locale, Locale]:
    german, _ = Locale.objects.get_or_create(language_code="de")
    english, _ = Locale.objects.get_or_create(language_code="en")
    return german, english


@transaction.atomic
def seed_site_tree() -> tuple[HomePage, LibraryIndexPage]:
    """Wagtail's root holds the German home (the default site's root page) and its English
    translation side by side, so one site serves both locale trees (see cms.models)."""
    german, english = _locales()
    # Wagtail's migrations create the root; a database emptied by `flush` no longer has it.
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root", locale=german)
    home = HomePage.objects.filter(locale=german, depth=2).first()
    if home is None:
        # Wagtail's migrations leave a placeholder "Welcome" page (slug "home") and a site on it.
        Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page)).delete()
        home = root.add_child(
            instance=HomePage(
                title="Phialo Schmuckdesign",
                slug="home",
                locale=german,
                intro="Videokurse und Beratung aus der Goldschmiede.",
            )
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "site_name": "Phialo",
            "root_page": home,
        },
    )
    if not home.has_translation(english):
        page_translate(
            page=home,
            locale=english,
            texts={
                "title": "Phialo Jewellery Design",
                "intro": "Video courses and consultations from the goldsmith's bench.",
            },
        )

    library = LibraryIndexPage.objects.child_of(home).first()
    if library is None:
        library = home.add_child(
            instance=LibraryIndexPage(
                title="Bibliothek",
                slug="bibliothek",
                intro="Alle Videos der Goldschmiede.",
            )
        )
    if not library.has_translation(english):
        page_translate(
            page=library,
            locale=english,
            texts={
                "title": "Library",
                "slug": "library",
                "intro": "Every video from the workshop.",
            },
        )
    return home, library


def seed_videos(library: LibraryIndexPage, count: int, progress: Progress) -> list[VideoPage]:
    """``count`` video pages in German, each translated into English."""
    _, english = _locales()
    existing = {page.slug: page for page in VideoPage.objects.child_of(library)}
    videos = []
    for number in range(1, count + 1):
        slug = f"video-{number}"
        page = existing.get(slug)
        if page is None:
            page = _create_video(library, english, number, slug)
        videos.append(page)
        progress("videos", number, count)
    return videos


@transaction.atomic
def _create_video(library: LibraryIndexPage, english: Locale, number: int, slug: str) -> VideoPage:
    title_de, title_en, level, minutes, price = TOPICS[(number - 1) % len(TOPICS)]
    part = (number - 1) // len(TOPICS) + 1
    suffix = f" ({part})" if part > 1 else ""
    page = library.add_child(
        instance=VideoPage(
            title=f"{title_de}{suffix}",
            slug=slug,
            summary=f"Schritt für Schritt an der Werkbank: {title_de}.",
            duration_seconds=minutes * 60,
            level=level,
            price=Decimal(price) if price else None,
            included_in_subscription=price is not None,
        )
    )
    page_translate(
        page=page,
        locale=english,
        texts={
            "title": f"{title_en}{suffix}",
            "summary": f"Step by step at the bench: {title_en}.",
        },
    )
    return page
