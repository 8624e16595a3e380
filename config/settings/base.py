"""Settings shared by every environment, one module per concern, in the order they build on
each other (each imports what it uses from the ones before it).

Every value is read from the environment (django-environ) with the embedded default that
needs nothing installed: SQLite, eager Celery, local-memory cache, console e-mail, local media.
``production.py`` only hardens; ``test.py`` only speeds up. ``.env.example`` lists every variable.
"""

from oscar.defaults import *  # noqa: F403  (Oscar's settings, overridden below where needed)

from config.settings.api import *  # noqa: F403
from config.settings.apps import *  # noqa: F403
from config.settings.auth import *  # noqa: F403
from config.settings.background import *  # noqa: F403
from config.settings.commerce import *  # noqa: F403
from config.settings.content import *  # noqa: F403
from config.settings.environment import *  # noqa: F403
