import datetime as dt

from bot.domain.apostille import apostille_answer, needs_apostille


def test_member_country_needs_only_an_apostille(kb):
    germany = kb.resolve_country("Germany")
    assert needs_apostille(germany)
    text = apostille_answer(kb, germany).text
    assert text.startswith("Germany: an apostille is enough")
    assert "7 November 2023" in text


def test_later_member_uses_its_own_date(kb):
    canada = kb.resolve_country("Canada")
    assert canada.apostille_with_china_since == dt.date(2024, 1, 11)
    assert "11 January 2024" in apostille_answer(kb, canada).text


def test_non_member_needs_consular_legalisation(kb):
    for name in ("Vietnam", "United Arab Emirates"):
        country = kb.resolve_country(name)
        assert country is not None, name
        assert not needs_apostille(country)
        assert "consular legalisation" in apostille_answer(kb, country).text


def test_objection_is_explained(kb):
    india = kb.resolve_country("India")
    assert not needs_apostille(india) and india.note
    assert "Note:" in apostille_answer(kb, india).text


def test_aliases_and_typos(kb):
    assert kb.resolve_country("USA").id == "us"
    assert kb.resolve_country("the UK").id == "gb"
    assert kb.resolve_country("Germny").id == "de"


def test_hong_kong_documents_are_notarised(kb):
    assert "notar" in apostille_answer(kb, None, region="hk_macao_taiwan").text.lower()


def test_without_country_both_routes_are_explained_and_the_country_asked(kb):
    text = apostille_answer(kb, None).text
    assert "Apostille countries" in text and "Other countries" in text and "Tell me the country" in text


def test_the_document_is_named(kb):
    text = apostille_answer(kb, kb.resolve_country("France"), document="Degree certificate").text
    assert "your degree certificate" in text
