from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and treatment"

    def ready(self) -> None:
        from patients import signals  # noqa: F401 - connects the sign-in receiver
