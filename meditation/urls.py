from django.urls import path, register_converter

from . import views
from .converters import NameNumberConverter

register_converter(NameNumberConverter, "name_number")

app_name = "meditation"
urlpatterns = [
    path("", views.home, name="home"),
    path("names/", views.name_list, name="name_list"),
    path("names/<name_number:number>/", views.name_detail, name="name_detail"),
    path("about/", views.about, name="about"),
]
