"""Roster import from Excel: validate, upsert by passport, enrol photos, report per row.

Used by ``manage.py import_personnel`` and the /upload-excel/ page. A second run of the same
file changes nothing; one bad row never aborts the others (each row has its own savepoint).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from api import face, services
from api.models import Person
from recognition import FaceQualityError, ImageError

FIELDS = (
    "full_name",
    "passport_series",
    "passport_number",
    "passport",
    "birth_date",
    "position",
    "department",
    "photo",
)

# Header text (normalised) -> field. English names, the template's Uzbek, and Russian.
ALIASES = {
    "full_name": [
        "full name",
        "fio",
        "f.i.sh.",
        "fish",
        "familiya ism sharif",
        "ф.и.о.",
        "фио",
        "полное имя",
    ],
    "passport_series": [
        "passport series",
        "passport seriyasi",
        "pasport seriyasi",
        "seriya",
        "серия паспорта",
        "серия",
    ],
    "passport_number": [
        "passport number",
        "passport raqami",
        "pasport raqami",
        "raqam",
        "номер паспорта",
        "номер",
    ],
    "passport": ["pasport", "паспорт"],
    "birth_date": [
        "birth date",
        "date of birth",
        "tug'ilgan sana",
        "tugilgan sana",
        "дата рождения",
    ],
    "position": ["lavozim", "unvon", "lavozim / unvon", "lavozim/unvon", "должность", "звание"],
    "department": ["bo'lim", "bolim", "bo'linma", "подразделение", "отдел"],
    "photo": ["rasm", "foto", "surat", "фото", "фотография"],
}
TEMPLATE_HEADERS = [
    "F.I.Sh.",
    "Passport seriyasi",
    "Passport raqami",
    "Tug'ilgan sana",
    "Lavozim / unvon",
    "Bo'lim",
    "Rasm",
]
TEMPLATE_EXAMPLE = [
    "Xamdamov Avzal Mavzurovich",
    "AD",
    "3145734",
    date(1988, 2, 29),
    "mayor",
    "1-IIB",
    "xamdamov.jpg",
]
MAX_ROWS = 100_000
logger = logging.getLogger(__name__)


def _normalise(text: object) -> str:
    value = str(text or "").strip().lower()
    value = re.sub(r"[ʻʼ’‘`]", "'", value)
    value = value.replace("_", " ")
    return re.sub(r"\s+", " ", value)


_HEADER_TO_FIELD = {_normalise(f): f for f in FIELDS}
_HEADER_TO_FIELD.update({_normalise(a): f for f, names in ALIASES.items() for a in names})


class RosterError(Exception):
    """The file as a whole cannot be read (not an xlsx, no header row...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


@dataclass
class RowResult:
    row: int
    status: str  # created / updated / unchanged / error (would_* in a dry run)
    full_name: str = ""
    passport: str = ""
    person_id: int | None = None
    errors: list[str] = field(default_factory=list)
    faces_enrolled: int = 0
    faces_refused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def summary(self) -> dict:
        statuses = ("created", "updated", "unchanged", "error")
        return {
            "rows": len(self.rows),
            **{s: self.count(s) for s in statuses},
            "faces_enrolled": sum(r.faces_enrolled for r in self.rows),
            "faces_refused": sum(len(r.faces_refused) for r in self.rows),
        }

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "summary": self.summary,
            "rows": [r.as_dict() for r in self.rows],
        }


class PhotoSource:
    """Photos by file name from a folder or a ZIP archive (names compared case-insensitively)."""

    def __init__(self, location: Path | bytes | None) -> None:
        self._zip = None
        self._dir = None
        self._names: dict[str, str] = {}
        if location is None:
            return
        if isinstance(location, bytes) or zipfile.is_zipfile(location):
            data = io.BytesIO(location) if isinstance(location, bytes) else location
            try:
                self._zip = zipfile.ZipFile(data)
            except zipfile.BadZipFile:
                raise RosterError("bad_zip", "Rasmlar arxivi ZIP emas") from None
            names = [n for n in self._zip.namelist() if not n.endswith("/")]
        elif Path(location).is_dir():
            self._dir = Path(location)
            names = [str(p.relative_to(self._dir)) for p in self._dir.rglob("*") if p.is_file()]
        else:
            raise RosterError("bad_photos", f"Rasmlar papkasi yoki ZIP topilmadi: {location}")
        for name in names:
            self._names.setdefault(Path(name).name.lower(), name)

    def read(self, name: str) -> bytes | None:
        key = Path(str(name).strip()).name.lower()
        real = self._names.get(key)
        if real is None:
            return None
        if self._zip is not None:
            info = self._zip.getinfo(real)
            if info.file_size > 32 * 1024 * 1024:  # a zip bomb entry is not a photo
                return None
            return self._zip.read(real)
        return (self._dir / real).read_bytes()


