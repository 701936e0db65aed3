from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """One email to one recipient, recorded before it is sent.

    The key (recipient, kind, about, period) is unique: whatever calls `email_send` twice
    with the same key (a retried task, a scheduler that fires twice) records one row, and
    a row is sent at most once because sending first claims it (PENDING -> SENDING).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_deliveries",
    )
    kind = models.CharField(_("kind"), max_length=100)
    about = models.CharField(
        _("about"),
        max_length=200,
        blank=True,
        help_text=_("What the email is about, e.g. event:42."),
    )
    period = models.CharField(
        _("period"), max_length=64, blank=True, help_text=_("e.g. 2026-W47 for a weekly digest.")
    )
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # Files sent with the email, e.g. an event's .ics: [{"filename", "content", "mimetype"}],
    # text only (a calendar file is text), stored with the row so a retry sends the same.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "about", "period"], name="notifications_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="notif_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"


class OutboxMessage(models.Model):
    """Work to hand to a Celery task once the transaction that asked for it commits.

    Written in the caller's transaction, so it exists exactly when the action it follows
    does, and it survives a broker outage: `outbox_drain` (in the worker) runs each row's
    task and deletes the row. Cheaper in a busy request than publishing a task: one INSERT
    beside the action's own.
    """

    task = models.CharField(_("task"), max_length=200, help_text=_("A Celery task's name."))
    kwargs = models.JSONField(_("arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task}({self.kwargs})"
