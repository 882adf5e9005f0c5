# StaffSession was the model of the former app `staff_sessions` (its table
# staff_sessions_staffsession). A database that has it keeps its rows: the
# table is renamed. A new database gets the table made here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "staff_sessions_staffsession"


def create_or_take_over(apps, schema_editor):
    model = apps.get_model("accounts", "StaffSession")
    if OLD_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, OLD_TABLE, model._meta.db_table)
    else:
        schema_editor.create_model(model)


def drop(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("accounts", "StaffSession"))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffSession",
                    fields=[
                        (
                            "session",
                            models.OneToOneField(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                serialize=False,
                                to="sessions.session",
                            ),
                        ),
                        ("signed_in_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="staff_sessions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                ),
            ],
        ),
        migrations.RunPython(create_or_take_over, drop),
    ]
