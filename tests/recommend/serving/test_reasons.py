"""Reasons: the engine's English sentence that the site can still translate."""
import json
import pickle

from re_sys.recommend.serving.reasons import Reason, Term


def test_a_reason_is_its_english_sentence():
    reason = Reason("Because you rated {title} {stars}", title="Heat", stars="★★★★")
    assert reason == "Because you rated Heat ★★★★"
    assert json.dumps({"reason": reason}) == '{"reason": "Because you rated Heat \\u2605\\u2605\\u2605\\u2605"}'
    assert (reason.template, reason.fields) == ("Because you rated {title} {stars}",
                                                {"title": "Heat", "stars": "★★★★"})


def test_translation_covers_the_template_and_nested_reasons_but_not_titles():
    segment = Reason("{gender} {age}", gender=Term("women"), age=Term("aged 25–34"))
    reason = Reason("Popular with {segment}", segment=segment)
    catalogue = {"Popular with {segment}": "受{segment}欢迎", "{gender} {age}": "{age}的{gender}",
                 "women": "女性", "aged 25–34": "25–34 岁"}
    assert reason == "Popular with women aged 25–34"
    assert reason.translated(lambda message: catalogue.get(message, message)) == "受25–34 岁的女性欢迎"
    titled = Reason("Similar to {title}", title="women")    # a title is never looked up
    assert titled.translated(lambda message: catalogue.get(message, message)) == "Similar to women"


def test_braces_in_a_title_are_text_and_survive_pickling():
    reason = Reason("Similar to {title}", title="{Proof} of {Life}")
    assert reason == "Similar to {Proof} of {Life}"
    copy = pickle.loads(pickle.dumps(reason))
    assert copy == reason and isinstance(copy, Reason)
    assert (copy.template, copy.fields) == (reason.template, reason.fields)


def test_a_term_is_translated_whole_and_never_read_as_a_template():
    reason = Reason("Popular in {genre} ({count} ratings)", genre=Term("{Sci-Fi}"), count="1,024")
    assert reason == "Popular in {Sci-Fi} (1,024 ratings)"
    catalogue = {"Popular in {genre} ({count} ratings)": "{genre}类热门（{count} 个评分）", "{Sci-Fi}": "科幻"}
    assert reason.translated(lambda message: catalogue.get(message, message)) == "科幻类热门（1,024 个评分）"
    copy = pickle.loads(pickle.dumps(reason))
    assert copy.translated(lambda message: catalogue.get(message, message)) == "科幻类热门（1,024 个评分）"


def test_a_reason_is_reworded_for_another_reader_nested_parts_included():
    from re_sys.recommend.serving.reasons import OF_ANOTHER_VIEWER, predicted_reason as _predicted

    because = Reason("Because you rated {title} {stars}", title="Heat", stars="★★★★")
    assert because.reworded(OF_ANOTHER_VIEWER) == "Because they rated Heat ★★★★"
    assert _predicted(4.2).reworded(OF_ANOTHER_VIEWER) == "Predicted ★★★★ for them"
    nested = Reason("{first}; {second}", first=Reason("Watched by viewers with tastes like yours"), second="x")
    reworded = nested.reworded(OF_ANOTHER_VIEWER)
    assert reworded == "Watched by viewers with tastes like theirs; x"
    assert reworded.fields["first"].template == "Watched by viewers with tastes like theirs"
    similar = Reason("Similar to {title}", title="Heat")    # nothing to say differently: unchanged
    assert similar.reworded(OF_ANOTHER_VIEWER) == similar
    assert set(OF_ANOTHER_VIEWER.values()).isdisjoint(OF_ANOTHER_VIEWER)   # no template maps to another "you"