def roster_template() -> bytes:
    """The downloadable template: Uzbek headers, one example row, a date-formatted column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Xodimlar"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for row in range(2, 1002):
        sheet.cell(row=row, column=4).number_format = "DD.MM.YYYY"
        sheet.cell(row=row, column=3).number_format = "@"
    for column, width in zip("ABCDEFG", (34, 18, 18, 16, 20, 16, 22), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _open_sheet(source: Path | bytes):
    try:
        data = io.BytesIO(source) if isinstance(source, bytes) else source
        workbook = load_workbook(data, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise RosterError(
            "bad_file", f"Excel (.xlsx) fayli o'qilmadi: {exc.__class__.__name__}"
        ) from None
    return workbook.worksheets[0]


def _header_map(sheet) -> tuple[int, dict[str, int]]:
    """Find the header row (first of the top 10 naming a known column) -> field: column."""
    for row_index, row in enumerate(
        sheet.iter_rows(min_row=1, max_row=10, values_only=True), start=1
    ):
        mapping = {}
        for column, value in enumerate(row, start=1):
            name = _HEADER_TO_FIELD.get(_normalise(value))
            if name and name not in mapping:
                mapping[name] = column
        if "full_name" in mapping or "passport" in mapping or "passport_number" in mapping:
            missing = [f for f in ("full_name", "birth_date") if f not in mapping]
            if "passport" not in mapping and not {"passport_series", "passport_number"} <= set(
                mapping
            ):
                missing.append("passport (yoki passport_series + passport_number)")
            if missing:
                raise RosterError("missing_columns", "Ustunlar topilmadi: " + ", ".join(missing))
            return row_index, mapping
    raise RosterError(
        "no_header", "Sarlavha qatori topilmadi (full_name, passport, birth_date ...)"
    )


def _embedded_images(sheet) -> dict[int, list[bytes]]:
    """Pictures placed in the sheet, by the 1-based row of their top-left anchor."""
    images: dict[int, list[bytes]] = {}
    for image in getattr(sheet, "_images", []):
        anchor = getattr(image.anchor, "_from", None)
        if anchor is None:
            continue
        try:
            data = image._data()
        except Exception:  # an unreadable picture counts as no photo, not a crash
            logger.warning("unreadable picture anchored at row %s", anchor.row + 1)
            continue
        images.setdefault(anchor.row + 1, []).append(data)
    return images


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


@dataclass
class ParsedRow:
    full_name: str
    passport_series: str
    passport_number: str
    birth_date: date
    position: str
    department: str
    photo_name: str


def _parse_row(values: dict[str, object]) -> tuple[ParsedRow | None, list[str]]:
    errors = []
    full_name = _text(values.get("full_name"))
    if not full_name:
        errors.append("F.I.Sh. bo'sh")
    elif len(full_name) > 255:
        errors.append("F.I.Sh. juda uzun")
    if "passport" in values and _text(values.get("passport")):
        passport = services.parse_passport(_text(values["passport"]))
    else:
        number = (
            _text(values.get("passport_number")).zfill(7)
            if _text(values.get("passport_number"))
            else ""
        )
        passport = services.parse_passport(_text(values.get("passport_series")) + number)
    if passport is None:
        errors.append("Passport noto'g'ri (2 harf + 7 raqam, masalan AD3145734)")
    born = services.parse_birth_date(values.get("birth_date"))
    if born is None:
        errors.append("Tug'ilgan sana noto'g'ri (YYYY-MM-DD, DD.MM.YYYY yoki DD/MM/YYYY)")
    elif not date(1900, 1, 1) <= born <= date.today():
        errors.append("Tug'ilgan sana oralig'i noto'g'ri")
    if errors:
        return None, errors
    return ParsedRow(
        full_name=full_name,
        passport_series=passport[0],
        passport_number=passport[1],
        birth_date=born,
        position=_text(values.get("position"))[:255],
        department=_text(values.get("department"))[:255],
        photo_name=_text(values.get("photo")),
    ), []


def _rows(
    sheet, header_row: int, columns: dict[str, int]
) -> Iterator[tuple[int, dict[str, object]]]:
    for row_index, row in enumerate(
        sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
    ):
        values = {
            name: row[col - 1] if col - 1 < len(row) else None for name, col in columns.items()
        }
        if all(v is None or _text(v) == "" for v in values.values()):
            continue
        yield row_index, values


def import_roster(
    source: Path | bytes,
    *,
    photos: Path | bytes | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every row of the first sheet; return the per-row report."""
    sheet = _open_sheet(source)
    header_row, columns = _header_map(sheet)
    photo_source = PhotoSource(photos)
    pictures = _embedded_images(sheet)
    rows = list(_rows(sheet, header_row, columns))
    if len(rows) > MAX_ROWS:
        raise RosterError("too_many_rows", f"Juda ko'p qator: {len(rows)} (ko'pi bilan {MAX_ROWS})")
    report = ImportReport(dry_run=dry_run)
    seen: dict[str, int] = {}
    for done, (row_index, values) in enumerate(rows, start=1):
        report.rows.append(
            _import_row(row_index, values, photo_source, pictures.get(row_index, []), seen, dry_run)
        )
        if progress:
            progress(done, len(rows))
    return report


