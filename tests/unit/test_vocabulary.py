from __future__ import annotations

import pytest

from assistant.vocabulary import BUNDLED_GLOSSARY, Glossary, abbreviates

GLOSSARY = Glossary.parse(
    """
    # comment line
    covid-19 | covid | coronavirus | pandemic
    pharmacy | pharmacies | chemist | chemists   # trailing comment
    lonely
    """
)


def test_parse_keeps_groups_of_two_or_more_terms_lower_cased() -> None:
    assert GLOSSARY.groups == (
        ("covid-19", "covid", "coronavirus", "pandemic"),
        ("pharmacy", "pharmacies", "chemist", "chemists"),
    )


def test_bundled_glossary_parses() -> None:
    groups = Glossary.load(BUNDLED_GLOSSARY).groups
    assert ("covid-19", "covid", "coronavirus", "pandemic") in groups
    assert all(len(group) > 1 for group in groups)


def test_variants_swap_the_longest_term_used_for_each_equivalent() -> None:
    assert GLOSSARY.variants("What changed during COVID-19?") == [
        "What changed during COVID-19?",
        "What changed during coronavirus?",
        "What changed during pandemic?",
    ]


def test_variants_skip_inflections_of_the_term_used_and_of_each_other() -> None:
    assert GLOSSARY.variants("Were chemists busy?") == ["Were chemists busy?", "Were pharmacy busy?"]


def test_variants_match_whole_terms_only_and_respect_the_limit() -> None:
    assert GLOSSARY.variants("Pharmacovigilance in pandemics?") == ["Pharmacovigilance in pandemics?"]
    assert len(GLOSSARY.variants("Chemists in the pandemic?", limit=2)) == 2
    assert Glossary().variants("Anything?") == ["Anything?"]


WORDS = (
    "North West Ambulance Service worked with NHS England and NHS Wales while Bedfordshire Luton and "
    "Milton Keynes ICS and the Clinical Commissioning Group in Lincolnshire met"
).split()


@pytest.mark.parametrize("short", ["NWAS", "NHSE", "BLMK", "CCG", "Lincs"])
def test_abbreviations_of_runs_in_the_text(short: str) -> None:
    assert abbreviates(short, WORDS)


@pytest.mark.parametrize("short", ["NWS", "Leeds", "Kent", "N", "NHS", "ICS"])
def test_not_abbreviations(short: str) -> None:
    """Letters inside an ordinary word do not count for an acronym ("NWAS" is not "NHS Wales"),
    and a word that is itself in the text abbreviates nothing else."""
    assert not abbreviates(short, WORDS)
