"""Demo content for the catalogue: a believable bilingual catalogue for a goldsmith's studio.

The site tree in German and English, three categories, videos (twelve topics, repeated with a
part number when more are asked for), two courses and a bundle; some free, some included in
the subscription. Every function is idempotent: what exists (found by slug) is left alone.
"""

from __future__ import annotations

import colorsys
import io
from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from cms.models import BundlePage, Category, CoursePage, HomePage, Level, LibraryIndexPage, VideoPage
from cms.services import object_translate

Progress = Callable[[str, int, int], None]

# slug, German name, English name, German description, English description
CATEGORIES = [
    (
        "fassen",
        "Fassen",
        "Stone setting",
        "Steine sicher und schön fassen.",
        "Setting stones securely and beautifully.",
    ),
    ("loeten", "Löten und Verbinden", "Soldering and joining", "Metall verbinden.", "Joining metal."),
    (
        "entwurf",
        "Entwurf und Oberflächen",
        "Design and finishes",
        "Vom Entwurf zur Oberfläche.",
        "From design to finish.",
    ),
]
# German title, English title, level, minutes, price (None: free), category slug
TOPICS = [
    ("Ringschiene sägen und feilen", "Sawing and filing a ring shank", Level.BEGINNER, 14, None, "loeten"),
    ("Löten mit dem Mikrobrenner", "Soldering with a micro torch", Level.BEGINNER, 22, "9.00", "loeten"),
    (
        "Krappenfassung für Solitäre",
        "Prong settings for solitaires",
        Level.INTERMEDIATE,
        31,
        "19.00",
        "fassen",
    ),
    ("Zargenfassung aus Feingold", "Fine gold bezel settings", Level.INTERMEDIATE, 27, "19.00", "fassen"),
    ("Granulation nach etruskischer Art", "Etruscan granulation", Level.ADVANCED, 45, "29.00", "loeten"),
    (
        "Oberflächen: Mattieren und Polieren",
        "Finishes: matting and polishing",
        Level.BEGINNER,
        18,
        "9.00",
        "entwurf",
    ),
    ("Wachsmodellieren für den Guss", "Wax carving for casting", Level.INTERMEDIATE, 38, "24.00", "entwurf"),
    ("Emaille auf Silber", "Enamel on silver", Level.ADVANCED, 41, "29.00", "entwurf"),
    ("Ketten selbst herstellen", "Making your own chains", Level.INTERMEDIATE, 26, "14.00", "loeten"),
    ("Scharniere für Medaillons", "Hinges for lockets", Level.ADVANCED, 36, "24.00", "loeten"),
    (
        "Entwurf: vom Skizzenbuch zum Schmuckstück",
        "Design: from sketchbook to jewel",
        Level.BEGINNER,
        20,
        None,
        "entwurf",
    ),
    ("Steine einschätzen und kaufen", "Judging and buying gemstones", Level.BEGINNER, 16, "9.00", "fassen"),
]
CHAPTERS = [
    (0, "Einführung", "Introduction"),
    (90, "Werkzeug und Material", "Tools and materials"),
    (300, "An der Werkbank", "At the bench"),
    (-240, "Fertigstellen", "Finishing"),  # negative: counted back from the end
]
# slug, German title, English title, level, price, in subscription, sections (German, English, video numbers)
COURSES = [
    (
        "grundkurs-goldschmieden",
        "Grundkurs Goldschmieden",
        "Goldsmithing foundations",
        Level.BEGINNER,
        "49.00",
        True,
        [
            ("Erste Schritte", "First steps", [11, 1, 12]),
            ("Verbinden und Veredeln", "Joining and finishing", [2, 6]),
        ],
    ),
    (
        "meisterklasse-fassen",
        "Meisterklasse Fassen",
        "Master class: stone setting",
        Level.ADVANCED,
        "79.00",
        False,
        [("Fassungen", "Settings", [3, 4]), ("Für Fortgeschrittene", "Advanced work", [10, 5])],
    ),
]
BUNDLE = (
    "werkstatt-paket",
    "Werkstatt-Paket",
    "Workshop bundle",
    "89.00",
    ["course:1", "video:5", "video:8"],
)


