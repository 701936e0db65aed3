"""The one email path: render in the recipient's language, record once, send after commit."""

import datetime as dt
import smtplib
import threading
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from copsite.celery import app as celery_app
from notifications import services
from notifications.models import Delivery
from notifications.services import deliveries_pending_ids, delivery_send
from notifications.tasks import deliver_email, requeue_pending_deliveries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_renders_in_the_recipients_language_and_time_zone(
    send_greeting, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language="fr", time_zone="Asia/Tokyo")

    with django_capture_on_commit_callbacks(execute=True):
        delivery, created = send_greeting(to=user.email, user=user)

    assert created
    assert delivery.language == "fr"
    assert delivery.subject == "[Copsite] Oui, Mei"
    assert "Oui Mei: the meeting starts at 23:00 JST." in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0] == ("<p>Hello <strong>Mei</strong></p>", "text/html")


def test_the_same_key_sends_once(send_greeting, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, first_created = send_greeting()
        again, again_created = send_greeting(to="MEMBER@example.org ")

    assert (first_created, again_created) == (True, False)
    assert again.pk == first.pk
    assert Delivery.objects.count() == 1
    assert len(mailoutbox) == 1


def test_another_period_is_another_email(
    send_greeting, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_greeting(period="2026-W47")
        send_greeting(period="2026-W48")

    assert len(mailoutbox) == 2


def test_nothing_is_sent_before_commit_nor_after_a_rollback(send_greeting, mailoutbox):
    def send_then_fail():
        with transaction.atomic():
            send_greeting()
            assert mailoutbox == []
            raise RuntimeError

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert not Delivery.objects.exists()
    assert mailoutbox == []


def test_a_delivery_is_sent_at_most_once_however_often_its_task_runs(
    send_greeting, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery, _ = send_greeting()

    assert delivery_send(delivery_id=delivery.pk) is False
    deliver_email.apply(args=[delivery.pk])

    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


@pytest.fixture
def retries_run_inline():
    """Celery's eager mode runs a task's retries at once, but only when it does not re-raise."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.mark.usefixtures("retries_run_inline")
def test_a_transient_failure_is_retried_then_given_up(send_greeting, mailoutbox):
    delivery, _ = send_greeting()  # on_commit never fires here: the test sends by hand
    refused = smtplib.SMTPServerDisconnected("connection lost")

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refused):
        result = deliver_email.apply(args=[delivery.pk])

    assert result.state == "FAILURE"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == deliver_email.max_retries + 1
    assert "connection lost" in delivery.last_error
    assert mailoutbox == []


@pytest.mark.usefixtures("retries_run_inline")
def test_a_failure_then_success_sends_once(send_greeting, mailoutbox):
    delivery, _ = send_greeting()
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky(message, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("try again")
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", flaky):
        deliver_email.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_lost_tasks_are_requeued_and_sent(send_greeting, mailoutbox):
    delivery, _ = send_greeting()  # its task was "lost": on_commit never ran
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=11)
    )
    fresh, _ = send_greeting(about="event:2")

    assert deliveries_pending_ids(older_than=dt.timedelta(minutes=10)) == [delivery.pk]
    assert requeue_pending_deliveries.apply().get() == 1
    assert [message.to for message in mailoutbox] == [["member@example.org"]]
    fresh.refresh_from_db()
    assert fresh.status == Delivery.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_record_and_send_one_email(send_greeting, mailoutbox):
    """Two threads send the same email at once. Both pass the "already recorded?" read
    before either inserts (the barrier in rendering forces that), so only the unique
    constraint can stop the second: it does, and the email goes out once."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    barrier = threading.Barrier(2, timeout=10)
    real_render = services._render

    def render_together(*args, **kwargs):
        barrier.wait()
        return real_render(*args, **kwargs)

    results = []

    def send():
        try:
            with transaction.atomic():
                results.append(send_greeting()[1])
        finally:
            connection.close()

    with mock.patch.object(services, "_render", render_together):
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(results) == [False, True]
    assert Delivery.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_claimed_delivery_that_never_finished_is_marked_failed_not_resent(
    send_greeting, mailoutbox
):
    delivery, _ = send_greeting()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, last_attempt_at=timezone.now() - dt.timedelta(minutes=20)
    )
    recent, _ = send_greeting(about="event:2")
    Delivery.objects.filter(pk=recent.pk).update(
        status=Delivery.Status.SENDING, last_attempt_at=timezone.now()
    )

    requeue_pending_deliveries.apply()

    delivery.refresh_from_db()
    recent.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "not retried" in delivery.last_error
    assert recent.status == Delivery.Status.SENDING
    assert mailoutbox == []


def test_every_email_has_an_html_part(send_greeting, django_capture_on_commit_callbacks):
    """Emails without an HTML template of their own get the text in the house layout."""
    with django_capture_on_commit_callbacks(execute=True):
        delivery, _ = services.email_send(
            to="someone@example.org",
            kind="succession_needed",
            template_prefix="communities/email/join_declined",
            context={"community": {"name": "Water <b>CoP</b>"}, "message": "See https://x.org"},
        )

    assert "<html" in delivery.body_html
    assert '<a href="https://x.org"' in delivery.body_html
    assert "<b>CoP</b>" not in delivery.body_html  # escaped, not injected


def test_attachments_are_kept_with_the_row_and_sent(
    send_greeting, mailoutbox, django_capture_on_commit_callbacks
):
    calendar = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        delivery, _created = send_greeting(
            attachments=[{"filename": "e.ics", "content": calendar, "mimetype": "text/calendar"}]
        )

    delivery.refresh_from_db()
    assert delivery.attachments[0]["filename"] == "e.ics"
    assert mailoutbox[0].attachments == [("e.ics", calendar, "text/calendar")]


def test_the_subject_and_text_read_as_written(django_capture_on_commit_callbacks):
    """Plain text is not HTML: names with quotes, ampersands or angle brackets come out as
    typed in the subject and the text part; the HTML part still escapes them."""
    with django_capture_on_commit_callbacks(execute=True):
        delivery, _ = services.email_send(
            to="someone@example.org",
            kind="succession_needed",
            template_prefix="communities/email/join_declined",
            context={"community": {"name": "O'Brien's R&D <Lab>"}, "message": ""},
        )

    assert delivery.subject == "[Copsite] Your request to join O'Brien's R&D <Lab>"
    assert "O'Brien's R&D <Lab>" in delivery.body_text
    assert "O&#x27;Brien&#x27;s R&amp;D &lt;Lab&gt;" in delivery.body_html
