from django.apps import AppConfig


class DiseaseConfig(AppConfig):
    name = "disease"
    verbose_name = "Disease course: imaging, thyroglobulin and the tumour board"
