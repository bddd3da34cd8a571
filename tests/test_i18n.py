from crmdesk import i18n


def test_chinese_catalog_and_fallback():
    assert i18n.set_language("zh_CN.UTF-8") == "zh_CN"
    assert i18n._("Customers") == "客户"
    assert i18n._("a string nobody translated") == "a string nobody translated"
    assert i18n.set_language("en") == "en"
    assert i18n._("Customers") == "Customers"


def test_normalize_and_system_language(monkeypatch):
    assert i18n.normalize("zh-Hans") == "zh_CN"
    assert i18n.normalize("de_DE") == "en"
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert i18n.system_language() == "zh_CN"


def test_every_po_file_parses_and_has_no_empty_chinese():
    from babel.messages.pofile import read_po

    files = sorted(i18n.LOCALE_DIR.glob("zh_CN/*.po"))
    assert files, "no zh_CN translations shipped"
    for po in files:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="zh_CN")
        for message in catalog:
            if message.id:
                assert message.string, f"{po.name}: {message.id!r} has no translation"


def test_no_string_is_translated_two_ways():
    """All zh_CN files merge into one catalog: a msgid with two translations would show
    whichever file loads last, so each English text must mean one thing."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    conflicts = []
    for po in sorted(i18n.LOCALE_DIR.glob("zh_CN/*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="zh_CN"):
                if not message.id or not message.string:
                    continue
                first = seen.setdefault(message.id, (po.name, message.string))
                if first[1] != message.string:
                    conflicts.append((message.id, first, (po.name, message.string)))
    assert conflicts == []
