"""MovieLens titles shown article first; everything else left as it is."""
import pytest

from re_sys.recommend.data.titles import article_first, display_title


@pytest.mark.parametrize("stored, shown", [
    ("Usual Suspects, The", "The Usual Suspects"),
    ("Close Shave, A", "A Close Shave"),
    ("Atalante, L'", "L'Atalante"),                      # no space after an elided article
    ("Misérables, Les", "Les Misérables"),
    ("Godfather: Part II, The", "The Godfather: Part II"),
    ("City of Lost Children, The (Cité des enfants perdus, La)",
     "The City of Lost Children (La Cité des enfants perdus)"),
    ("Seventh Seal, The (Sjunde inseglet, Det)", "The Seventh Seal (Det Sjunde inseglet)"),
    ("Big Lebowski, The (a.k.a. Lebowski, The)", "The Big Lebowski (a.k.a. The Lebowski)"),
    ("Die xue shuang xiong (Killer, The)", "Die xue shuang xiong (The Killer)"),
])
def test_articles_come_first_in_the_title_and_in_each_alternate(stored, shown):
    assert display_title(stored) == shown


@pytest.mark.parametrize("title", [
    "Star Wars", "Paris, Texas", "Brother, Can You Spare a Dime?", "Crouching Tiger, Hidden Dragon",
    "(500) Days of Summer", "Seven (a.k.a. Se7en)", "Interview with the Vampire: The Vampire Chronicles", "",
])
def test_titles_without_a_trailing_article_are_unchanged(title):
    assert display_title(title) == title


def test_article_first_strips_and_ignores_case():
    assert article_first("  Boot, das ") == "das Boot"
    assert article_first("Paris, France") == "Paris, France"
