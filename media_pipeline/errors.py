"""Why a processing run stops, sorted by what to do about it.

``MediaInputError``: the upload itself is unusable (not a video, empty, truncated, a codec we
cannot decode). Retrying cannot help; the asset ends ``failed`` with ``str(error)`` as the reason.
``MediaTransientError``: the machine or a service failed (storage, a killed ffmpeg); the task
retries with backoff. ``RunSuperseded``: a newer run took the asset over; this one quietly stops.
"""


class MediaError(Exception):
    """Base of the pipeline's own errors."""


class MediaInputError(MediaError):
    """The source cannot become a video; the message is shown to staff as the failure reason."""


class MediaTransientError(MediaError):
    """Worth retrying: nothing about the source is known to be wrong."""


class RunSuperseded(MediaError):
    """Another run claimed the asset after this one started; this run must not publish."""
