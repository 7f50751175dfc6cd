from django.apps import AppConfig


class ToxicityConfig(AppConfig):
    name = "toxicity"
    verbose_name = "Toxicity grading and dose recommendations"