def _import_row(row_index, values, photo_source, pictures, seen, dry_run) -> RowResult:
    parsed, errors = _parse_row(values)
    raw_passport = _text(values.get("passport")) or _text(values.get("passport_series")) + _text(
        values.get("passport_number")
    )
    result = RowResult(
        row=row_index,
        status="error",
        errors=errors,
        full_name=_text(values.get("full_name"))[:255],
        passport=raw_passport[:20],
    )
    if parsed is None:
        return result
    result.full_name = parsed.full_name
    result.passport = parsed.passport_series + parsed.passport_number
    if result.passport in seen:
        result.errors.append(f"Passport {seen[result.passport]}-qatorda takrorlangan")
        return result
    seen[result.passport] = row_index
    photo_bytes = list(pictures)
    if parsed.photo_name:
        data = photo_source.read(parsed.photo_name)
        if data is None:
            result.faces_refused.append(f"{parsed.photo_name}: fayl topilmadi")
        else:
            photo_bytes.append(data)
    try:
        with transaction.atomic():
            person, result.status = _upsert(parsed, dry_run)
            result.person_id = person.pk
            for data in photo_bytes:
                _enrol(result, person, data, dry_run)
    except IntegrityError as exc:
        result.status = "error"
        result.errors.append(f"Ma'lumotlar bazasi rad etdi: {exc.__class__.__name__}")
    return result


def _upsert(parsed: ParsedRow, dry_run: bool) -> tuple[Person, str]:
    fields = {
        "full_name": parsed.full_name,
        "birth_date": parsed.birth_date,
        "position": parsed.position,
        "department": parsed.department,
    }
    person = (
        Person.objects.select_for_update()
        .filter(passport_series=parsed.passport_series, passport_number=parsed.passport_number)
        .first()
    )
    if person is None:
        person = Person(
            passport_series=parsed.passport_series, passport_number=parsed.passport_number, **fields
        )
        if not dry_run:
            person.save()
        return person, "created"
    changed = [name for name, value in fields.items() if getattr(person, name) != value]
    if not changed:
        return person, "unchanged"
    for name in changed:
        setattr(person, name, fields[name])
    if not dry_run:
        person.save(update_fields=[*changed, "updated_at"])
    return person, "updated"


def _enrol(result: RowResult, person: Person, data: bytes, dry_run: bool) -> None:
    if dry_run:
        if person.pk and services.already_enrolled(person=person, photo_bytes=data):
            return
        try:
            analysed = face.analyse(face.decode(data))
            if analysed is None:
                raise FaceQualityError("no_face")
            analysed.require_good()
        except (ImageError, FaceQualityError) as exc:
            result.faces_refused.append(exc.code)
            return
        result.faces_enrolled += 1
        return
    outcome = services.enrol_photo(person=person, photo_bytes=data)
    if outcome.enrolled:
        result.faces_enrolled += 1
        if result.status == "unchanged":
            result.status = "updated"
    elif outcome.reason != "duplicate":
        result.faces_refused.append(outcome.reason)
