"""The tagger on real texts (tests/fixtures/texts, see PROVENANCE.md there): the coding
rules of ../shared/taxonomy.md that make tagging hard, one test each."""

import pytest
from conftest import real_text

from trustwatch.parsers.provision_rules import RULES, TYPES
from trustwatch.parsers.provisions import tag_provisions
from trustwatch.parsers.text import normalize_text


def tags(text: str) -> set[tuple[str, str]]:
    return {(p.type, p.section) for p in tag_provisions(normalize_text(text))}


@pytest.fixture(scope="module")
def values_act():
    text = normalize_text(real_text("ca-sb54-2017-chaptered.txt"))
    return text, tag_provisions(text)


def test_evidence_offsets_slice_exactly_the_passage(values_act):
    text, provisions = values_act
    assert provisions
    for provision in provisions:
        assert text[provision.start : provision.end] == provision.text
        assert provision.direction == TYPES[provision.type][0]


def test_list_items_are_read_with_their_lead_in(values_act):
    # 7284.6(a) "California law enforcement agencies shall not: (1) Use ... (B) Detain an
    # individual on the basis of a hold request."
    _, provisions = values_act
    found = {(p.type, p.section) for p in provisions}
    assert {
        ("immigration_enforcement_limit", "7284.6(a)(1)"),
        ("status_inquiry_limit", "7284.6(a)(1)(A)"),
        ("detainer_limit", "7284.6(a)(1)(B)"),
        ("release_notification_limit", "7284.6(a)(1)(C)"),
        ("enforcement_agreement_limit", "7284.6(a)(1)(G)"),
        ("transfer_limit", "7284.6(a)(4)"),
        ("judicial_warrant_requirement", "7284.6(a)(4)"),
        ("serious_crime_exception", "7282.5(a)(1)"),
        ("facility_access_limit", "7284.10(a)(1)"),
    } <= found


def test_digest_findings_and_definitions_tag_nothing(values_act):
    _, provisions = values_act
    sections = {p.section for p in provisions}
    assert not any(
        s in ("DIGEST", "7284.2") or s.startswith(("7284.2(", "7284.4(", "7282(")) for s in sections
    )


def test_a_limit_law_has_no_mandate_types(values_act):
    _, provisions = values_act
    assert {p.direction for p in provisions} == {"limit"}


def test_permission_to_communicate_is_not_a_limit():
    # Chicago 2-173-030(a): the Corporation Counsel "may investigate and inquire about
    # immigration status" — a permission inside a limit.
    found = tags(real_text("chicago-mc-2-173-030-current.txt"))
    assert ("status_inquiry_limit", "2-173-030(a)(1)") in found
    assert ("judicial_warrant_requirement", "2-173-030(a)") in found
    assert ("information_sharing_limit", "2-173-030(b)") in found


def test_a_ban_on_sanctuary_policies_is_not_a_detainer_limit():
    # Texas SB 4 era text (Gov. Code 752.053 as quoted on a statute site).
    text = (
        "(a) A local entity or campus police department may not:\n"
        "(1) adopt, enforce, or endorse a policy under which the entity or department "
        "prohibits or materially limits the enforcement of immigration laws;\n"
        "(2) as demonstrated by pattern or practice, prohibit or materially limit the "
        "enforcement of immigration laws; or\n"
    )
    found = tags(text)
    assert ("sanctuary_policy_prohibition", "(a)(1)") in found
    assert all(TYPES[t][0] == "mandate" for t, _ in found)


def test_struck_text_is_not_part_of_the_rule(values_act):
    # The real 7284.6(a)(1)(B), struck as an amending bill's markup would strike it.
    text, _ = values_act
    passage = "(B) Detaining an individual on the basis of a hold request."
    assert passage in text
    found = {(p.type, p.section) for p in tag_provisions(text.replace(passage, f"~~{passage}~~"))}
    assert ("detainer_limit", "7284.6(a)(1)(B)") not in found
    assert ("status_inquiry_limit", "7284.6(a)(1)(A)") in found


def test_striking_not_turns_the_limits_into_nothing(values_act):
    # The taxonomy's warning: "may not give access" becoming "may give access" removes
    # the limit although almost every word is still there. Here the real lead-in of
    # 7284.6(a) loses its "not".
    text, _ = values_act
    lead_in = "(a) California law enforcement agencies shall not:"
    assert lead_in in text
    amended = tag_provisions(text.replace(lead_in, "(a) California law enforcement agencies may:"))
    assert not [p for p in amended if p.section.startswith("7284.6(a)(1)")]


def test_every_rule_names_a_taxonomy_type():
    assert {rule.type for rule in RULES} == set(TYPES)
    assert len(TYPES) == 18
