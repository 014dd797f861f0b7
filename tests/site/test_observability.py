"""Logs, Sentry, metrics and friendly error pages."""

import copy
import json
import logging
from contextlib import contextmanager

import pytest
from celery.app.trace import build_tracer
from celery.signals import setup_logging
from django.db import OperationalError
from django.test import RequestFactory

from aysekai_site import sentry
from aysekai_site.celery import app
from aysekai_site.logs import JsonFormatter, RequestContextFilter
from aysekai_site.platform.request_context import current_request, task_request_id
from aysekai_site.tasks import ping
from tests.factories import MeditationSessionFactory

pytestmark = pytest.mark.django_db
SECRET = "zq-journal-secret-xv"


class TestLogs:
    def capture(self, caplog):
        records = [r for r in caplog.records if r.name == "aysekai.requests"]
        assert records
        return records[-1]

    def test_it_logs_one_json_line_per_request_with_context(self, client, user, caplog):
        client.force_login(user)
        with caplog.at_level(logging.INFO, logger="aysekai.requests"):
            response = client.get("/journal/", {"q": SECRET}, HTTP_X_REQUEST_ID="req-abcdef12")
        record = self.capture(caplog)
        RequestContextFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
        assert line["path"] == "/journal/"
        assert line["status"] == 200
        assert line["duration_ms"] >= 0
        assert line["view"] == "meditation:journal"
        assert line["request_id"] == response["X-Request-ID"] == "req-abcdef12"
        assert line["user_id"] == user.pk
        assert {"timestamp", "level", "message"} <= set(line)
        assert SECRET not in json.dumps(line)  # no query string, ever

    def test_it_never_logs_journal_text_or_passwords(self, client, user, caplog):
        client.force_login(user)
        entry = MeditationSessionFactory(user=user)
        with caplog.at_level(logging.DEBUG):
            client.post(f"/journal/{entry.pk}/edit/", {"reflection": SECRET, "mood": ""})
            client.post("/accounts/login/", {"username": user.email, "password": SECRET})
        assert SECRET not in caplog.text

    def test_it_redacts_password_reset_tokens(self, client, caplog):
        with caplog.at_level(logging.INFO, logger="aysekai.requests"):
            client.get("/accounts/password_reset/MQ/abc123-secrettoken/")
        record = self.capture(caplog)
        assert "secrettoken" not in record.getMessage()
        assert record.path == "/accounts/password_reset/[redacted]/[redacted]/"

    def test_it_formats_exceptions(self):
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            record = logging.LogRecord(
                "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
            )
        line = json.loads(JsonFormatter().format(record))
        assert "ValueError: boom" in line["exception"]


@contextmanager
def task_lines(caplog):
    """Celery's "Task ... succeeded" records, with the context the console handler adds."""
    context = RequestContextFilter()
    caplog.handler.addFilter(context)
    try:
        with caplog.at_level(logging.INFO, logger="celery.app.trace"):
            yield lambda name: [
                r for r in caplog.records if r.name == "celery.app.trace" and name in r.getMessage()
            ]
    finally:
        caplog.handler.removeFilter(context)


@contextmanager
def serving(request_id: str):
    request = RequestFactory().get("/")
    request.request_id = request_id
    token = current_request.set(request)
    try:
        yield request
    finally:
        current_request.reset(token)


def run_as_a_worker_does(task, task_id: str, **headers):
    """Run the task through Celery's tracer with a request built from these message headers."""
    build_tracer(task.name, task, eager=True, app=app)(task_id, (), {}, {"id": task_id, **headers})


@pytest.fixture
def logging_state():
    """Put the test run's logging back after a test configures it afresh."""
    loggers = [logging.root, *logging.Logger.manager.loggerDict.values()]
    saved = [
        (logger, logger.handlers[:], logger.level, logger.propagate, logger.disabled)
        for logger in loggers
        if isinstance(logger, logging.Logger)
    ]
    yield
    for logger, handlers, level, propagate, disabled in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


