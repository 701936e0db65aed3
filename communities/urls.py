from django.urls import path

from communities import views

urlpatterns = [
    path("", views.home, name="home"),
]
