from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "app.notes"
    label = "notes"