class TestTaskLogs:
    @pytest.mark.django_db(transaction=True)
    def test_it_gives_a_task_queued_by_a_request_that_requests_id(self, signed_in, caplog):
        # Eager, and transactional so that the task is sent on the request's own commit, as in
        # production: the export runs inside the request that asked for it.
        with task_lines(caplog) as lines:
            response = signed_in.post(
                "/exports/", {"format": "csv"}, HTTP_X_REQUEST_ID="req-export-0001"
            )
        (record,) = lines("meditation.build_export")
        assert record.request_id == response["X-Request-ID"] == "req-export-0001"
        assert record.task_id == record.args["id"]
        line = json.loads(JsonFormatter().format(record))
        assert line["request_id"] == "req-export-0001"
        assert line["task_id"] == record.args["id"]

    def test_it_gives_a_task_the_request_id_its_message_carries(self, caplog):
        with task_lines(caplog) as lines:
            run_as_a_worker_does(ping, "task-0001", request_id="req-queued-0001")
        (record,) = lines("aysekai_site.ping")
        assert (record.request_id, record.task_id) == ("req-queued-0001", "task-0001")
        assert task_request_id.get() is None  # the next task starts with no request

    def test_it_logs_a_dash_for_a_task_no_request_queued(self, caplog):
        with task_lines(caplog) as lines:
            run_as_a_worker_does(ping, "task-0002")
        (record,) = lines("aysekai_site.ping")
        assert (record.request_id, record.task_id) == ("-", "task-0002")
        assert "task_id" not in json.loads(JsonFormatter().format(logging.makeLogRecord({})))


class TestTaskHeaders:
    @pytest.fixture
    def published(self):
        """Publish ping to an in-memory broker; answer the message's headers."""
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False

        def publish() -> dict:
            with app.connection_for_write("memory://") as connection:
                ping.apply_async(connection=connection, ignore_result=True)
                message = connection.SimpleQueue(app.conf.task_default_queue).get(timeout=5)
                message.ack()
            return message.headers

        yield publish
        app.conf.task_always_eager = eager

    def test_it_puts_the_request_id_in_the_message(self, published):
        with serving("req-publish-0001"):
            headers = published()
        assert headers["task"] == "aysekai_site.ping"
        assert headers["request_id"] == "req-publish-0001"

    def test_it_passes_a_tasks_request_id_on_to_the_tasks_it_queues(self, published):
        token = task_request_id.set("req-parent-0001")
        try:
            headers = published()
        finally:
            task_request_id.reset(token)
        assert headers["request_id"] == "req-parent-0001"

    def test_it_adds_no_request_id_outside_requests_and_tasks(self, published):
        assert "request_id" not in published()


class TestWorkerLogging:
    def test_it_configures_workers_and_beat_with_djangos_logging(self, settings, logging_state):
        config = copy.deepcopy(settings.LOGGING)
        config["handlers"]["console"]["formatter"] = "json"  # as in production
        settings.LOGGING = config
        logging.root.handlers = []  # as a worker starts, before anything is configured

        # What Celery sends when a worker or beat starts; it configures nothing itself then.
        setup_logging.send(
            sender=None, loglevel=logging.DEBUG, logfile=None, format="", colorize=False
        )

        (handler,) = logging.root.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert [type(f) for f in handler.filters] == [RequestContextFilter]
        assert logging.getLogger("django").handlers == [handler]
        assert logging.root.level == logging.getLevelName(settings.LOG_LEVEL)  # not --loglevel


class TestSentry:
    @pytest.fixture
    def events(self, settings):
        import sentry_sdk
        from sentry_sdk.transport import Transport

        captured = []

        class Capture(Transport):
            def capture_envelope(self, envelope):
                for item in envelope.items:
                    if item.type == "event":
                        captured.append(item.payload.json)

        sentry.init_sentry(
            "https://public@sentry.example/1", environment="test", release="abc123",
            transport=Capture,
        )  # fmt: skip
        yield captured
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)

    def test_it_sends_no_journal_text_body_cookies_or_locals(
        self, events, client, user, monkeypatch
    ):
        from meditation.journal import views as journal_views

        client.force_login(user)
        entry = MeditationSessionFactory(user=user, intention=SECRET)

        def explode(*args, **kwargs):
            intention = entry.intention  # a local holding journal text  # noqa: F841
            raise RuntimeError("edit failed")

        monkeypatch.setattr(journal_views.audit, "record", explode)
        client.raise_request_exception = False
        response = client.post(
            f"/journal/{entry.pk}/edit/?q={SECRET}", {"reflection": SECRET, "mood": "calm"}
        )
        assert response.status_code == 500
        assert events, "no event was captured"
        payload = json.dumps(events)
        assert SECRET not in payload
        event = events[-1]
        assert event["environment"] == "test"
        assert event["release"] == "abc123"
        assert "data" not in event.get("request", {})
        assert "cookies" not in event.get("request", {})
        assert "sessionid" not in payload

    def test_scrub_filters_sensitive_keys_everywhere(self):
        event = {
            "request": {"data": {"reflection": SECRET}, "query_string": "q=x", "url": "https://a/b?q=1",
                        "headers": {"Cookie": "sessionid=1", "User-Agent": "ua"}},
            "extra": {"intention": SECRET, "nested": [{"password": SECRET}]},
            "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"x": SECRET}}]}}]},
            "breadcrumbs": {"values": [{"data": {"token": SECRET}}]},
        }  # fmt: skip
        scrubbed = sentry.scrub(event)
        assert SECRET not in json.dumps(scrubbed)
        assert scrubbed["request"]["url"] == "https://a/b"
        assert scrubbed["request"]["headers"] == {"User-Agent": "ua"}


