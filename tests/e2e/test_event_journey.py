"""The Core Team creates an event with two seats; three members register and the third
waits; one cancels, the third is promoted and sees it on "My events"; an organiser cancels
another's registration from the roster; the .ics parses."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Membership
from events.models import Event
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    EventFactory,
    MembershipFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Sign out").wait_for()
    return page


def create_event(organiser, screenshot) -> None:
    """The Core Team fills the event form: two seats, online, for members."""
    organiser.goto("/urban-water/events/")
    expect(organiser.get_by_test_id("empty-state")).to_contain_text("No upcoming events.")
    organiser.get_by_role("link", name="New event").first.click()
    organiser.get_by_label("Title").fill("Peer Assist: leak detection")
    organiser.get_by_label("Format").select_option("peer_assist")
    expect(organiser.locator('[data-format-hint="peer_assist"]')).to_be_visible()
    organiser.get_by_label("Online").check()
    organiser.get_by_label("Meeting link").fill("https://meet.example.org/leaks")
    start = (timezone.now() + timedelta(days=10)).replace(hour=14, minute=0)
    organiser.get_by_label("Starts at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    organiser.get_by_label("Ends at").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    organiser.get_by_label("Capacity").fill("2")
    organiser.get_by_label("Members", exact=True).check()
    screenshot("form", of=organiser)
    organiser.get_by_role("button", name="Save event").click()
    expect(organiser.get_by_role("heading", name="Peer Assist: leak detection")).to_be_visible()


def build_agenda(organiser, screenshot) -> None:
    """Adds segments without reloads; the 75/25 bar warns, then a reorder and a removal."""
    organiser.get_by_role("link", name="Edit the agenda").click()
    editor = organiser.locator("#agenda-editor")
    for title, minutes, kind in [
        ("Framing the problem", "20", "presentation"),
        ("Peer questions", "25", "qa"),
        ("Options from the room", "45", "discussion"),
        ("Vendor pitch", "15", "presentation"),
    ]:
        organiser.get_by_label("Title").fill(title)
        organiser.get_by_label("Minutes").fill(minutes)
        organiser.get_by_label("Kind").select_option(kind)
        organiser.get_by_role("button", name="Add to the agenda").click()
        expect(editor.get_by_test_id("segment").last).to_contain_text(title)
    expect(editor.get_by_test_id("agenda-warning")).to_contain_text("Presentations take 33%")
    screenshot("agenda-warning", of=organiser)
    organiser.once("dialog", lambda dialog: dialog.accept())
    organiser.get_by_role("button", name="Remove Vendor pitch").click()
    expect(editor.get_by_test_id("segment")).to_have_count(3)
    expect(editor.get_by_test_id("agenda-warning")).to_have_count(0)
    organiser.get_by_role("button", name="Move Peer questions up").click()
    expect(editor.get_by_test_id("segment").first).to_contain_text("Peer questions")
    organiser.get_by_role("link", name="Peer Assist: leak detection").click()


def cancel_from_the_roster(organiser, screenshot) -> None:
    """An organiser cancels Kofi's registration from the roster, after a confirmation."""
    organiser.get_by_role("link", name="Cancel Kofi Mensah's registration").click()
    expect(organiser.get_by_role("heading")).to_contain_text("Cancel Kofi Mensah's registration")
    screenshot("roster-cancel", of=organiser)
    organiser.get_by_role("button", name="Cancel the registration").click()
    expect(organiser.get_by_role("alert").first).to_contain_text(
        "Kofi Mensah's registration is cancelled"
    )
    expect(organiser.get_by_test_id("confirmed")).not_to_contain_text("Kofi Mensah")
    expect(organiser.get_by_test_id("confirmed")).to_contain_text("Mei Lin")
    screenshot("roster", of=organiser)
    told = [m for m in mail.outbox if m.to == ["kofi@example.org"] and "organisers" in m.subject]
    assert len(told) == 1


