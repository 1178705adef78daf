"""bot/domain/abuse/payloads.py: which typed "/intent" texts are believed."""
import pytest

from bot.domain.abuse.payloads import PUBLIC_INTENTS, admitted, as_words, is_internal, is_literal_payload, \
    parse_payload

OFFERED = ['/inform{"service":"work_permit"}', "/ask_materials", "category A"]


@pytest.mark.parametrize("text", [
    '/inform{"service":"work_permit"}', '  /inform{"service":"work_permit"}  ',
    '/inform{ "service" : "work_permit" }',  # the same entities, spaced differently
    "/ask_materials",
])
def test_an_offered_payload_is_believed(text):
    assert admitted(text, OFFERED)


@pytest.mark.parametrize("text", [
    '/inform{"service":"residence_permit"}',  # another value than the button carried
    '/inform{"service":"work_permit","nationality":"x"}', '/ask_materials{"service":"work_permit"}',
    "/ask_fees", "/inform", "/ask_materials@0.99", "/greet{\"service\":\"work_permit\"}", "/request_human",
])
def test_a_payload_the_bot_did_not_offer_is_not(text):
    assert not admitted(text, OFFERED)


@pytest.mark.parametrize("name", sorted(PUBLIC_INTENTS))
def test_bare_public_intents_are_believed_without_an_offer(name):
    assert admitted(f"/{name}", []) and admitted(f" /{name} ", [])
    assert not admitted(f'/{name}{{"service":"work_permit"}}', [])


@pytest.mark.parametrize("text", ["/EXTERNAL_handback", "/EXTERNAL_handoff_expired", "/restart", "/session_start",
                                  "/back", "/nlu_fallback", " /restart", "/external_handback", "/Restart"])
def test_internal_intents_never_come_from_a_person_even_when_offered(text):
    assert is_internal(parse_payload(text).intent)
    assert not admitted(text, [text, text.strip()])


@pytest.mark.parametrize("text", ["hello", "how much is a work permit?", "/", "/{\"a\":1}", "a /restart", "", "  "])
def test_ordinary_words_pass_as_they_are(text):
    assert parse_payload(text) is None and admitted(text, [])


def test_a_refused_payload_is_read_as_words():
    assert as_words("/EXTERNAL_handback") == "EXTERNAL_handback"
    assert as_words('  //inform{"service":"work_permit"}') == 'inform{"service":"work_permit"}'
    assert parse_payload(as_words("/restart")) is None


@pytest.mark.parametrize("text", [
    "/greet", " /restart ", '/inform{"service":"work_permit"}', "/ask_fees@0.5", '/inform@0.3{"a": "b"} trailing',
    "/two words", "/", "hello", '/inform{"service":"work_permit"', "/a{b}c{d}",
])
def test_payloads_are_split_as_rasa_splits_them(text):
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    rasa_match = YAMLStoryReader._regex_message_pattern().match(text.strip())
    ours = parse_payload(text)
    assert (ours is None) == (rasa_match is None)
    if ours is not None:
        assert ours.intent == rasa_match["name"].strip() and ours.confidence == rasa_match["confidence"]
        assert (ours.entities is None) == (rasa_match["entities"] is None) and ours.rest == rasa_match["rest"].strip()


@pytest.mark.parametrize("text, literal", [
    ('/inform{"service":"work_permit"}', True), ('/ask_fees{"service":"residence_permit"}', True),
    ('/inform{{"service":"work_permit"}}', False),  # Rasa's escaped form: Rasa unescapes it
    ("/ask_materials", False), ("Hello {name}", False), ('/inform{"service":"{service}"', False),
    ('/inform["a"]', False), (None, False),
])
def test_literal_payloads_are_those_with_a_json_object(text, literal):
    assert is_literal_payload(text) is literal
