import re

from django import forms

from copsite.forms import FastSelect, FastSelectMultiple, ScaleSelect


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


class Choices(forms.Form):
    mode = forms.ChoiceField(
        label="Mode", choices=[("a", "In person"), ("b", "Online")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def test_radio_buttons_and_checkbox_lists_are_labelled_groups():
    form = Choices({"mode": "nope"})
    form.is_valid()

    mode = form["mode"].as_field_group()
    days = form["days"].as_field_group()

    assert mode.startswith('<fieldset class="mb-3">')
    assert '<legend class="form-label fs-6">Mode' in mode
    # Each option its own .form-check with its label; the group itself is not an input.
    assert mode.count('<div class="form-check">') == 2
    assert '<label class="form-check-label" for="id_mode_1">Online</label>' in mode
    assert '<div id="id_mode">' in mode
    assert 'class="form-check-input is-invalid"' in mode
    assert 'id="id_mode_error"' in mode
    assert days.count('<div class="form-check">') == 2
    assert 'type="checkbox" name="days" value="tue"' in days


def test_a_scale_sits_on_one_line():
    class Rating(forms.Form):
        score = forms.ChoiceField(choices=[(n, str(n)) for n in range(1, 6)], widget=ScaleSelect)

    score = Rating()["score"].as_field_group()

    assert score.count('<div class="form-check form-check-inline">') == 5
    assert score.startswith('<fieldset class="mb-3">')


def test_a_field_in_error_is_described_by_its_error_then_its_help_once_each():
    class Form(forms.Form):
        days = forms.IntegerField(help_text="Days before the start.")

    html = str(Form({"days": "soon"})["days"])

    described = re.search(r'aria-describedby="([^"]*)"', html).group(1).split()
    assert described == ["id_days_error", "id_days_helptext"]
