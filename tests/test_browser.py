"""The pages in a real Chromium, the kiosk fed a fake camera made from real photos.

Screenshots of every page are saved under ``test-output/screenshots/`` (or $TEST_OUTPUT_DIR).
"""

import io
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
import pytest
from openpyxl import Workbook

from api.models import LoginLog, Person
from api.roster import TEMPLATE_HEADERS
from tests.conftest import make_person
from tests.faces import turning_person

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("TEST_OUTPUT_DIR", ROOT / "test-output")) / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip


def _frame(image: np.ndarray) -> bytes:
    """One 640x480 I420 frame of ``image``, letterboxed."""
    scale = min(640 / image.shape[1], 480 / image.shape[0])
    size = (int(image.shape[1] * scale) // 2 * 2, int(image.shape[0] * scale) // 2 * 2)
    resized = cv2.resize(image, size)
    canvas = np.full((480, 640, 3), 40, np.uint8)
    top, left = (480 - resized.shape[0]) // 2, (640 - resized.shape[1]) // 2
    canvas[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    return cv2.cvtColor(canvas, cv2.COLOR_BGR2YUV_I420).tobytes()


def write_y4m(path: Path, *scenes: tuple[np.ndarray, int]) -> Path:
    """A Y4M video for Chromium's fake camera: each (image, frame count) in turn, at 15 fps."""
    with open(path, "wb") as handle:
        handle.write(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg\n")
        for image, count in scenes:
            frame = _frame(image)
            for _ in range(count):
                handle.write(b"FRAME\n" + frame)
    return path


def photo_video(photo: Path, path: Path) -> Path:
    """Ten frames of one photo: what a printed photo held still looks like."""
    return write_y4m(path, (cv2.imread(str(photo)), 10))


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous code (pytest-django's documented fix).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as runner:
        yield runner
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def open_browser(playwright):
    browsers = []

    @contextmanager
    def launch(video: Path | None = None, locale: str = "uz-UZ"):
        args = list(FLAGS)
        if video is not None:
            args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-video-capture={video}"]  # fmt: skip
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        browsers.append(browser)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale,
                                      accept_downloads=True)  # fmt: skip
        if video is not None:
            context.grant_permissions(["camera"])
        page = context.new_page()
        yield page
        context.close()

    yield launch
    for browser in browsers:
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def staff_login(page, live_server, django_user_model) -> None:
    from django.contrib.auth.models import Permission

    officer = django_user_model.objects.create_user(
        "navbatchi", password="Parol-123", is_staff=True
    )
    officer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_loginlog", "view_person"])
    )
    page.goto(f"{live_server.url}/admin/login/?next=/dashboard/")
    page.fill("#id_username", "navbatchi")
    page.fill("#id_password", "Parol-123")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard/$"))


def test_kiosk_logs_an_enrolled_person_in_and_lands_on_the_dashboard(
    live_server, enrolled, photos, open_browser, tmp_path
):
    name = photos.names[0]
    person = enrolled[name]
    video = photo_video(photos.others(name)[0], tmp_path / "enrolled.y4m")
    with open_browser(video) as page:
        page.goto(live_server.url + "/")
        page.wait_for_selector("#result.ok", timeout=45_000)
        assert person.full_name in page.inner_text("#result")
        shot(page, "kiosk-welcome")
        page.wait_for_url(re.compile(r".*/dashboard/$"), timeout=15_000)
        assert page.inner_text("#me-name") == person.full_name
        page.wait_for_selector("#my-logs tbody tr")
        shot(page, "dashboard-person")
    log = LoginLog.objects.get(success=True)
    assert (log.person, log.method) == (person, "face")


def test_kiosk_refuses_a_stranger_and_the_passport_form_signs_in(
    live_server, enrolled, photos, open_browser, tmp_path
):
    stranger = photos.names[-1]
    enrolled[stranger].delete()
    make_person(full_name="Karimov Bobur Aliyevich", passport_series="AD", passport_number="3145734",
                birth_date="1988-02-29")  # fmt: skip
    video = photo_video(photos.first(stranger), tmp_path / "stranger.y4m")
    with open_browser(video) as page:
        page.goto(live_server.url + "/")
        page.wait_for_selector("#result.bad", timeout=45_000)
        assert "Yuz tanilmadi" in page.inner_text("#result")
        assert "highlight" in page.get_attribute("#passport-card", "class")
        shot(page, "kiosk-not-recognised")
        page.type("#passport", "ad3145734")  # the mask upper-cases
        page.type("#birth-date", "29021988")  # the mask adds the dots
        assert page.input_value("#passport") == "AD3145734"
        assert page.input_value("#birth-date") == "29.02.1988"
        page.click("#passport-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard/$"), timeout=15_000)
        assert "Karimov Bobur" in page.inner_text("#me-name")
    assert LoginLog.objects.filter(method="face", success=False, reason="not_recognised").exists()
    assert LoginLog.objects.filter(method="passport", success=True).count() == 1


def test_kiosk_without_a_camera_offers_the_passport_form(live_server, db, open_browser):
    with open_browser(None) as page:
        page.goto(live_server.url + "/")
        page.wait_for_function(
            "document.getElementById('hint').textContent.includes('Kamera topilmadi')"
        )
        assert page.is_visible("#passport-form")
        shot(page, "kiosk-no-camera")


def test_the_staff_dashboard_matches_the_database(live_server, db, open_browser, django_user_model):
    ali = make_person(full_name="Ali Valiyev")
    for method, success in [("face", True), ("face", True), ("passport", True), ("face", False)]:
        LoginLog.objects.create(person=ali if success else None, method=method, success=success,
                                reason="ok" if success else "not_recognised", confidence=77.5)  # fmt: skip
    with open_browser(None) as page:
        staff_login(page, live_server, django_user_model)
        page.wait_for_selector(".stat[data-key=total_logins]")
        value = lambda key: page.inner_text(f".stat[data-key={key}] .value")  # noqa: E731
        assert value("total_logins") == "3"
        assert value("face_logins") == "2"
        assert value("today_logins") == "3"
        assert value("total_persons") == str(Person.objects.filter(is_active=True).count())
        page.wait_for_selector("#chart-days svg")
        assert page.locator("#chart-days svg rect").count() == 30
        assert page.locator("#chart-hours svg rect").count() == 24
        assert "100%" not in page.inner_text("#chart-methods")  # 2 face of 3 logins: 67 %
        assert "67%" in page.inner_text("#chart-methods")
        page.wait_for_selector("#all-logs tbody tr")
        assert page.locator("#all-logs tbody tr").count() == 4
        shot(page, "dashboard-staff")
        page.select_option("select[name=success]", "false")
        page.click("#filters button[type=submit]")
        page.wait_for_function("document.querySelectorAll('#all-logs tbody tr').length === 1")
        with page.expect_download() as download:
            page.click("#export")
        assert download.value.suggested_filename == "kirishlar.xlsx"
        page.select_option("select[name=success]", "")
        page.click("#filters button[type=submit]")
        page.click(f"#all-logs a[href='/dashboard/person/{ali.id}/'] >> nth=0")
        page.wait_for_selector("#person-stats .stat")
        assert page.inner_text(".stat[data-key=total_logins] .value") == "3"
        shot(page, "person-statistics")
        page.goto(live_server.url + "/admin/api/loginlog/")
        assert "Ali Valiyev" in page.inner_text("#result_list")
        shot(page, "admin-login-log")


def test_roster_upload_dry_run_shows_the_bad_row_then_imports(
    live_server, db, photos, open_browser, django_user_model, tmp_path
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_HEADERS[:6])  # the downloadable template's Uzbek headers, no photo
    sheet.append(["Yaxshi Xodim Birinchi", "AB", "1234567", "01.01.1990", "serjant", "1-IIB"])
    sheet.append(["Yomon Sana", "AB", "7654321", "31.02.1990", "", ""])
    sheet.append(["Yaxshi Xodim Ikkinchi", "AC", "1111111", "1985-05-05", "mayor", "2-IIB"])
    roster = tmp_path / "xodimlar.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    roster.write_bytes(buffer.getvalue())
    with open_browser(None) as page:
        staff_login(page, live_server, django_user_model)
        page.goto(live_server.url + "/upload-excel/")
        with page.expect_download() as download:
            page.click("#template")
        assert download.value.suggested_filename.endswith(".xlsx")
        page.set_input_files("input[name=roster]", str(roster))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#report-table")
        bad = page.locator("tr[data-row='3']")
        assert "error" in bad.get_attribute("class")
        assert "sana" in bad.locator("td.errors").inner_text()
        assert Person.objects.count() == 0  # the dry run wrote nothing
        shot(page, "upload-preview")
        page.click("#import-now")
        page.wait_for_selector("#final-summary", timeout=30_000)
        assert "Yangi: 2" in page.inner_text("#final-summary")
        shot(page, "upload-done")
    assert set(Person.objects.values_list("passport_number", flat=True)) == {"1234567", "1111111"}


@pytest.fixture
def liveness_on(settings):
    settings.FACE_LIVENESS = "challenge"


def test_liveness_refuses_a_video_of_one_still_photo(
    live_server, enrolled, photos, open_browser, tmp_path, liveness_on
):
    name = photos.names[0]
    video = photo_video(photos.first(name), tmp_path / "still.y4m")
    with open_browser(video) as page:
        page.goto(live_server.url + "/")
        page.wait_for_selector("#result.bad", timeout=60_000)
        assert "Jonlilik tekshiruvidan o'tilmadi" in page.inner_text("#result")
        shot(page, "kiosk-liveness-refused")
    assert not LoginLog.objects.filter(success=True).exists()
    assert LoginLog.objects.filter(reason="liveness").exists()


def test_liveness_passes_a_video_showing_the_head_turn(
    live_server, enrolled, photos, engine, open_browser, tmp_path, liveness_on
):
    found = turning_person(photos, engine)
    if found is None:
        pytest.skip("no person with both a frontal and a turned photo in this photo set")
    name, frontal, turned = found
    front, side = cv2.imread(str(frontal)), cv2.imread(str(turned))
    video = write_y4m(
        tmp_path / "turn.y4m", (front, 8), (side, 8), (np.ascontiguousarray(side[:, ::-1]), 8)
    )
    with open_browser(video) as page:
        page.goto(live_server.url + "/")
        page.wait_for_function(
            "document.getElementById('hint').textContent.includes('buring')", timeout=60_000
        )
        shot(page, "kiosk-liveness-challenge")
        page.wait_for_url(re.compile(r".*/dashboard/$"), timeout=60_000)
        assert page.inner_text("#me-name") == enrolled[name].full_name


def test_a_kiosk_session_ends_by_itself_after_the_idle_time(
    live_server, db, open_browser, settings
):
    settings.KIOSK_IDLE_SECONDS = 10
    make_person(
        full_name="Idle Xodim",
        passport_series="AD",
        passport_number="3145734",
        birth_date="1988-02-29",
    )
    with open_browser(None) as page:
        page.goto(live_server.url + "/")
        page.type("#passport", "AD3145734")
        page.type("#birth-date", "29021988")
        page.click("#passport-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard/$"), timeout=15_000)
        page.wait_for_url(re.compile(r".*:\d+/$"), timeout=30_000)  # back at the kiosk
        assert page.evaluate("fetch('/api/current-user/').then(r => r.status)") == 401
