"""Countries a question names, in the 17 languages and five more: an everyday word is not a country."""

from __future__ import annotations

import pytest

from assistant.locale.countries import country_code, country_name, find_country


@pytest.mark.parametrize(("text", "code"), [
    ("Partners in Brazil for solar pumps?", "BR"),
    ("Кто в Германии делает солнечные панели?", "DE"),
    ("寻找日本的合作伙伴", "JP"),
    ("Tìm đối tác tại Pháp về pin mặt trời", "FR"),  # one-syllable Vietnamese name after a place word
    ("Công nghệ từ Nga cho đường sắt", "RU"),
    ("Có doanh nghiệp nào ở Việt Nam cần cảm biến?", "VN"),
    ("Công ty Hoa Kỳ nào cần máy bay không người lái?", "US"),
    ("نبحث عن شركاء في دولة قطر", "QA"),  # an everyday word after a word that introduces a country
    ("به دنبال شریک در کشور چک هستیم", "CZ"),
    # questions arrive in languages the product does not answer in, too
    ("Antalya'da topraksız tarım için Hollanda'dan teknoloji ortağı lazım.", "NL"),
    ("Wir suchen Partner für Naturfaser-Verbundteile in Österreich", "AT"),
    ("Cerchiamo partner in Giappone per la robotica", "JP"),
    ("Zoeken partners in Duitsland voor batterijrecycling", "DE"),
])
def test_a_named_country_is_found(text: str, code: str) -> None:
    assert find_country(text) == code


@pytest.mark.parametrize("text", [
    # "giải pháp" (solution), "phương pháp" (method), "đạo đức" (ethics), "áo" (coat), "séc" (cheque)
    "Có cơ quan nào đang tìm giải pháp kiểm tra kết cấu máy bay, phát hiện ăn mòn hay vết nứt không?",
    "Phương pháp xử lý nước thải và đạo đức nghiên cứu",
    "Công nghệ dệt may cho áo chống cháy, thanh toán bằng séc",
    "Which labs have software for air traffic management?",
    "Drones for utility pole inspection",  # "pole" is Afrikaans for Poland
    "نحتاج دعم مالي لتطوير تقنية لقياس قطر الأنابيب",  # financial support; pipe diameter
    "به حمایت مالی برای پروژه نیاز داریم",  # financial support
    "Solar-powered desalination for small island communities",  # German and Dutch for Iceland
    "Sistemas de detección de polen para alérgicos",  # German and Dutch for Poland
    "Mısır hasadı için otonom makineler arıyoruz",  # maize harvest; Turkish for Egypt
    "Czujniki czadu do kotłowni",  # carbon monoxide sensors; Polish for Chad
])
def test_an_everyday_word_is_not_a_country(text: str) -> None:
    assert find_country(text) is None


def test_names_and_codes_round_trip() -> None:
    assert country_code("Франция") == "FR" and country_code("fr") == "FR"
    assert country_name("FR", "vi") == "Pháp"


@pytest.mark.parametrize(("text", "code"), [
    ("Who offers solar technology in Europe?", "150"),
    ("Ищем партнёров в Европе для водородных технологий", "150"),  # inflected, as countries are
    ("寻找东南亚的合作伙伴", "035"),
    ("Buscamos socios en América Latina para riego", "419"),
    ("Partners in the European Union for battery recycling", "EU"),
    ("Kami mencari mitra di Asia Tenggara", "035"),
    ("شركاء في أفريقيا لتحلية المياه", "002"),
    # a country's name is not its region's: South Africa is a country, Southern Africa a region
    ("We need partners in South Africa", "ZA"),
    ("We need partners in Southern Africa", "018"),
])
def test_a_region_is_found_as_its_m49_code(text: str, code: str) -> None:
    assert find_country(text) == code


def test_a_region_has_a_name_in_every_language() -> None:
    assert country_name("150", "ru") == "Европа" and country_name("035", "zh") == "东南亚"
