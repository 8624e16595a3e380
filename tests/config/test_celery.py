"""Celery is configured so that no task is lost when a worker dies mid-task."""

from config.celery_app import app


def test_tasks_survive_a_dying_worker():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_visibility_timeout_outlasts_the_longest_task():
    # Otherwise Redis hands a running task to a second worker.
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_tasks_run_in_process_without_a_broker(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
