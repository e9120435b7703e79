"""Chinese and English: the switcher, and a catalogue that covers the templates and is compiled."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PO_FILE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _po_entries() -> dict[str, str]:
    """msgid -> msgstr (the singular form) of the Chinese catalogue."""
    entries = {}
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n)+)', block + "\n", re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block + "\n", re.M)
        if msgid and msgstr:
            key = "".join(re.findall(r'"(.*)"', msgid.group(1))).encode().decode("unicode_escape") \
                .encode("latin-1").decode("utf-8")
            value = "".join(re.findall(r'"(.*)"', msgstr.group(1))).encode().decode("unicode_escape") \
                .encode("latin-1").decode("utf-8")
            if key:
                entries[key] = value
    return entries


def test_every_string_is_translated_and_the_compiled_catalogue_is_current():
    entries = _po_entries()
    assert len(entries) > 100
    untranslated = [k for k, v in entries.items() if not v]
    assert untranslated == []
    with translation.override("zh-hans"):
        stale = [k for k, v in entries.items() if "%(n)s" not in k and translation.gettext(k) != v]
    assert stale == [], "run python manage.py compilemessages"


def test_every_translate_tag_in_the_templates_is_in_the_catalogue():
    entries = _po_entries()
    tags = set()
    for template in (ROOT / "templates").rglob("*.html"):
        tags |= set(re.findall(r'{% translate "([^"]+)"', template.read_text(encoding="utf-8")))
        tags |= set(re.findall(r"{% translate '([^']+)'", template.read_text(encoding="utf-8")))
    assert len(tags) > 50
    assert sorted(tags - set(entries)) == [], "run makemessages and translate the new strings"


def test_the_language_switcher_turns_the_site_chinese_and_back(client, catalogue):
    english = client.get("/").content.decode()
    assert "For you" in english and 'lang="en"' in english
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/movies/3/"})
    assert response.status_code == 302 and response["Location"] == "/movies/3/"
    chinese = client.get("/movies/3/").content.decode()
    assert 'lang="zh-hans"' in chinese and "For you" not in chinese
    assert "为你推荐" in chinese and "Toy Story" in chinese and "玩具总动员" in chinese
    assert client.get("/search/", {"q": "toy"}).content.decode().count("部电影") >= 1
    # Each language is offered in its own words, so that a reader of the other can find theirs.
    assert '>English</option>' in chinese and '>简体中文</option>' in chinese and "英语" not in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "For you" in client.get("/").content.decode()


def test_a_generated_poster_prints_genres_in_the_language_of_its_address(client, catalogue):
    # Posters are publicly cached per address: the Chinese page links to a Chinese one of its own.
    english_page = client.get("/movies/3/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese_page = client.get("/movies/3/").content.decode()
    assert 'src="/movies/3/poster.svg"' in english_page
    assert 'src="/movies/3/poster.svg?lang=zh-hans"' in chinese_page
    # The address alone decides, not the reader's cookie: the cache may hand either to anyone.
    assert "1995 · Comedy<" in client.get("/movies/3/poster.svg").content.decode()
    assert "1995 · 喜剧<" in client.get("/movies/3/poster.svg?lang=zh-hans").content.decode()
    english = client.get("/movies/3/poster.svg")
    assert english["Content-Language"] == "en"       # the address's language, not the reader's (Chinese)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    chinese = client.get("/movies/3/poster.svg?lang=zh-hans")
    assert "1995 · 喜剧<" in chinese.content.decode() and chinese["Content-Language"] == "zh-hans"
    assert "1995 · 喜剧<" in client.get("/movies/3/poster.svg?lang=zh-Hans").content.decode()   # as often written
    bad = client.get("/movies/3/poster.svg?lang=xx")
    assert bad.status_code == 400 and "Unknown language" in bad.content.decode()


def test_the_browser_language_is_honoured(client, catalogue):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "全部电影" in page


def test_reasons_are_chinese_on_pages_and_english_in_the_api(client, served):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/movies/3/").content.decode()
    assert "与 Toy Story 相似" in page and "Similar to" not in page
    visitor = client.get("/for-you/").content.decode()
    assert "大家都喜欢（" in visitor and "Popular with everyone" not in visitor
    answer = client.get("/api/movies/3/similar", {"k": 3}).json()
    assert {r["reason"] for r in answer["results"]} == {"Similar to Toy Story"}


def test_a_faulty_translation_of_a_reason_falls_back_to_english(monkeypatch):
    from re_sys.recommend.serving.reasons import Reason
    from re_sys.templatetags import movies

    monkeypatch.setattr(movies, "gettext", lambda message: "因为 {film}")   # a field the reason lacks
    assert movies.reason(Reason("Similar to {title}", title="Heat")) == "Similar to Heat"
    monkeypatch.setattr(movies, "gettext", lambda message: "与 {title} 相似")
    assert movies.reason(Reason("Similar to {title}", title="Heat")) == "与 Heat 相似"
    assert movies.reason("plain text") == "plain text"


def test_the_datasets_words_are_chinese_where_shown_and_stored_as_they_were(client, served):
    from django.contrib.auth import get_user_model

    from re_sys.models import Viewer

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    movie = client.get("/movies/3/").content.decode()
    assert ">喜剧</a>" in movie and ">Comedy</a>" not in movie          # the genre link
    search = client.get("/search/", {"q": "toy"}).content.decode()
    assert '<option value="Comedy">喜剧</option>' in search             # the filter keeps the stored key
    assert "<span class=\"genres\">喜剧</span>" in search                 # each result's genres
    assert "喜剧电影" in client.get("/genres/Comedy/").content.decode()
    client.force_login(get_user_model().objects.create_user("mei", password="pw-pw-pw-123"))
    assert "推荐更多喜剧" in client.get("/onboarding/").content.decode()    # a group of comedies
    form = client.get("/profile/edit/").content.decode()
    assert '<option value="programmer">程序员</option>' in form and '<option value="F">女</option>' in form
    client.post("/profile/edit/", {"gender": "F", "age_group": "1", "occupation": "programmer", "zip_code": ""})
    viewer = Viewer.objects.get(user__username="mei")
    assert (viewer.gender, viewer.age_group, viewer.occupation) == ("F", 1, "programmer")
    profile = client.get(f"/users/{viewer.pk}/").content.decode()
    assert "<dd>女</dd>" in profile and "<dd>18 岁以下</dd>" in profile and "<dd>程序员</dd>" in profile
    for_you = client.get("/for-you/").content.decode()
    assert '<option value="blend" selected>综合所有信号（推荐）</option>' in for_you
    assert '<span class="channel">' in for_you and '<span class="channel">popular</span>' not in for_you


def test_every_word_the_datasets_and_engine_use_has_a_catalogue_entry():
    from re_sys import vocabulary
    from re_sys.models import Viewer
    from re_sys.recommend.serving.ranking import RANKING_ORDER
    from re_sys.recommend.data.movielens import AGE_GROUPS, ML1M_OCCUPATIONS, ML100K_GENRES

    entries = _po_entries()
    words = {*ML100K_GENRES, *ML1M_OCCUPATIONS, *(label for _k, label in Viewer.GENDERS), AGE_GROUPS[1],
             *(label for _k, label in Viewer.RECOMMENDERS), *(vocabulary.CHANNELS[c] for c in RANKING_ORDER)}
    assert sorted(words - set(entries)) == []
    assert set(vocabulary.GENRES) | set(vocabulary.OCCUPATIONS) <= set(entries)
