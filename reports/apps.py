from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Patient-reported outcomes"

    def ready(self) -> None:
        from reports import signals  # noqa: F401 - registers the sign-in receiver
