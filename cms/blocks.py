"""The one StreamField vocabulary every page uses."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"


class BodyBlock(blocks.StreamBlock):
    """Long text: the description of a video, course or bundle."""

    heading = blocks.CharBlock(form_classname="title", icon="title")
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])
    image = ImageBlock()
    quote = blocks.BlockQuoteBlock()


class ChapterBlock(blocks.StructBlock):
    """A jump mark in a video. The time is shared by every language; the title is translated."""

    start_seconds = blocks.IntegerBlock(min_value=0)
    title = blocks.CharBlock()

    class Meta:
        icon = "time"


class SectionBlock(blocks.StructBlock):
    """A course section: a title and its lessons, in order."""

    title = blocks.CharBlock()
    lessons = blocks.ListBlock(blocks.PageChooserBlock(page_type="cms.VideoPage"))

    class Meta:
        icon = "list-ol"


class BundleItemBlock(blocks.StreamBlock):
    video = blocks.PageChooserBlock(page_type="cms.VideoPage")
    course = blocks.PageChooserBlock(page_type="cms.CoursePage")
