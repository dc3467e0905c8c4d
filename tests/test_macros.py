"""The shared template macros: one file input, one pager."""
from __future__ import annotations

from flask import render_template_string
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField

from sep_portal.core.pagination import KeysetPage, Page


class FilesForm(FlaskForm):
    files = MultipleFileField("Lampiran", description="PDF, JPEG atau PNG.")


def test_the_file_input_ties_its_label_hint_and_error(app):
    with app.test_request_context("/"):
        form = FilesForm(prefix="rr")
        form.files.errors = ["Berkas terlalu besar."]
        html = render_template_string('{% from "_macros/forms.html" import file_field %}'
                                      '{{ file_field(form.files, multiple=True) }}', form=form)
    assert '<label for="rr-files">Lampiran</label>' in html
    assert 'id="rr-files-hint">PDF, JPEG atau PNG.' in html and 'id="rr-files-error">Berkas terlalu besar.' in html
    assert 'aria-describedby="rr-files-hint rr-files-error"' in html and 'aria-invalid="true"' in html
    assert 'name="rr-files"' in html and " multiple" in html


def test_the_pager_keeps_every_filter_and_knows_both_kinds(app):
    template = '{% from "_macros/lists.html" import pager %}{{ pager(p) }}'
    with app.test_request_context("/antrean?status=complete&kind=provinsi&page=2"):
        from flask import request

        request.url_rule = app.url_map.bind("localhost").match("/antrean", return_rule=True)[0]
        request.view_args = {}
        html = render_template_string(template, p=Page(rows=[], total=120, page=2, per_page=50))
        assert html.count("status=complete") == 2 and html.count("kind=provinsi") == 2
        assert "page=1" in html and "page=3" in html and "Halaman 2 dari 3" in html
        assert render_template_string(template, p=Page(rows=[], total=10, page=1, per_page=50)).strip() == ""
        html = render_template_string(template, p=KeysetPage(rows=[], next_cursor="abc", cursor="xyz"))
        assert "setelah=abc" in html and "status=complete" in html
