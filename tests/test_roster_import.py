"""Roster import: aliases, upsert by passport, idempotence, bad rows, photos, dry run."""

import io
import zipfile
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook
from openpyxl.drawing.image import Image as SheetImage

from api.models import FaceEmbedding, Person
from api.roster import RosterError, import_roster, roster_template


def _xlsx(rows, headers=None, pictures=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        headers or ["full_name", "passport", "birth_date", "position", "department", "photo"]
    )
    for row in rows:
        sheet.append(row)
    for path, cell in pictures:
        sheet.add_image(SheetImage(str(path)), cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def roster(photos):
    a, b = photos.names[:2]
    rows = [
        [
            a.replace("_", " ") + " Aliyevich",
            "AD3145734",
            date(1988, 2, 29),
            "mayor",
            "1-IIB",
            photos.first(a).name,
        ],
        [
            b.replace("_", " ") + " Karimovna",
            "ab 1234567",
            "15.03.1990",
            "leytenant",
            "2-IIB",
            photos.first(b).name,
        ],
        ["Bad Passport", "A12345678", "1990-01-01", "", "", ""],
        ["Bad Date", "AC7654321", "31/02/1990", "", "", ""],
        ["", "AE1111111", "1990-01-01", "", "", ""],
    ]
    return _xlsx(rows)


def _photo_dir(photos, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in photos.names[:2]:
        (folder / photos.first(name).name).write_bytes(photos.first(name).read_bytes())
    return folder


def test_it_imports_good_rows_and_reports_bad_ones(db, photos, roster, tmp_path):
    report = import_roster(roster, photos=_photo_dir(photos, tmp_path))
    statuses = [(r.row, r.status) for r in report.rows]
    assert statuses == [(2, "created"), (3, "created"), (4, "error"), (5, "error"), (6, "error")]
    assert "Passport" in report.rows[2].errors[0]
    assert "sana" in report.rows[3].errors[0]
    assert "F.I.Sh." in report.rows[4].errors[0]
    first = Person.objects.get(passport_series="AD", passport_number="3145734")
    assert first.birth_date == date(1988, 2, 29) and first.position == "mayor"
    assert Person.objects.get(passport_series="AB").birth_date == date(1990, 3, 15)
    assert report.summary["faces_enrolled"] == 2
    assert FaceEmbedding.objects.count() == 2


def test_a_second_run_changes_nothing(db, photos, roster, tmp_path):
    folder = _photo_dir(photos, tmp_path)
    import_roster(roster, photos=folder)
    before = list(Person.objects.values_list("id", "updated_at").order_by("id"))
    report = import_roster(roster, photos=folder)
    assert [r.status for r in report.rows[:2]] == ["unchanged", "unchanged"]
    assert report.summary["faces_enrolled"] == 0
    assert list(Person.objects.values_list("id", "updated_at").order_by("id")) == before
    assert FaceEmbedding.objects.count() == 2


def test_changed_rows_are_updated_by_passport(db, photos):
    import_roster(_xlsx([["Old Name", "AD3145734", "1988-02-29", "kapitan", "1-IIB", ""]]))
    report = import_roster(_xlsx([["New Name", "AD3145734", "1988-02-29", "mayor", "1-IIB", ""]]))
    assert report.rows[0].status == "updated"
    person = Person.objects.get()
    assert (person.full_name, person.position) == ("New Name", "mayor")


def test_dry_run_writes_nothing_but_reports_faces(db, photos, roster, tmp_path):
    report = import_roster(roster, photos=_photo_dir(photos, tmp_path), dry_run=True)
    assert [r.status for r in report.rows[:2]] == ["created", "created"]
    assert report.summary["faces_enrolled"] == 2
    assert Person.objects.count() == 0 and FaceEmbedding.objects.count() == 0


def test_uzbek_template_headers_zip_photos_and_split_passport(db, photos, tmp_path):
    name = photos.names[0]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(
            "rasmlar/" + photos.first(name).name.upper(), photos.first(name).read_bytes()
        )
    workbook = load_workbook(io.BytesIO(roster_template()))
    sheet = workbook.active
    sheet["G2"] = photos.first(name).name
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_roster(buffer.getvalue(), photos=archive.getvalue())
    assert report.rows[0].status == "created", report.rows[0]
    assert report.rows[0].faces_enrolled == 1
    assert Person.objects.get().passport == "AD3145734"


def test_pictures_embedded_in_the_sheet_are_enrolled(db, photos, tmp_path):
    name = photos.names[0]
    report = import_roster(
        _xlsx(
            [["Rasmli Xodim", "AF1234567", "1991-05-05", "", "", ""]],
            pictures=[(photos.first(name), "F2")],
        )
    )
    assert report.rows[0].faces_enrolled == 1
    assert FaceEmbedding.objects.filter(person__passport_number="1234567").count() == 1


def test_photos_without_a_face_are_refused_with_a_reason(db, photos, tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "x.jpg").write_bytes(photos.no_face[0].read_bytes())
    report = import_roster(
        _xlsx([["Yuzsiz", "AG1234567", "1991-05-05", "", "", "x.jpg"]]), photos=folder
    )
    assert report.rows[0].status == "created"
    assert report.rows[0].faces_refused == ["no_face"]
    missing = import_roster(
        _xlsx([["Yuzsiz", "AG1234567", "1991-05-05", "", "", "nope.jpg"]]), photos=folder
    )
    assert "fayl topilmadi" in missing.rows[0].faces_refused[0]


def test_a_file_that_is_not_excel_is_refused(db):
    with pytest.raises(RosterError):
        import_roster(b"not a workbook")
    with pytest.raises(RosterError, match="Ustunlar topilmadi"):
        import_roster(_xlsx([["x"]], headers=["full_name", "position"]))


def test_the_management_command(db, photos, roster, tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster)
    call_command("import_personnel", str(path), "--photos", str(_photo_dir(photos, tmp_path)))
    out = capsys.readouterr().out
    assert "created=2" in out and "error=3" in out
    assert "row 4: error" in out
    with pytest.raises(CommandError):
        call_command("import_personnel", str(tmp_path / "missing.xlsx"))
