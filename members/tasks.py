from celery import shared_task
from django.db import OperationalError

from members.waves import invitation_batch_send


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_invitation_batch(wave_id: int, invitation_ids: list[int]) -> int:
    # Safe to run twice: only PENDING invitations are sent, and the email path keys each
    # email on (address, invitation, send count).
    return invitation_batch_send(wave_id=wave_id, invitation_ids=invitation_ids)
