"""Section numbering on real texts (tests/fixtures/texts, see PROVENANCE.md there)."""

from conftest import real_text

from trustwatch.parsers.sections import section_spans
from trustwatch.parsers.text import normalize_text


def spans(name):
    text = normalize_text(real_text(name))
    return text, {section.number: section for section in section_spans(text)}


def test_values_act_bill_and_code_sections():
    text, sections = spans("ca-sb54-2017-chaptered.txt")
    top = [n for n, s in sections.items() if s.level == 0]
    assert top == ["DIGEST", "SECTION 1", "SEC. 2", "SEC. 3", "SEC. 4", "SEC. 5"]
    code = [n for n, s in sections.items() if s.level == 1]
    assert code == [
        "7282",
        "7282.5",
        "7284",
        "7284.2",
        "7284.4",
        "7284.6",
        "7284.8",
        "7284.10",
        "7284.12",
    ]
    assert sections["7284.6"].parent == "SEC. 3"
    assert sections["SEC. 2"].heading == "Section 7282.5 of the Government Code is amended to read:"


def test_offsets_slice_exactly_the_unit():
    text, sections = spans("ca-sb54-2017-chaptered.txt")
    unit = text[sections["7282.5(a)"].start : sections["7282.5(a)"].end]
    assert unit.startswith("(a) A law enforcement official shall have discretion to cooperate")
    assert text[sections["7282.5(a)"].end :].lstrip().startswith("(b) In cases in which")
    # A code section runs to the next code section; a bill section to the next one.
    assert text[sections["7284.6"].end :].lstrip().startswith("7284.8.")
    assert text[sections["SEC. 3"].end :].lstrip().startswith("SEC. 4.")
    whole = sections["7284.6"]
    for number, section in sections.items():
        if number.startswith("7284.6("):
            assert whole.start <= section.start < section.end <= whole.end


def test_subdivisions_nest_and_cross_references_do_not_count():
    text, sections = spans("ca-sb54-2017-chaptered.txt")
    assert [n for n in sections if n.startswith("7282(b)(")] == [
        "7282(b)(1)",
        "7282(b)(2)",
        "7282(b)(3)",
        "7282(b)(4)",
        "7282(b)(5)",
    ]
    # "subdivision (c) of Section 1192.7" and "Section 7283." are references.
    assert "1192.7" not in sections and "7283" not in sections
    assert all(not n.endswith("(c) of") for n in sections)


def test_line_number_debris_of_a_printed_bill():
    # AB 4 as introduced: "3(a) The United States ..." after "2following:".
    text, sections = spans("ca-ab4-2013-introduced-20121203.partial.txt")
    assert list(sections) == ["DIGEST", "SECTION 1", "SECTION 1(a)"]
    assert text[sections["SECTION 1(a)"].start :].startswith(
        "(a) The United States Immigration and Customs Enforcement’s"
    )


def test_a_wrapped_reference_at_a_line_start_is_not_a_subdivision():
    # AB 2792 as introduced wraps "subdivision\n3(d) of Section 667".
    text, sections = spans("ca-ab2792-2016-introduced-20160219.partial.txt")
    assert list(sections) == ["DIGEST", "SECTION 1", "7282", "7282(a)", "7282(b)"]


def test_texas_code_section_with_capitalised_heading_and_deep_nesting():
    text, sections = spans("tx-sb4-2017-senate-committee-substitute.partial.txt")
    assert sections["101.0216"].heading.startswith("LIABILITY OF COUNTY OR MUNICIPALITY")
    assert sections["101.0216(a)(1)(B)"].parent == "101.0216(a)(1)"
    assert sections["101.0216(a)(2)"].level == 3


def test_municipal_code_and_illinois_act_sections():
    _, chicago = spans("chicago-mc-2-173-030-current.txt")
    assert list(chicago) == [
        "2-173-030",
        "2-173-030(a)",
        "2-173-030(a)(1)",
        "2-173-030(a)(2)",
        "2-173-030(b)",
    ]
    assert chicago["2-173-030"].heading.startswith("Intentional collection and sharing")
    _, illinois = spans("il-pa100-0463-sb31-enrolled-ilga.partial.txt")
    assert [(n, s.heading) for n, s in illinois.items()] == [
        ("Section 1", "Short title."),
        ("Section 5", "Legislative Purpose."),
        ("Section 10", "Definitions."),
    ]


def test_text_without_numbering_has_no_sections():
    assert section_spans("The Legislature finds and declares that trust matters.") == []
