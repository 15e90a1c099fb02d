"""Create the metric catalogue from sensors.catalogue."""

from django.db import migrations

from sensors.catalogue import METRICS


def load_metrics(apps, schema_editor):
    metric_model = apps.get_model("sensors", "Metric")
    for spec in METRICS:
        metric_model.objects.update_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )


class Migration(migrations.Migration):
    dependencies = [("sensors", "0001_initial")]

    operations = [migrations.RunPython(load_metrics, migrations.RunPython.noop)]
