from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Alerts and emails"

    def ready(self) -> None:
        # Registers the email tasks in every process, the web's too: the services queue
        # them by name (notifications.services.SEND_DELIVERY), and Celery's
        # autodiscovery imports task modules only in a worker.
        from notifications import tasks  # noqa: F401
