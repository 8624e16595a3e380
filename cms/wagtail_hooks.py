from wagtail.snippets.models import register_snippet

from cms.models import Category

register_snippet(Category)
