from django import forms

from copsite.forms import FastSelect, FastSelectMultiple


class Sample(forms.Form):
    zone = forms.ChoiceField(choices=[("a", "A & co"), ("b", "<b>B</b>")], widget=FastSelect)
    tags = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")], widget=FastSelectMultiple, required=False
    )


def test_fast_selects_render_like_django_selects_only_faster():
    form = Sample({"zone": "b", "tags": ["x", "z"]})
    assert form.is_valid()

    zone, tags = str(form["zone"]), str(form["tags"])

    # As Django's Select: no "required" without an empty first option (HTML's rule).
    assert zone.startswith('<select name="zone" class="form-select" id="id_zone">')
    assert '<option value="a">A &amp; co</option>' in zone
    assert '<option value="b" selected>&lt;b&gt;B&lt;/b&gt;</option>' in zone
    assert " multiple" in tags
    assert '<option value="x" selected>X</option><option value="y">Y</option>' in tags
    assert form.cleaned_data["tags"] == ["x", "z"]


def test_an_invalid_choice_is_still_refused():
    form = Sample({"zone": "nope"})

    assert not form.is_valid()
    assert form["zone"].errors