class TestMetrics:
    def test_it_is_hidden_from_other_addresses(self, client):
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404

    @pytest.mark.parametrize("method", ["post", "put", "delete"])
    def test_it_is_hidden_from_other_addresses_whatever_the_method(self, client, method):
        # A 405 would tell them the endpoint exists.
        answer = getattr(client, method)("/metrics", REMOTE_ADDR="203.0.113.9")
        assert answer.status_code == 404

    def test_it_answers_only_get_and_head_to_a_scraper(self, client):
        assert client.head("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
        assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405

    def test_it_answers_a_token(self, client, settings):
        settings.METRICS_TOKEN = "s3cret-token"
        response = client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
        )
        assert response.status_code == 200
        wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer no")
        assert wrong.status_code == 404

    def test_it_reports_requests_queries_tasks_exports_and_failed_sign_ins(self, client, user):
        from meditation.journal.tasks import purge_trash
        from tests.factories import ExportJobFactory

        client.get("/names/")
        client.post("/accounts/login/", {"username": user.email, "password": "wrong one"})
        purge_trash.apply()
        ExportJobFactory(owner=user, status="failed")
        body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        assert (
            'aysekai_http_requests_total{method="GET",status="200",view="meditation:name_list"}'
            in body
        )
        assert (
            'aysekai_http_request_duration_seconds_bucket{le="0.01",view="meditation:name_list"}'
            in body
        )
        assert 'aysekai_db_queries_total{view="meditation:name_list"}' in body
        assert 'aysekai_celery_tasks_total{outcome="success",task="meditation.purge_trash"}' in body
        assert 'aysekai_exports{status="failed"} 1.0' in body
        assert "aysekai_failed_sign_ins_total" in body

    def test_it_reports_workers_alive_and_their_heartbeats_age(self, client, settings):
        import datetime

        from django.utils import timezone

        from aysekai_site.models import WorkerHeartbeat

        now = timezone.now()
        for name, role, age in (("celery@a", "worker", 3), ("celery@b", "worker", 3600)):
            WorkerHeartbeat.objects.create(
                name=name, role=role, pid=1, seen_at=now - datetime.timedelta(seconds=age)
            )
        body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        assert 'aysekai_workers_alive{role="worker"} 1.0' in body
        assert 'aysekai_workers_alive{role="beat"} 0.0' in body
        (age,) = [line for line in body.splitlines() if line.startswith("aysekai_worker_heartbeat")]
        assert age.startswith('aysekai_worker_heartbeat_age_seconds{role="worker"} ')
        assert 3 <= float(age.split()[-1]) < 60  # the latest heartbeat; beat has none

    def test_it_still_answers_without_the_heartbeats(self, client, monkeypatch, caplog):
        from aysekai_site import workers

        def down(*args):
            raise OperationalError("could not connect to server")

        monkeypatch.setattr(workers, "liveness", down)
        response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
        assert response.status_code == 200
        assert "aysekai_workers_alive{" not in response.content.decode()
        assert "aysekai_http_requests_total" in response.content.decode()
        assert "worker liveness not collected" in caplog.text


class TestErrorPages:
    @pytest.mark.parametrize(
        ("handler", "status", "text"),
        [("bad_request", 400, "could not be understood"),
         ("permission_denied", 403, "don't have access")],
    )  # fmt: skip
    def test_it_has_friendly_pages(self, handler, status, text):
        from django.core.exceptions import PermissionDenied
        from django.views import defaults

        request = RequestFactory().get("/")
        response = getattr(defaults, handler)(request, PermissionDenied())
        assert response.status_code == status
        assert text in response.content.decode()

    def test_it_explains_an_expired_form(self, client, user):
        csrf_client = client.__class__(enforce_csrf_checks=True)
        response = csrf_client.post("/accounts/login/", {"username": "a", "password": "b"})
        assert response.status_code == 403
        assert "That form had expired" in response.content.decode()

    def test_it_has_a_page_for_too_many_requests(self, client, settings):
        settings.PASSWORD_RESET_RATE = "0/h"
        response = client.post("/accounts/password_reset/", {"email": "a@example.com"})
        assert response.status_code == 429
        assert "Too many requests" in response.content.decode()
