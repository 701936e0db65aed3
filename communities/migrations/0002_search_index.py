from django.db import migrations


def create_search_index(apps, schema_editor):
    # GIN on the membership's copy of the search document: PostgreSQL only.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS communities_membership_search_gin "
            "ON communities_membership USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS communities_membership_search_gin")


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
