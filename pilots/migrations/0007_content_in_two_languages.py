# Managers' texts for residents are kept in Korean and English by django-modeltranslation: each
# field gets a column per language beside the one it had. What the rows held so far was written in
# Korean, so it moves into the Korean columns; the English columns stay empty until written, and
# pages show the Korean, marked, until then.

from django.db import migrations, models

# The fields that became translated, by model; their content so far is Korean.
TRANSLATED = {
    "pilot": ["title", "summary", "goal", "partner"],
    "consentversion": ["text"],
    "survey": ["title", "introduction"],
    "surveyquestion": ["prompt", "choices"],
}


def korean_from_original(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("pilots", model_name)
        model.objects.update(**{f"{field}_ko": models.F(field) for field in fields})


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0006_notifications_move_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentversion",
            name="text_en",
            field=models.TextField(max_length=20000, null=True, verbose_name="consent text"),
        ),
        migrations.AddField(
            model_name="consentversion",
            name="text_ko",
            field=models.TextField(max_length=20000, null=True, verbose_name="consent text"),
        ),
        migrations.AddField(
            model_name="pilot",
            name="goal_en",
            field=models.TextField(
                blank=True,
                help_text="What the pilot sets out to show.",
                max_length=2000,
                null=True,
                verbose_name="goal",
            ),
        ),
        migrations.AddField(
            model_name="pilot",
            name="goal_ko",
            field=models.TextField(
                blank=True,
                help_text="What the pilot sets out to show.",
                max_length=2000,
                null=True,
                verbose_name="goal",
            ),
        ),
        migrations.AddField(
            model_name="pilot",
            name="partner_en",
            field=models.CharField(
                blank=True, max_length=200, null=True, verbose_name="partner organisation"
            ),
        ),
        migrations.AddField(
            model_name="pilot",
            name="partner_ko",
            field=models.CharField(
                blank=True, max_length=200, null=True, verbose_name="partner organisation"
            ),
        ),
        migrations.AddField(
            model_name="pilot",
            name="summary_en",
            field=models.TextField(max_length=2000, null=True, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="pilot",
            name="summary_ko",
            field=models.TextField(max_length=2000, null=True, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="pilot",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="pilot",
            name="title_ko",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="survey",
            name="introduction_en",
            field=models.TextField(
                blank=True, max_length=4000, null=True, verbose_name="introduction"
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="introduction_ko",
            field=models.TextField(
                blank=True, max_length=4000, null=True, verbose_name="introduction"
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="survey",
            name="title_ko",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="surveyquestion",
            name="choices_en",
            field=models.TextField(
                blank=True,
                help_text="For multiple choice: one choice per line.",
                null=True,
                verbose_name="choices",
            ),
        ),
        migrations.AddField(
            model_name="surveyquestion",
            name="choices_ko",
            field=models.TextField(
                blank=True,
                help_text="For multiple choice: one choice per line.",
                null=True,
                verbose_name="choices",
            ),
        ),
        migrations.AddField(
            model_name="surveyquestion",
            name="prompt_en",
            field=models.CharField(max_length=500, null=True, verbose_name="question"),
        ),
        migrations.AddField(
            model_name="surveyquestion",
            name="prompt_ko",
            field=models.CharField(max_length=500, null=True, verbose_name="question"),
        ),
        migrations.AddIndex(
            model_name="pilot",
            index=models.Index(fields=["-start_date", "title_ko"], name="pilot_listing-ko"),
        ),
        migrations.AddIndex(
            model_name="pilot",
            index=models.Index(fields=["-start_date", "title_en"], name="pilot_listing-en"),
        ),
        migrations.RunPython(korean_from_original, migrations.RunPython.noop),
    ]
