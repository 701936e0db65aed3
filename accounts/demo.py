from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.services import user_refresh_search

DEMO_PASSWORD = "copsite-demo"  # noqa: S105 (a published demo password, for local demo data only)

# email, display name, organisation, country, staff
DEMO_USERS = [
    ("manager@demo.copsite.org", "Amina Diallo", "Urban Water Alliance", "SN", True),
    ("leader@demo.copsite.org", "Rafael Ortega", "Ministry of Public Works", "CO", False),
    ("champion@demo.copsite.org", "Mei Lin", "Delta Cities Network", "VN", False),
    ("member@demo.copsite.org", "Jonas Weber", "Stadtwerke Leipzig", "DE", False),
    ("sponsor@demo.copsite.org", "Claire Dubois", "Urban Water Alliance", "FR", False),
    ("kofi@demo.copsite.org", "Kofi Mensah", "Ghana Water Company", "GH", False),
    ("priya@demo.copsite.org", "Priya Raman", "Chennai Metrowater", "IN", False),
    ("ana@demo.copsite.org", "Ana Souza", "SABESP", "BR", False),
    ("tomas@demo.copsite.org", "Tomás Herrera", "Aguas Andinas", "CL", False),
    ("fatima@demo.copsite.org", "Fatima Zahra Benali", "ONEE", "MA", False),
    ("lars@demo.copsite.org", "Lars Nilsson", "Swedish Climate Fund", "SE", False),
    ("nadia@demo.copsite.org", "Nadia Haddad", "Ministry of Finance", "JO", False),
    ("samuel@demo.copsite.org", "Samuel Okoro", "Lagos State Treasury", "NG", False),
]
# Each demo person lives in their country's zone, so the same event shows at different local
# times depending on who is signed in. (A map of its own: `seed_demo` prints DEMO_USERS.)
TIME_ZONES = {
    "SN": "Africa/Dakar", "CO": "America/Bogota", "VN": "Asia/Ho_Chi_Minh",
    "DE": "Europe/Berlin", "FR": "Europe/Paris", "GH": "Africa/Accra", "IN": "Asia/Kolkata",
    "BR": "America/Sao_Paulo", "CL": "America/Santiago", "MA": "Africa/Casablanca",
    "SE": "Europe/Stockholm", "JO": "Asia/Amman", "NG": "Africa/Lagos",
}  # fmt: skip


def seed(*, stdout, **options) -> None:
    for email, display_name, organisation, country, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "display_name": display_name,
                "organisation": organisation,
                "country": country,
                "time_zone": TIME_ZONES[country],
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif user.time_zone == "UTC":  # still the default: seeded before demo people had zones
            user.time_zone = TIME_ZONES[country]
            user.save(update_fields=["time_zone"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        user_refresh_search(user=user)
    stdout.write(f"accounts: {len(DEMO_USERS)} demo people")
