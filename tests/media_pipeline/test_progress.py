"""Watch progress: completion counts seconds actually played, not where the playhead went."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from freezegun import freeze_time

from media_pipeline.models import VideoAsset, WatchProgress
from media_pipeline.progress import MAX_RANGES_PER_REPORT, ranges_merge, ranges_seconds
from media_pipeline.selectors import course_progress_for, progress_for
from tests.media_pipeline.playback_fixtures import *  # noqa: F403

DURATION = 10.0  # the sample clip


def test_ranges_merge_into_their_union():
    assert ranges_merge([[0, 2], [5, 6]], [[1, 3], [6, 7], [9, 9]]) == [[0.0, 3.0], [5.0, 7.0]]
    assert ranges_seconds(ranges_merge([[0, 4], [2, 6], [2, 6]])) == 6.0
    assert ranges_merge([]) == []


@pytest.fixture
def viewer(customer, buy, playable):
    buy(customer, playable.video)
    client = Client()
    client.force_login(customer)
    return client


def _report(client, playable, position, ranges, key=None):
    return client.put(
        f"/api/v1/me/progress/{key or playable.key}/",
        {"position_seconds": position, "watched_ranges": ranges},
        content_type="application/json",
    )


def _sample_duration(playable) -> float:
    VideoAsset.objects.filter(pk=playable.asset.pk).update(duration=DURATION)
    return DURATION


@pytest.mark.django_db
def test_skipping_to_the_end_does_not_complete(viewer, playable):
    _sample_duration(playable)
    body = _report(viewer, playable, 9.9, [[0, 1], [9.5, 9.9]]).json()
    assert body["completed"] is False
    assert body["watched_seconds"] == pytest.approx(1.4)
    assert body["position_seconds"] == 9.9
    assert body["resume_at_seconds"] == 0  # near the end: start again


@pytest.mark.django_db
def test_watching_ninety_percent_completes_and_stays_completed(viewer, playable):
    _sample_duration(playable)
    with freeze_time("2026-11-21 10:00:00"):
        first = _report(viewer, playable, 5, [[0, 5]]).json()
        assert first["completed"] is False and first["percent"] == 50
        done = _report(viewer, playable, 9, [[4.5, 9]]).json()
    assert done["completed"] is True and done["percent"] == 100
    assert done["completed_at"] == "2026-11-21T10:00:00Z"
    assert done["watched_ranges"] == [[0, 9]]
    # Watching part of it again later changes nothing about completion.
    again = _report(viewer, playable, 2, [[0, 2]]).json()
    assert again["completed"] is True and again["resume_at_seconds"] == 2


@pytest.mark.django_db
def test_reports_merge_with_what_is_stored(viewer, playable):
    _sample_duration(playable)
    _report(viewer, playable, 3, [[0, 3]])
    _report(viewer, playable, 8, [[6, 8]])
    body = _report(viewer, playable, 7, [[2, 7], [6.5, 6.9]]).json()
    assert body["watched_ranges"] == [[0, 8]]
    assert body["watched_seconds"] == 8
    stored = WatchProgress.objects.get(video_key=playable.key)
    assert stored.watched_ranges == [[0, 8]] and stored.position_seconds == 7


@pytest.mark.django_db
def test_a_little_past_the_end_is_cut_off_and_further_is_refused(viewer, playable):
    _sample_duration(playable)
    body = _report(viewer, playable, 11, [[8, 11]]).json()
    assert body["watched_ranges"] == [[8, 10]] and body["position_seconds"] == 10
    response = _report(viewer, playable, 5, [[0, 30]])
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"watched_ranges"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"position_seconds": 1, "watched_ranges": [[3, 2]]}, "watched_ranges"),
        ({"position_seconds": 1, "watched_ranges": [[2, 2]]}, "watched_ranges"),
        ({"position_seconds": 1, "watched_ranges": [[-1, 2]]}, "watched_ranges"),
        ({"position_seconds": 1, "watched_ranges": [[1, 2, 3]]}, "watched_ranges"),
        ({"position_seconds": 1, "watched_ranges": [["a", 2]]}, "watched_ranges"),
        ({"position_seconds": 1, "watched_ranges": "0-2"}, "watched_ranges"),
        (
            {"position_seconds": 1, "watched_ranges": [[0, 0.01]] * (MAX_RANGES_PER_REPORT + 1)},
            "watched_ranges",
        ),
        ({"position_seconds": -3, "watched_ranges": []}, "position_seconds"),
        ({"position_seconds": "soon", "watched_ranges": []}, "position_seconds"),
        ({"watched_ranges": []}, "position_seconds"),
        ({"position_seconds": 1}, "watched_ranges"),
    ],
)
def test_bad_reports_are_refused_in_the_error_shape(viewer, playable, body, field):
    response = viewer.put(f"/api/v1/me/progress/{playable.key}/", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not WatchProgress.objects.exists()


@pytest.mark.django_db
def test_not_a_number_is_refused(viewer, playable):
    response = viewer.put(
        f"/api/v1/me/progress/{playable.key}/",
        '{"position_seconds": NaN, "watched_ranges": []}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"parse_error", "invalid"}


@pytest.mark.django_db
def test_only_viewers_with_access_record_progress(playable, make_user):
    anonymous = _report(Client(), playable, 1, [[0, 1]])
    assert anonymous.status_code == 401
    client = Client()
    client.force_login(make_user("neu@example.com"))
    refused = _report(client, playable, 1, [[0, 1]])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "purchase_required"
    # A free video: anyone signed in.
    assert _report(client, playable, 1, [[0, 1]], key=playable.free_key).status_code == 200
    assert _report(client, playable, 1, [[0, 1]], key=uuid.uuid4()).status_code == 404


@pytest.mark.django_db
def test_progress_reads_back_zero_before_the_first_report(viewer, playable):
    _sample_duration(playable)
    response = viewer.get(f"/api/v1/me/progress/{playable.key}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "video_id": str(playable.key),
        "position_seconds": 0.0,
        "resume_at_seconds": 0.0,
        "watched_seconds": 0.0,
        "watched_ranges": [],
        "duration_seconds": DURATION,
        "percent": 0,
        "completed": False,
        "completed_at": None,
    }
    _report(viewer, playable, 4, [[0, 4]])
    assert viewer.get(f"/api/v1/me/progress/{playable.key}/").json()["resume_at_seconds"] == 4


# ---- For the library: progress of many videos and courses, in one query ------------------------


@pytest.mark.django_db
def test_progress_of_videos_and_courses_in_one_query(viewer, customer, playable, django_assert_num_queries):
    _sample_duration(playable)
    catalog = playable.catalog
    _report(viewer, playable, 9, [[0, 9]])  # video 1 completed
    second = catalog.videos[1].translation_key
    WatchProgress.objects.create(user=customer, video_key=second, position_seconds=30, duration_seconds=600)
    lessons = {catalog.course.translation_key: [playable.key, second]}
    with django_assert_num_queries(1):
        videos = progress_for(customer, [playable.key, second, catalog.videos[2].translation_key])
    assert set(videos) == {playable.key, second}
    assert videos[playable.key].completed and videos[second].resume_at_seconds == 30
    with django_assert_num_queries(1):
        courses = course_progress_for(customer, lessons)
    course = courses[catalog.course.translation_key]
    assert (course.completed_lessons, course.total_lessons, course.percent) == (1, 2, 50)
    assert course.next_lesson == second and not course.completed
    assert progress_for(None, [playable.key]) == {}
