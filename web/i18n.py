"""Interface texts in Uzbek (Latin, default), Russian and English.

Kept as data rather than gettext catalogues so that no compile step is needed; templates get
the active language's dictionary as ``t`` and scripts get the same dictionary as JSON.
"""

from django.utils import translation

TEXTS: dict[str, tuple[str, str, str]] = {
    "app_name": ("Chilonzor PI — kirish", "Чиланзар ПИ — вход", "Chilonzor PI — sign in"),
    "kiosk_title": ("Yuz orqali kirish", "Вход по лицу", "Face sign-in"),
    "look_at_camera": ("Kameraga qarang", "Посмотрите в камеру", "Look at the camera"),
    "come_closer": ("Yaqinroq keling", "Подойдите ближе", "Come closer"),
    "too_dark": ("Juda qorong'i", "Слишком темно", "Too dark"),
    "several_faces": (
        "Kadrda bir nechta yuz bor — yolg'iz turing",
        "В кадре несколько лиц — встаньте один",
        "Several faces in view — please stand alone",
    ),
    "hold_still": (
        "Qimirlamang, tekshirilmoqda…",
        "Не двигайтесь, проверяем…",
        "Hold still, checking…",
    ),
    "recognising": ("Tanilmoqda…", "Распознаём…", "Recognising…"),
    "welcome": ("Xush kelibsiz", "Добро пожаловать", "Welcome"),
    "no_camera": (
        "Kamera topilmadi yoki ruxsat berilmadi. Passport orqali kiring.",
        "Камера не найдена или нет доступа. Войдите по паспорту.",
        "No camera found or access denied. Please sign in with your passport.",
    ),
    "passport_login": ("Passport orqali kirish", "Вход по паспорту", "Sign in with passport"),
    "passport": ("Passport (AA1234567)", "Паспорт (AA1234567)", "Passport (AA1234567)"),
    "birth_date": (
        "Tug'ilgan sana (KK.OO.YYYY)",
        "Дата рождения (ДД.ММ.ГГГГ)",
        "Birth date (DD.MM.YYYY)",
    ),
    "sign_in": ("Kirish", "Войти", "Sign in"),
    "try_face_again": ("Yuz orqali qayta urinish", "Снова по лицу", "Try face again"),
    "dashboard": ("Boshqaruv paneli", "Панель", "Dashboard"),
    "logout": ("Chiqish", "Выйти", "Sign out"),
    "my_card": ("Mening ma'lumotlarim", "Мои данные", "My card"),
    "position": ("Lavozim", "Должность", "Position"),
    "department": ("Bo'lim", "Подразделение", "Department"),
    "my_history": ("Mening kirishlarim", "Мои входы", "My sign-ins"),
    "statistics": ("Statistika", "Статистика", "Statistics"),
    "total_persons": ("Xodimlar", "Сотрудники", "Personnel"),
    "total_logins": ("Jami kirishlar", "Всего входов", "All sign-ins"),
    "today_logins": ("Bugun", "Сегодня", "Today"),
    "this_week_logins": ("Shu hafta", "На этой неделе", "This week"),
    "this_month_logins": ("Shu oy", "В этом месяце", "This month"),
    "face_logins": ("Yuz orqali", "По лицу", "By face"),
    "passport_logins": ("Passport orqali", "По паспорту", "By passport"),
    "per_day": ("Kunlar bo'yicha (30 kun)", "По дням (30 дней)", "Per day (30 days)"),
    "by_hour": ("Soatlar bo'yicha", "По часам", "By hour of day"),
    "face_vs_passport": ("Yuz / passport", "Лицо / паспорт", "Face / passport"),
    "latest_logs": ("So'nggi kirishlar", "Последние входы", "Latest sign-ins"),
    "time": ("Vaqt", "Время", "Time"),
    "person": ("Xodim", "Сотрудник", "Person"),
    "method": ("Usul", "Способ", "Method"),
    "confidence": ("Ishonch", "Уверенность", "Confidence"),
    "result": ("Natija", "Результат", "Result"),
    "ip": ("IP", "IP", "IP"),
    "all": ("Hammasi", "Все", "All"),
    "success": ("Muvaffaqiyatli", "Успешно", "Succeeded"),
    "failed": ("Muvaffaqiyatsiz", "Неудачно", "Failed"),
    "from": ("Dan", "С", "From"),
    "to": ("Gacha", "По", "To"),
    "filter": ("Saralash", "Фильтр", "Filter"),
    "export_excel": ("Excelga yuklab olish", "Выгрузить в Excel", "Export to Excel"),
    "previous": ("Oldingi", "Назад", "Previous"),
    "next": ("Keyingi", "Далее", "Next"),
    "unknown_person": ("Noma'lum", "Неизвестно", "Unknown"),
    "person_stats": ("Xodim statistikasi", "Статистика сотрудника", "Person statistics"),
    "first_login": ("Birinchi kirish", "Первый вход", "First sign-in"),
    "last_login": ("Oxirgi kirish", "Последний вход", "Last sign-in"),
    "upload_excel": ("Excel yuklash", "Загрузка Excel", "Excel upload"),
    "download_template": ("Namuna faylni yuklab olish", "Скачать шаблон", "Download the template"),
    "roster_file": ("Xodimlar ro'yxati (.xlsx)", "Список сотрудников (.xlsx)", "Roster (.xlsx)"),
    "photos_zip": (
        "Rasmlar (.zip, ixtiyoriy)",
        "Фото (.zip, необязательно)",
        "Photos (.zip, optional)",
    ),
    "preview": (
        "Tekshirish (hech narsa yozilmaydi)",
        "Проверить (ничего не записывается)",
        "Check (nothing is written)",
    ),
    "import_now": ("Import qilish", "Импортировать", "Import"),
    "row": ("Qator", "Строка", "Row"),
    "status": ("Holat", "Статус", "Status"),
    "faces": ("Yuzlar", "Лица", "Faces"),
    "errors": ("Xatolar", "Ошибки", "Errors"),
    "report": ("Hisobot", "Отчёт", "Report"),
    "importing": ("Import qilinmoqda…", "Импорт…", "Importing…"),
    "done": ("Tayyor", "Готово", "Done"),
    "admin": ("Admin", "Админ", "Admin"),
    "rows": ("Qatorlar", "Строк", "Rows"),
    "created": ("Yangi", "Создано", "Created"),
    "updated": ("Yangilangan", "Обновлено", "Updated"),
    "unchanged": ("O'zgarmagan", "Без изменений", "Unchanged"),
    "error": ("Xato", "Ошибка", "Error"),
    "faces_enrolled": ("Yuz qo'shildi", "Лиц добавлено", "Faces enrolled"),
    "faces_refused": ("Yuz rad etildi", "Лиц отклонено", "Faces refused"),
    "language": ("Til", "Язык", "Language"),
    "session_ends": ("Sessiya tugaydi:", "Сессия завершится через:", "Session ends in:"),
}
_INDEX = {"uz": 0, "ru": 1, "en": 2}


def texts(language: str | None = None) -> dict[str, str]:
    index = _INDEX.get((language or translation.get_language() or "uz").split("-")[0], 0)
    return {key: values[index] for key, values in TEXTS.items()}


def context(request) -> dict:
    """Template context processor: ``t`` (texts) and ``lang`` of the active language."""
    language = (translation.get_language() or "uz").split("-")[0]
    return {"t": texts(language), "lang": language if language in _INDEX else "uz"}