def test_two_seats_three_members_and_a_waiting_list(browser, live_server, screenshot, tmp_path):
    community = CommunityFactory(name="Urban Water Practitioners", slug="urban-water")
    manager = UserFactory(email="manager@example.org", display_name="Amina Diallo")
    MembershipFactory(community=community, user=manager, tier=Membership.Tier.CORE_TEAM)
    people = []
    for email, name in [
        ("ana@example.org", "Ana Souza"),
        ("kofi@example.org", "Kofi Mensah"),
        ("mei@example.org", "Mei Lin"),
    ]:
        person = UserFactory(email=email, display_name=name)
        MembershipFactory(community=community, user=person)
        people.append(person)

    organiser = signed_in_page(browser, live_server, "manager@example.org")
    create_event(organiser, screenshot)
    event = Event.objects.get()
    build_agenda(organiser, screenshot)

    # Three members register; the third joins the waiting list. No page reload (htmx).
    pages = [signed_in_page(browser, live_server, person.email) for person in people]
    for page in pages:
        page.goto(f"/urban-water/events/{event.pk}/")
    expect(pages[0].get_by_test_id("agenda-split")).to_contain_text("interaction 70 min")
    for page in pages[:2]:
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_test_id("registration-status")).to_have_text("You have a seat.")
    third = pages[2]
    third.reload()
    third.get_by_role("button", name="Join the waiting list").click()
    expect(third.get_by_test_id("registration-status")).to_contain_text(
        "You are on the waiting list (number 1)"
    )
    expect(third.get_by_test_id("seats")).to_contain_text("2 of 2 seats taken · 1 waiting")
    screenshot("waiting", of=third)

    # The first member cancels, after a confirmation; the third is promoted.
    first = pages[0]
    first.get_by_role("link", name="Cancel my registration").click()
    expect(first.get_by_role("heading")).to_contain_text("Cancel your registration")
    first.get_by_role("button", name="Cancel my registration").click()
    # Her seat went to the waiting list at once: the event is full again.
    expect(first.get_by_role("button", name="Join the waiting list")).to_be_visible()
    expect(first.get_by_test_id("seats")).to_contain_text("2 of 2 seats taken")

    third.goto("/my/events/")
    card = third.get_by_test_id("my-event")
    expect(card).to_contain_text("Peer Assist: leak detection")
    expect(card.get_by_test_id("my-status")).to_have_text("You have a seat")
    screenshot("promoted", of=third)
    promoted = [m for m in mail.outbox if m.to == ["mei@example.org"] and "seat freed" in m.subject]
    assert len(promoted) == 1

    # The organisers see who holds the seats, in order.
    organiser.goto(f"/urban-water/events/{event.pk}/registrations/")
    expect(organiser.get_by_test_id("confirmed")).to_contain_text("Kofi Mensah")
    expect(organiser.get_by_test_id("confirmed")).to_contain_text("Mei Lin")
    expect(organiser.get_by_test_id("confirmed")).not_to_contain_text("Ana Souza")

    cancel_from_the_roster(organiser, screenshot)

    # The calendar file downloads and parses, with the meeting link for a seat holder.
    third.goto(f"/urban-water/events/{event.pk}/")
    with third.expect_download() as download_info:
        third.get_by_test_id("ics-link").click()
    path = tmp_path / "event.ics"
    download_info.value.save_as(path)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Peer Assist: leak detection"
    assert str(entry["uid"]) == f"{event.uid}@copsite"
    assert "meet.example.org/leaks" in str(entry["description"])


def test_check_in_on_a_phone(browser, live_server, screenshot):
    community = CommunityFactory(name="Urban Water Practitioners", slug="urban-water")
    manager = UserFactory(email="manager@example.org", display_name="Amina Diallo")
    MembershipFactory(community=community, user=manager, tier=Membership.Tier.CORE_TEAM)
    # The doors open three hours before the start: this one starts in half an hour.
    soon = timezone.now() + timedelta(minutes=30)
    event = EventFactory(
        community=community,
        title="Roundtable",
        capacity=10,
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
    )
    for name in ("Ana Souza", "Kofi Mensah", "Mei Lin", "Tomás Herrera"):
        person = UserFactory(display_name=name)
        MembershipFactory(community=community, user=person)
        RegistrationFactory(event=event, user=person)

    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(15_000)
    phone = context.new_page()
    phone.goto("/accounts/login/")
    phone.get_by_label("Email").fill("manager@example.org")
    phone.locator("#id_password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.goto(f"/urban-water/events/{event.pk}/check-in/")

    expect(phone.get_by_test_id("attendance")).to_have_text("0 of 4 here · 0%")
    phone.get_by_label("Find a person").fill("kofi")
    expect(phone.get_by_test_id("check-in-row")).to_have_count(1)
    phone.get_by_role("button", name="Check in Kofi Mensah").click()
    expect(phone.get_by_role("button", name="Kofi Mensah is here; tap to undo")).to_be_visible()
    expect(phone.get_by_test_id("attendance")).to_have_text("1 of 4 here · 25%")
    screenshot("phone", of=phone)
    kofi = Membership.objects.get(user__display_name="Kofi Mensah")
    checked_in = event.registrations.get(user=kofi.user).checked_in_at
    # Checked in before the start: the participation is recorded at that moment.
    assert kofi.last_participated_at == checked_in
    context.close()


def test_narrowing_an_event_asks_before_anyone_loses_their_place(browser, live_server, screenshot):
    community = CommunityFactory(name="Urban Water Practitioners", slug="urban-water")
    manager = UserFactory(email="manager@example.org", display_name="Amina Diallo")
    MembershipFactory(community=community, user=manager, tier=Membership.Tier.CORE_TEAM)
    event = EventFactory(community=community, title="Strategy retreat", capacity=10)
    member = UserFactory(email="kofi@example.org", display_name="Kofi Mensah")
    MembershipFactory(community=community, user=member)
    registration = RegistrationFactory(event=event, user=member)

    organiser = signed_in_page(browser, live_server, "manager@example.org")
    organiser.goto(f"/urban-water/events/{event.pk}/edit/")
    organiser.get_by_label("Core Group and Core Team only").check()
    organiser.get_by_role("button", name="Save event").click()

    warning = organiser.get_by_test_id("visibility-cut")
    expect(warning).to_contain_text("Kofi Mensah")
    expect(organiser.locator("#id_visibility_error")).to_contain_text("would lose their place")
    expect(organiser.get_by_label("Core Group and Core Team only")).to_be_checked()  # kept
    screenshot("narrowing", of=organiser)
    warning.get_by_role("button", name="Confirm and save").click()

    expect(organiser.get_by_role("heading", name="Strategy retreat")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    told = [m for m in mail.outbox if m.to == ["kofi@example.org"]]
    assert len(told) == 1
    assert "Your place at Strategy retreat is cancelled" in told[0].subject
    assert "changed who the event is for" in told[0].body
