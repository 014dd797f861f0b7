"""The names catalogue in the admin: a curator's editor with validation, preview and history."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ..models import DivineName, NameTranslation
from ..text import format_references, parse_references

ARABIC_INPUT = {"lang": "ar", "dir": "rtl", "class": "arabic-input"}


class DivineNameAdminForm(forms.ModelForm):
    """References are edited as "2:163; 59:22" rather than as JSON."""

    quran_references = forms.CharField(
        label="Qurʾānic references",
        required=False,
        max_length=500,
        help_text="surah:ayah, separated by semicolons; the first is the verse shown on the page.",
    )

    class Meta:
        model = DivineName
        fields = (
            "number", "slug", "arabic", "transliteration", "meaning", "description", "tawil",
            "quran_references", "verse_arabic", "verse_translation", "dhikr", "dhikr_arabic",
            "pronunciation", "phonetics",
        )  # fmt: skip
        widgets = {
            "arabic": forms.TextInput(attrs=ARABIC_INPUT),
            "verse_arabic": forms.Textarea(attrs={**ARABIC_INPUT, "rows": 3}),
            "dhikr_arabic": forms.TextInput(attrs=ARABIC_INPUT),
            "description": forms.Textarea(attrs={"rows": 3}),
            "tawil": forms.Textarea(attrs={"rows": 6}),
            "verse_translation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["quran_references"] = format_references(self.instance.quran_references)

    def clean_quran_references(self) -> list[dict[str, int]]:
        try:
            return parse_references(self.cleaned_data["quran_references"])
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class NameTranslationForm(forms.ModelForm):
    """A name's words in one language; the Arabic one written right to left."""

    class Meta:
        model = NameTranslation
        fields = ("language", "meaning", "description", "tawil", "dhikr", "verse_translation")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "tawil": forms.Textarea(attrs={"rows": 5}),
            "verse_translation": forms.Textarea(attrs={"rows": 3}),
        }


class NameTranslationInline(admin.StackedInline):
    """Each language of the name, edited on the name's page; a field left empty shows the
    English, marked as such. Every change is kept (Translations in the admin: history)."""

    model = NameTranslation
    form = NameTranslationForm
    extra = 0
    max_num = len(NameTranslation.Language.choices)
    can_delete = False  # empty its fields instead: the history stays with the row


@admin.register(NameTranslation)
class NameTranslationAdmin(SimpleHistoryAdmin):
    """The translations on their own: a language's list, each one's history and revert."""

    form = NameTranslationForm
    list_display = ("name", "language", "meaning")
    list_filter = ("language",)
    search_fields = ("=name__number", "name__transliteration", "meaning")
    list_select_related = ("name",)
    ordering = ("name__number", "language")
    history_list_display = ("language", "meaning")

    def has_add_permission(self, request) -> bool:
        return False  # made with the name (its page's inline) or by load_names

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def history_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such translation.") from None
        return super().history_view(request, object_id, extra_context)


@admin.register(DivineName)
class DivineNameAdmin(SimpleHistoryAdmin):
    form = DivineNameAdminForm
    inlines = (NameTranslationInline,)
    list_display = ("number", "arabic_display", "transliteration", "meaning")
    list_display_links = ("number", "transliteration")
    search_fields = ("=number", "transliteration", "meaning", "arabic")
    ordering = ("number",)
    list_per_page = 100
    readonly_fields = ("arabic_preview",)
    fieldsets = (
        (
            "The name",
            {
                "fields": (
                    "number",
                    "slug",
                    "arabic",
                    "arabic_preview",
                    "transliteration",
                    "meaning",
                )
            },
        ),
        ("Commentary", {"fields": ("description", "tawil")}),
        ("In the Qurʾān", {"fields": ("quran_references", "verse_arabic", "verse_translation")}),
        ("Recitation", {"fields": ("dhikr", "dhikr_arabic", "pronunciation", "phonetics")}),
    )
    history_list_display = ("number", "transliteration", "meaning")

    class Media:
        css = {"all": ("css/admin.css",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the catalogue is the 99: edit a name, never remove one

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history looks the id up unchecked: "abc" would be a ValueError (a 500).
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such name.") from None
        return super().history_view(request, object_id, extra_context)

    @admin.display(description="Arabic", ordering="arabic")
    def arabic_display(self, obj: DivineName) -> str:
        return format_html('<span class="arabic-preview" lang="ar" dir="rtl">{}</span>', obj.arabic)

    @admin.display(description="Preview (as saved)")
    def arabic_preview(self, obj: DivineName) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<div class="arabic-preview arabic-preview--large" lang="ar" dir="rtl">{}</div>',
            obj.arabic,
        )
