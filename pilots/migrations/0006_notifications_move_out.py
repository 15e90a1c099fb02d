# The inbox moved to its own app, `notifications`, below pilots: the tables are renamed here and
# the models leave pilots' state; notifications 0001 takes them over without touching the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0005_survey_announced_at"),
    ]

    operations = [
        migrations.AlterModelTable(name="notification", table="notifications_notification"),
        migrations.AlterModelTable(
            name="notificationoptout", table="notifications_notificationoptout"
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationOptOut"),
            ]
        ),
    ]
