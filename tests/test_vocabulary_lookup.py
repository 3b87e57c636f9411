"""One text normaliser and one programme lookup (issue 17, item 5): every reader matches names the same way."""

from __future__ import annotations

import unicodedata

import pytest

from sosu_analysis.definitions import programme_code, text_key


def test_text_key_is_form_case_and_space_insensitive():
    decomposed = unicodedata.normalize("NFD", "Tårnby")  # å = a + combining ring
    assert decomposed != "Tårnby" and text_key(decomposed) == text_key("TÅRNBY") == "tårnby"
    assert text_key("  Social-  og\tSundhedsassistent ") == "social- og sundhedsassistent"


@pytest.mark.parametrize("name,code", [("SSA", "SSA"), ("ssh", "SSH"), ("Social- og sundhedsassistent", "SSA"),
                                       ("social- og sundhedshjælperuddannelsen", "SSH"),
                                       (" Pædagogisk  assistent ", "PAU"), ("sosu-assistent", "SSA"),
                                       ("Pædagog", None), ("", None)])
def test_one_programme_lookup_for_every_reader(name, code):
    from sosu_analysis.national.counts import programme_code as national_lookup
    from sosu_analysis.readers import goals, published

    assert programme_code(name) == code
    assert national_lookup is programme_code  # the national reader and ETU use the same function
    assert goals.programme_code is published.programme_code is programme_code
