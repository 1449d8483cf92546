import json

from django.core.management import call_command
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from app.notes.models import Note


def hello(request):
    return HttpResponse("hello from django")


@csrf_exempt
def migrate(request):
    call_command("migrate", interactive=False, verbosity=0)
    return JsonResponse({"migrated": True})


@csrf_exempt
def notes(request):
    if request.method == "POST":
        data = json.loads(request.body)
        note = Note.objects.create(text=data["text"])
        return JsonResponse({"id": note.id, "text": note.text}, status=201)
    return JsonResponse({"notes": [n.text for n in Note.objects.order_by("id")]})


urlpatterns = [
    path("", hello),
    path("__migrate__", migrate),
    path("notes/", notes),
]
