"""Shapes of the playback and progress API: what the views answer, and the progress report they
accept. The answers are built from :mod:`media_pipeline.playback`'s dataclasses and
:class:`~media_pipeline.selectors.ProgressSummary`."""

from __future__ import annotations

from datetime import UTC

from rest_framework import serializers

from media_pipeline.progress import MAX_RANGES_PER_REPORT


class CaptionSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="de | en")
    label = serializers.CharField()
    url = serializers.URLField(help_text="WebVTT")


class WatermarkSerializer(serializers.Serializer):
    text = serializers.CharField(
        source="watermark_text",
        allow_null=True,
        help_text="Lay it over the picture (the viewer's masked e-mail, a viewer code and the date); "
        "null for an anonymous viewer of a free video.",
    )


class PlaybackSerializer(serializers.Serializer):
    hls_url = serializers.URLField(
        help_text="The master playlist (HLS, AES-128). Signed for this viewer until `expires_at`; "
        "start playback again after that, or when a playlist or the key answers 403, 404 or 410."
    )
    expires_at = serializers.DateTimeField(default_timezone=UTC)
    poster = serializers.URLField(allow_null=True)
    storyboard_vtt = serializers.URLField(
        allow_null=True, help_text="WebVTT of thumbnail cues (`storyboard.jpg#xywh=x,y,w,h`, relative to it)"
    )
    captions = CaptionSerializer(many=True)
    watermark = WatermarkSerializer(source="*")
    resume_at_seconds = serializers.FloatField(
        help_text="Where the viewer stopped; 0 for a first viewing or when they had reached the end."
    )
    duration_seconds = serializers.FloatField()


class PreviewSerializer(serializers.Serializer):
    hls_url = serializers.URLField(help_text="The preview's playlist (HLS, unencrypted), for anyone")
    poster = serializers.URLField(allow_null=True)
    preview_seconds = serializers.IntegerField()
    captions = CaptionSerializer(many=True)


class UnlockingOfferPriceSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text='string decimal, e.g. "19.00"')
    currency = serializers.CharField()


class UnlockingOfferSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        allow_null=True,
        help_text="the item's translation key (add it to the basket by its product); null for the "
        "subscription (subscribe through /api/v1/subscriptions/plans/)",
    )
    kind = serializers.ChoiceField(
        choices=["video", "course", "bundle", "subscription"],
        help_text="`subscription`: the video is included; `price` is the cheapest plan per month",
    )
    title = serializers.CharField()
    slug = serializers.CharField()
    price = UnlockingOfferPriceSerializer()
    url_path = serializers.CharField()
    locale = serializers.CharField()


class RefusalBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="not_authenticated (401) | purchase_required (403)")
    message = serializers.CharField()
    fields = serializers.DictField()
    offers = UnlockingOfferSerializer(
        many=True, help_text="What buying would unlock the video, the video first"
    )


class RefusalSerializer(serializers.Serializer):
    error = RefusalBodySerializer()


class ProgressReportSerializer(serializers.Serializer):
    position_seconds = serializers.FloatField(min_value=0, help_text="the playhead")
    watched_ranges = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(min_value=0), min_length=2, max_length=2),
        max_length=MAX_RANGES_PER_REPORT,
        help_text="[[start, end], ...] in seconds actually played (e.g. the player's `played` "
        "ranges, or what was played since the last report); merged with what is stored.",
    )

    def validate_watched_ranges(self, ranges: list[list[float]]) -> list[list[float]]:
        for index, (start, end) in enumerate(ranges):
            if start >= end:
                raise serializers.ValidationError(f"Range {index} must start before it ends.")
        return ranges


class ProgressSerializer(serializers.Serializer):
    video_id = serializers.UUIDField(source="video_key")
    position_seconds = serializers.FloatField()
    resume_at_seconds = serializers.FloatField()
    watched_seconds = serializers.FloatField(help_text="seconds actually played (the union of the ranges)")
    watched_ranges = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    duration_seconds = serializers.FloatField()
    percent = serializers.IntegerField(help_text="share actually played, 0-100")
    completed = serializers.BooleanField(help_text="90 % of the seconds played, at some time")
    completed_at = serializers.DateTimeField(allow_null=True, default_timezone=UTC)