def _published_child(parent: Page, page: Page) -> Page:
    """Add ``page`` and publish a revision of it, as an editor would, so that its product,
    thumbnails and the catalogue cache follow (``add_child`` alone sends no signal)."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


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
        defaults={"hostname": "localhost", "port": 80, "site_name": "Phialo", "root_page": home},
    )
    if not home.has_translation(english):
        object_translate(
            obj=home,
            locale=english,
            strings={
                "Phialo Schmuckdesign": "Phialo Jewellery Design",
                "Videokurse und Beratung aus der Goldschmiede.": "Video courses and advice from the bench.",
            },
        )

    library = LibraryIndexPage.objects.child_of(home).first()
    if library is None:
        library = home.add_child(
            instance=LibraryIndexPage(
                title="Bibliothek", slug="bibliothek", intro="Alle Videos der Goldschmiede."
            )
        )
    if not library.has_translation(english):
        object_translate(
            obj=library,
            locale=english,
            strings={
                "Bibliothek": "Library",
                "bibliothek": "library",
                "Alle Videos der Goldschmiede.": "Every video.",
            },
        )
    return home, library


def seed_categories() -> dict[str, Category]:
    german, english = _locales()
    categories = {}
    for slug, name_de, name_en, text_de, text_en in CATEGORIES:
        category = Category.objects.filter(slug=slug, locale=german).first()
        if category is None:
            category = Category.objects.create(
                slug=slug, name=name_de, description=text_de, locale=german, sort_order=len(categories)
            )
        if not category.has_translation(english):
            object_translate(obj=category, locale=english, strings={name_de: name_en, text_de: text_en})
        categories[slug] = category
    return categories


def _thumbnail(number: int, title: str):
    """A generated 1280x720 picture per topic: a warm gradient with a ring drawn on it."""
    image_model = get_image_model()
    name = f"demo-topic-{number}"
    existing = image_model.objects.filter(title=name).first()
    if existing:
        return existing
    hue = (number * 0.083) % 1.0
    picture = PillowImage.new("RGB", (1280, 720))
    draw = ImageDraw.Draw(picture)
    for y in range(720):
        r, g, b = colorsys.hls_to_rgb(hue, 0.25 + 0.35 * y / 720, 0.45)
        draw.line([(0, y), (1280, y)], fill=(int(r * 255), int(g * 255), int(b * 255)))
    draw.ellipse([490, 210, 790, 510], outline=(236, 200, 120), width=28)
    draw.text((40, 660), title, fill=(255, 255, 255))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=80)
    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    return image_model.objects.create(
        title=name, collection=collection, file=ImageFile(buffer, name=f"{name}.jpg")
    )


def seed_videos(library: LibraryIndexPage, count: int, progress: Progress) -> list[VideoPage]:
    """``count`` video pages in German, each translated into English."""
    _, english = _locales()
    categories = seed_categories()
    existing = {page.slug: page for page in VideoPage.objects.child_of(library)}
    videos = []
    for number in range(1, count + 1):
        slug = f"video-{number}"
        page = existing.get(slug)
        if page is None:
            page = _create_video(library, english, categories, number, slug)
        videos.append(page)
        progress("videos", number, count)
    return videos


@transaction.atomic
def _create_video(
    library: LibraryIndexPage, english: Locale, categories: dict[str, Category], number: int, slug: str
) -> VideoPage:
    topic = (number - 1) % len(TOPICS)
    title_de, title_en, level, minutes, price, category = TOPICS[topic]
    part = (number - 1) // len(TOPICS) + 1
    suffix = f" ({part})" if part > 1 else ""
    seconds = minutes * 60
    text_de = f"Schritt für Schritt an der Werkbank: {title_de}."
    text_en = f"Step by step at the bench: {title_en}."
    long_de = f"Das Phialo-Atelier zeigt: {title_de}. Mit Werkzeugliste und Tipps aus der Werkstatt."
    long_en = f"The Phialo studio shows: {title_en}. With a tool list and tips from the workshop."
    page = _published_child(
        library,
        VideoPage(
            title=f"{title_de}{suffix}",
            slug=slug,
            summary=text_de,
            description=[("paragraph", f"<p>{long_de}</p>")],
            chapters=[
                ("chapter", {"start_seconds": start if start >= 0 else seconds + start, "title": name})
                for start, name, _ in CHAPTERS
            ],
            duration_seconds=seconds,
            level=level,
            category=categories[category],
            thumbnail=_thumbnail(topic + 1, title_en),
            price=Decimal(price) if price else None,
            included_in_subscription=price is not None and level != Level.ADVANCED,
            free_preview=price is not None,
        ),
    )
    strings = {f"{title_de}{suffix}": f"{title_en}{suffix}", text_de: text_en, long_de: long_en}
    strings.update({name_de: name_en for _, name_de, name_en in CHAPTERS})
    object_translate(obj=page, locale=english, strings=strings)
    return page


def seed_courses_and_bundle(library: LibraryIndexPage, videos: list[VideoPage]) -> list:
    """Two courses and a bundle, from the videos that exist (with fewer videos, fewer lessons)."""
    _, english = _locales()
    by_number = {number: page for number, page in enumerate(videos, start=1)}
    courses = []
    for slug, title_de, title_en, level, price, included, sections in COURSES:
        course = CoursePage.objects.child_of(library).filter(slug=slug).first()
        if course is None:
            course = _create_course(
                library, english, slug, title_de, title_en, level, price, included, sections, by_number
            )
        courses.append(course)
    slug, title_de, title_en, price, refs = BUNDLE
    bundle = BundlePage.objects.child_of(library).filter(slug=slug).first()
    if bundle is None:
        blocks = []
        for ref in refs:
            kind, number = ref.split(":")
            target = courses[int(number) - 1] if kind == "course" else by_number.get(int(number))
            if target is not None:
                blocks.append((kind, target))
        text_de, text_en = (
            "Ein Kurs und zwei Meistertechniken zum Paketpreis.",
            "A course and two master techniques.",
        )
        bundle = _published_child(
            library,
            BundlePage(
                title=title_de,
                slug=slug,
                summary=text_de,
                items=blocks,
                price=Decimal(price),
                included_in_subscription=False,
                thumbnail=_thumbnail(1, title_en),
            ),
        )
        object_translate(obj=bundle, locale=english, strings={title_de: title_en, text_de: text_en})
    return [*courses, bundle]


@transaction.atomic
def _create_course(library, english, slug, title_de, title_en, level, price, included, sections, by_number):
    blocks = [
        ("section", {"title": name_de, "lessons": [by_number[n] for n in numbers if n in by_number]})
        for name_de, _name_en, numbers in sections
    ]
    text_de = f"Der Kurs {title_de}: Lektion für Lektion."
    text_en = f"The course {title_en}: lesson by lesson."
    course = _published_child(
        library,
        CoursePage(
            title=title_de,
            slug=slug,
            summary=text_de,
            level=level,
            price=Decimal(price),
            included_in_subscription=included,
            sections=blocks,
            thumbnail=_thumbnail(3, title_en),
        ),
    )
    strings = {title_de: title_en, text_de: text_en}
    strings.update({name_de: name_en for name_de, name_en, _ in sections})
    object_translate(obj=course, locale=english, strings=strings)
    return course
