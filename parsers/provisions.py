"""Tag a version's text with the provision taxonomy, with exact evidence spans.

The rules (what words make which type) live in :mod:`provision_rules`; this module reads
a law the way the taxonomy's coding rules say a person does:

- only operative text counts: struck-out matter (``~~...~~``, "begin delete ... end
  delete"), the Legislative Counsel's digest, findings and intent, definitions, titles
  and short titles establish nothing;
- a sentence is read with the list lead-in that governs it, so "no agency shall: ...
  (C) based upon an immigration detainer" is a prohibition about detainers, tagged in
  the innermost section ("2-173-020(a)(1)(C)") where the detainer is named;
- a permission ("does not prohibit", "is authorized to", "may exchange") is not a limit;
- a sentence that forbids limiting enforcement is a mandate, so its words about
  detainers or status are not read as limits.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from .prefilter import PatternSet
from .provision_rules import ANY, NEGATIVE, POSITIVE, RULES, TYPES, Rule
from .scanning import fail_fast
from .sections import Section, section_spans


def _spaced(pattern: str) -> str:
    """A rule's pattern as ``re`` reads it."""
    # A space in a rule matches any whitespace: PDF text and wrapped pages break lines
    # in the middle of phrases ("immigration\nstatus").
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


@cache
def _compiled(pattern: str | None) -> re.Pattern | None:
    """Compile a case-insensitive word pattern (a rule's, when first needed: most
    comparisons of two files need a few rules)."""
    if not pattern:
        return None
    return fail_fast(_spaced(pattern), re.IGNORECASE)


_PROHIBITION = _compiled(
    r"\b(?:(?:shall|may|must|will) not\b|cannot|can not|shall no longer"
    r"|\bno\b(?! later| less| more| sooner| fewer)[^.;]{0,200}\b(?:shall|may)\b|prohibit\w*"
    r"|forbid\w*|shall only|may only|(?:shall|must) (?:deny|refuse|decline)"
    r"|only (?:if|when|under|upon|after)|not to be detained|shall refrain"
    r"|shall decline|is not authorized|are not authorized|nor shall|neither)"
)
_OBLIGATION = _compiled(
    # no \b before "shall": PDF text runs words together ("the booking processshall:")
    r"(?:shall\b|\bmust\b|\bis required to\b|\bare required to\b|\bhas a duty to\b"
    r"|\bis responsible for\b)"
)
# Permissions and savings clauses: a limit's words here widen what is allowed.
_PERMISSION = _compiled(
    r"(?:\b(?:does|do|shall|may) not (?:prohibit|restrict|limit|prevent|preclude|apply)"
    r"|nothing in this [^.;]{0,80}(?:shall|may|is intended to)[^.;]{0,40}"
    r"(?:prohibit|restrict|limit|prevent|preclude|authoriz|require)"
    r"|shall not be construed to (?:prohibit|restrict|limit|prevent)"
    r"|\bis authorized to\b|\bare authorized to\b|\bmay (?:exchange|share|communicate|cooperate)\b"
    r"|\bshall have immunity\b)"
)
# A rule against limiting cooperation: a sentence like this is a mandate.
_BANS_LIMITS = _compiled(
    r"(?:may not|shall not|must not) (?:prohibit|restrict|limit)\w*\b[^.;]{0,80}"
    r"(?:officer|employee|person|agenc\w+)\b[^.;]{0,120}\bfrom\b|"
    r"(?:(?:may not|shall not|must not)\s+(?:(?!be\b)\w+,?\s+){0,4}?(?:adopt|enact|enforce|endorse"
    r"|prohibit|restrict|limit|materially limit)\w*\b[^.;]{0,200}(?:enforcement of"
    r" (?:federal )?immigration|immigration laws?|cooperat\w+|compl\w+ with|detainer)"
    r"|sanctuary (?:polic|jurisdiction|cit))"
)
# Sentences that establish nothing, whatever they mention.
_NOT_OPERATIVE = _compiled(
    r"^(?:\W{0,3})(?:the (?:legislature|general assembly|council|people)[^.]{0,40}"
    r"(?:finds?|declares?|intends?)|it is the intent|findings?\b|this (?:bill|act) would"
    r"|the bill would|existing (?:federal |state )?law\b|an act\b|a bill to be entitled"
    r"|relating to\b|this (?:chapter|act|article|title|ordinance) (?:shall be known|may be"
    r" cited)|short title|(?:for (?:the )?purposes? of|as used in) this"
    r"|this (?:law|section|bill|chapter) (?:states|says|explains|summarizes))"
)
_DEFINITION = _compiled(
    r"^(?:\W{0,4}\(?[\w.]{0,5}\)?\s*)?[“\"'][^”\"']{1,120}[”\"'],?\s+(?:shall )?(?:means?|includes?"
    r"|has the (?:same )?meaning|have the (?:same )?meanings?|refers? to)"
)
# Titles, purpose paragraphs and tables of contents, wherever they sit in a sentence.
_TITLE = _compiled(
    r"\b(?:a bill to be entitled|an act relating to)\b|^\W{0,3}for the purpose of\b"
    # the clauses of a purpose paragraph: "prohibiting certain schools ...;"
    r"|^\W{0,3}(?:and )?(?:generally )?(?:requiring|prohibiting|authorizing|establishing"
    r"|providing|altering|repealing|defining|making|relating|creating|amending|clarifying)\b"
    r"|(?:\b\d+(?:[.-]\d+)+\.? [A-Z][^.;]{0,90}\. ?){3,}"
    r"|\bshall (?:not )?be (?:considered|deemed)\b"
)
_FINDINGS_UNIT = _compiled(
    r"(?:legislature|general assembly|council)[^.:]{0,30}find|findings|legislative (?:intent"
    r"|purpose)|purpose and intent|^definitions\b|\bdefinitions\."
)
# "\b(?:[A-Z]\.){2,}", written to start with a character class: ``re`` then finds where a
# match may start with a fast search instead of trying the pattern at every position
# (a case-sensitive class only; ``fail_fast``'s lookahead is still tried everywhere).
_INITIALISM = re.compile(r"[A-Z](?<!\w[A-Z])\.(?:[A-Z]\.)+")
_MODAL = _compiled(r"(?:shall|\bmay|\bmust|\bno)\b")
# "~~.*?~~|begin delete.*?end delete" (ignoring case), written to start with a character
# class for the same reason.
_STRUCK = re.compile(r"[~bB](?:(?<=~)~.*?~~|(?<=[bB])(?i:egin delete.*?end delete))", re.DOTALL)
_DIGEST_START = _compiled(r"legislative\s+counsel\W{0,3}s\s+digest")
# The enacting formula: everything before it (caption, digest, purpose) enacts nothing.
_ENACTING = _compiled(
    r"the people of the state of [a-z ]+ (?:, represented [^:]{0,80})?do enact as follows"
    r"|do enact as follows|be it enacted by|be it ordained by"
)
_BODY_START = _compiled(
    r"the people of the state of [a-z ]+ do enact as follows|be it enacted by"
    r"|be it ordained|\bSECTION 1\b|\bSec(?:tion|\.) 1\."
)
_SENTENCE_BREAK = re.compile(
    # Every break starts at a space (and the "not after" checks come after the cheap "after
    # [.;:]"): the scan fails fast at other positions.
    r"(?=\s)(?:"
    # not after an abbreviation or an initial ("U.S. Immigration", "Sec. 2", "V. Manuel")
    r"(?<=[.;:])(?<!\bU\.S\.)(?<!\bNo\.)(?<!\bSec\.)(?<!\bsubd\.)(?<!\bseq\.)(?<!\bStat\.)"
    r"(?<!\bart\.)(?<!\bch\.)(?<!\bC\.)(?<!\b[A-Z]\.)"
    r"\s+(?=[A-Z(“\"]|\d+\.\s)|\n(?=#)"
    # a blank line ends a sentence only where a sentence or a list item can end or start:
    # table residue puts blank lines in the middle of sentences
    r"|(?<=[.;:,])\s*\n\s*\n|\n\s*\n(?=\s*(?:\(|[A-Z])))"
)


# The rules' topics, asked of each sentence at once (see :mod:`prefilter`): only those
# that may be named near it are scanned for.
_TOPICS = sorted({rule.topic for rule in RULES})
_TOPIC_SET = PatternSet([_spaced(topic) for topic in _TOPICS])
_TOPIC_OF = [_TOPICS.index(rule.topic) for rule in RULES]


class _RuleSet:
    """Some of the rules (indices in ``RULES``), with a set of only their topics: looking
    for one type in a whole version must not pay for asking about every topic."""

    def __init__(self, rules: Sequence[int]):
        self.rules = tuple(rules)
        self._topics = sorted({_TOPIC_OF[index] for index in self.rules})
        self._set = (
            _TOPIC_SET
            if len(self._topics) == len(_TOPICS)
            else PatternSet([_spaced(_TOPICS[topic]) for topic in self._topics])
        )

    def possible(self, text: str) -> list[int]:
        """The indices in ``_TOPICS`` of these rules' topics that may be named in ``text``."""
        found = self._set.possible(text)
        return found if self._set is _TOPIC_SET else [self._topics[k] for k in found]


_ALL_RULES = _RuleSet(range(len(RULES)))


@dataclass(frozen=True)
class Provision:
    """One tagged passage: ``text`` is exactly ``version_text[start:end]``."""

    type: str
    direction: str
    section: str
    text: str
    start: int
    end: int
    rule: str
    confidence: float

    def as_dict(self) -> dict:
        return {
            "type": self.type,
            "direction": self.direction,
            "section": self.section,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "rule": self.rule,
            "confidence": self.confidence,
        }


def tag_provisions(text: str, sections: list[Section] | None = None) -> list[Provision]:
    """Every passage of ``text`` that establishes a taxonomy type, in document order.

    ``sections`` are :func:`section_spans` of the same text (computed when omitted).
    One provision per type per sentence; a type may occur in many sentences.
    """
    if sections is None:
        sections = section_spans(text)
    shadow = _shadow(text)
    return _tag(text, shadow, _operative_units(shadow, sections))


def tag_differences(
    old_text: str,
    old_sections: list[Section],
    new_text: str,
    new_sections: list[Section],
    renames: dict[str, str] | None = None,
) -> tuple[list[Provision], list[Provision], set[str], set[str]]:
    """What comparing two versions' provisions needs, without tagging what they share.

    A provision depends only on its unit: the unit's text, its number and the lead-ins
    around it. Provisions are compared by type and section number, old numbers read
    through ``renames`` (old number → new). Under a number whose units read the same in
    both versions, both have the same provisions, so only numbers whose units differ are
    tagged (every unit under such a number, in both versions). Returns those provisions
    of the old and of the new version (old ones under their own numbers), and the types
    each whole version has: a type found on one side only is looked for in the shared
    units too, with only its own rules.
    """
    renames = renames or {}
    old_shadow, new_shadow = _shadow(old_text), _shadow(new_text)
    old_units = _operative_units(old_shadow, old_sections)
    new_units = _operative_units(new_shadow, new_sections)
    dirty = _numbers_that_differ(old_text, old_units, new_text, new_units, renames)
    old_dirty = [u for u in old_units if renames.get(u.number, u.number) in dirty]
    memo: dict = {}
    old_found = _tag(old_text, old_shadow, old_dirty, memo=memo)
    new_dirty = [u for u in new_units if u.number in dirty]
    new_found = _tag(new_text, new_shadow, new_dirty, memo=memo)
    old_types = {p.type for p in old_found}
    new_types = {p.type for p in new_found}
    shared = [u for u in old_units if renames.get(u.number, u.number) not in dirty]
    for type_ in sorted(old_types ^ new_types):
        rules = _RuleSet([index for index, rule in enumerate(RULES) if rule.type == type_])
        if _tag(old_text, old_shadow, shared, rules, first_only=True):
            old_types.add(type_)
            new_types.add(type_)
    return old_found, new_found, old_types, new_types


def _shadow(text: str) -> str:
    """The text as the rules read it, offset for offset."""
    # Struck-out matter is blanked (same length, so offsets hold); table-cell pipes left
    # by HTML-to-text ("an | || agreement") read as spaces.
    # JSON-escaped line breaks (bill text inside an API dump) read as line breaks.
    shadow = _STRUCK.sub(lambda m: " " * len(m.group()), text).replace("|", " ")
    shadow = shadow.replace("\\n", " \n")
    # The dots of "U.S.C." end no sentence and break no phrase ("... 8 U.S.C. 1357(g), or
    # that otherwise permits ... to detain").
    return _INITIALISM.sub(lambda m: m.group().replace(".", " "), shadow)


def _tag(
    text: str,
    shadow: str,
    units: list["_Unit"],
    rules: _RuleSet = _ALL_RULES,
    first_only: bool = False,
    memo: dict | None = None,
) -> list[Provision]:
    """The provisions of these units, with these rules (all by default). With a
    ``memo``, a unit that reads exactly like one already tagged (in either version of a
    comparison) takes its provisions, moved.
    """
    found: list[Provision] = []
    for unit in units:
        key = (text[unit.start : unit.end], shadow[unit.start : unit.end], unit.lead_in)
        key += (unit.follow,)
        if memo is not None and key in memo:
            start, provisions = memo[key]
            found += [
                replace(
                    p,
                    section=unit.number,
                    start=p.start - start + unit.start,
                    end=p.end - start + unit.start,
                )
                for p in provisions
            ]
            continue
        best: dict[tuple[str, int], Provision] = {}
        # Each sentence as it is read: its context, itself, and what follows it.
        read = [
            (s, e, len(c) + 1, f"{c} {shadow[s:e]} {f}") for s, e, c, f in _sentences(shadow, unit)
        ]
        # Most units name no topic at all: one pass over all their readings says so.
        if not rules.possible("\n".join(reading for *_, reading in read)):
            read = []
        for start, end, own_from, reading in read:
            for provision in _match(
                text, shadow, unit.number, start, end, own_from, reading, rules
            ):
                if first_only:
                    return [provision]
                key_ = (provision.type, provision.start)
                if key_ not in best or best[key_].confidence < provision.confidence:
                    best[key_] = provision
        if memo is not None:
            memo[key] = (unit.start, list(best.values()))
        found += best.values()
    return sorted(found, key=lambda p: (p.start, p.type))


def _numbers_that_differ(
    old_text: str,
    old_units: list["_Unit"],
    new_text: str,
    new_units: list["_Unit"],
    renames: dict[str, str],
) -> set[str]:
    """The (new) numbers whose units — text, lead-ins, in order — differ between the two."""
    readings: dict[str, list[list]] = {}
    for side, (text, units) in enumerate(((old_text, old_units), (new_text, new_units))):
        for unit in units:
            number = renames.get(unit.number, unit.number) if side == 0 else unit.number
            sides = readings.setdefault(number, [[], []])
            sides[side].append((text[unit.start : unit.end], unit.lead_in, unit.follow))
    return {number for number, (old, new) in readings.items() if old != new}


@dataclass
class _Unit:
    number: str
    start: int
    end: int
    lead_in: str  # the list lead-ins of its ancestors ("no agency or agent shall:")
    follow: str = ""  # when the unit is itself a lead-in: what its first item says


def _operative_units(shadow: str, sections: list[Section]) -> list[_Unit]:
    """Each section's own text (up to its first sub-unit) and the unnumbered stretches of
    the body, without the digest and without findings or definitions sections."""
    body = _body_start(shadow)
    numbered = [section for section in sections if section.number != "DIGEST"]
    parents = _parents(numbered)
    first_child: dict[int, int] = {}
    for index, parent in enumerate(parents):  # document order: the first child seen starts first
        if parent is not None:
            first_child.setdefault(parent, numbered[index].start)
    skipped: set[int] = set()
    clauses: dict[int, str | None] = {}  # a parent's list lead-in, read once for all its children
    units: list[_Unit] = []
    covered = body
    # An unnumbered sentence ending with a colon ("The prohibition ... shall include:")
    # leads the top-level list that follows it.
    pending = ""
    for index, section in enumerate(numbered):
        own_end = min(section.end, _next_start(numbered, index))
        if section.start > covered:
            gap = shadow[covered : section.start]
            units.append(_Unit("", covered, section.start, ""))
            if gap.strip():
                last = _last_sentence(gap.strip())
                pending = last if last.rstrip().endswith(":") and _MODAL.search(last) else ""
        covered = max(covered, own_end)
        own = shadow[section.start : own_end]
        if parents[index] in skipped or _FINDINGS_UNIT.search(f"{section.heading} {own[:160]}"):
            skipped.add(index)
            continue
        lead_in = _lead_in(shadow, numbered, parents, first_child, index, clauses)
        if parents[index] is None and pending:
            lead_in = f"{pending} {lead_in}".strip()
        follow = ""
        if own_end < section.end and not own.rstrip().endswith((".", ";")):
            # "(a) Unless ... a lawfully issued judicial warrant, (1) no agent shall ...":
            # the lead-in's exception is read with the rule it introduces.
            follow = shadow[own_end : min(_next_start(numbered, index + 1), section.end)]
        units.append(_Unit(section.number, max(section.start, body), own_end, lead_in, follow))
    if covered < len(shadow):
        units.append(_Unit("", covered, len(shadow), ""))
    # Blank stretches between sections say nothing (and would tie every unnumbered unit
    # of a text to the count of its sections in tag_differences).
    return [unit for unit in units if shadow[unit.start : unit.end].strip()]


def _parents(sections: list[Section]) -> list[int | None]:
    """The index of each section's enclosing section. By position, not by number: a page
    can hold two texts of one subsection, both numbered "(a)"."""
    parents: list[int | None] = []
    open_sections: list[int] = []
    for index, section in enumerate(sections):
        while open_sections and sections[open_sections[-1]].end <= section.start:
            open_sections.pop()
        parents.append(open_sections[-1] if open_sections else None)
        open_sections.append(index)
    return parents


def _next_start(sections: list[Section], index: int) -> int:
    """Where the section after ``sections[index]`` starts (its own text ends there)."""
    if index + 1 < len(sections):
        return sections[index + 1].start
    return sections[index].end if index < len(sections) else sections[-1].end


def _body_start(shadow: str) -> int:
    """Where enacted text starts: at the enacting formula, or after the digest."""
    enacting = _ENACTING.search(shadow)
    if enacting:
        return enacting.start()
    digest = _DIGEST_START.search(shadow)
    if not digest:
        return 0
    body = _BODY_START.search(shadow, digest.end())
    return body.start() if body else len(shadow)


def _lead_in(
    shadow: str,
    sections: list[Section],
    parents: list[int | None],
    first_child: dict[int, int],
    index: int,
    clauses: dict[int, str | None],
) -> str:
    """The last clause of each ancestor's own text, when it introduces a list."""
    parts = []
    parent = parents[index]
    while parent is not None:
        if parent not in clauses:
            own = shadow[sections[parent].start : first_child[parent]].strip()
            clauses[parent] = None if own.endswith((".", ";")) else _last_sentence(own)
        if clauses[parent] is not None:
            parts.append(clauses[parent])
        parent = parents[parent]
    return " ".join(reversed(parts))


def _last_sentence(text: str) -> str:
    """The clause that introduces a list: the last one ending with a colon and saying
    who must or must not do what (page clutter can sit between it and the list)."""
    pieces = [piece for piece in _SENTENCE_BREAK.split(text) if piece and piece.strip()]
    for piece in reversed(pieces):
        if piece.rstrip().endswith(":") and _MODAL.search(piece):
            return piece
    return pieces[-1] if pieces else text


def _sentences(shadow: str, unit: _Unit):
    """Yield (start, end, context) for each sentence of a unit. The first sentence is read
    with the lead-ins of the lists it sits in; a sentence after one that ends with a colon
    is read with it (a list without numbering); a later sentence stands alone."""
    lead = ""
    inherited = unit.lead_in
    position = unit.start
    breaks = list(_SENTENCE_BREAK.finditer(shadow, unit.start, unit.end))
    for match in [*breaks, None]:
        end = match.start() if match else unit.end
        start = position
        while start < end and shadow[start].isspace():
            start += 1
        stripped_end = end
        while stripped_end > start and shadow[stripped_end - 1].isspace():
            stripped_end -= 1
        if stripped_end > start:
            sentence = shadow[start:stripped_end]
            follow = unit.follow if match is None or match.end() >= unit.end else ""
            yield start, stripped_end, f"{inherited} {lead}".strip(), follow
            inherited = ""
            if sentence.endswith(":"):
                lead = sentence
            elif sentence[:1].isupper() and not sentence.endswith((";", ",")):
                lead = ""
        if match:
            position = match.end()


def _match(
    text: str,
    shadow: str,
    section: str,
    start: int,
    end: int,
    own_from: int,
    reading: str,
    rules: _RuleSet,
):
    """The provisions of the sentence ``shadow[start:end]``, read as
    ``reading`` (its context, then itself from ``own_from``, then what follows it)."""
    sentence = shadow[start:end]
    own_to = own_from + len(sentence)
    # The topic must be named in the sentence itself, though its phrase may begin in the
    # lead-in ("no agency shall: (1) stop, arrest ... (A) solely on the belief").
    window_start = max(0, own_from - _TOPIC_REACH)
    window_end = min(len(reading), own_to + _TOPIC_REACH)
    possible = rules.possible(reading[window_start:window_end])
    named: dict[int, bool] = {}
    candidates = []
    for index in rules.rules if possible else ():
        topic = _TOPIC_OF[index]
        if topic in possible:
            if topic not in named:
                named[topic] = _names_topic(
                    _compiled(_TOPICS[topic]), reading, own_from, own_to, window_start, window_end
                )
            if named[topic]:
                candidates.append(RULES[index])
    if not candidates or _NOT_OPERATIVE.search(sentence) or _DEFINITION.search(sentence):
        return
    if _TITLE.search(sentence) or _is_heading(sentence):
        return
    prohibited = bool(_PROHIBITION.search(reading))
    obliged = not prohibited and bool(_OBLIGATION.search(reading))
    # A permission, or a rule against limiting cooperation, establishes no limit.
    no_limits = bool(_PERMISSION.search(sentence) or _BANS_LIMITS.search(reading))
    for rule in candidates:
        direction = TYPES[rule.type][0]
        if direction == "limit" and no_limits:
            continue
        if rule.requires and not _compiled(rule.requires).search(reading):
            continue
        if rule.unless and _compiled(rule.unless).search(sentence):
            continue
        if not _polarity_holds(rule, prohibited, obliged):
            continue
        yield Provision(
            type=rule.type,
            direction=direction,
            section=section,
            text=text[start:end],
            start=start,
            end=end,
            rule=rule.name,
            confidence=rule.confidence,
        )


def _is_heading(sentence: str) -> bool:
    """A heading in capitals ("LIABILITY OF COUNTY ... DETAINER REQUEST."), not text in
    capitals that enacts something (Maryland prints new matter in capitals)."""
    if sentence.lstrip().startswith("(") or sentence.rstrip().endswith((";", ":", ",")):
        return False  # a list item or a clause, not a heading
    if sum(map(len, _LOWER_RUN.findall(sentence))) > 0.2 * len(sentence):
        return False  # the usual sentence: too many small letters, said without counting
    letters = [c for c in sentence if c.isalpha()]
    if len(letters) < 8 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return False
    return not _ENACTING_WORD.search(sentence)


_LOWER_RUN = re.compile("[a-z]+")
_ENACTING_WORD = re.compile(r"\b(?:SHALL|MAY|MUST|NOT|UNLESS|EXCEPT|IF)\b")


# How far into a lead-in a topic phrase may begin ("stop, arrest, detain ... (A) solely").
_TOPIC_REACH = 250


def _names_topic(
    topic: re.Pattern, reading: str, own_from: int, own_to: int, window_start: int, window_end: int
) -> bool:
    """Whether the topic is named in the sentence (``reading[own_from:own_to]``), its
    phrase perhaps begun in the lead-in."""
    return any(
        own_from < m.end() and m.start() < own_to
        for m in topic.finditer(reading, window_start, window_end)
    )


def _polarity_holds(rule: Rule, prohibited: bool, obliged: bool) -> bool:
    if rule.polarity == NEGATIVE:
        return prohibited
    if rule.polarity == POSITIVE:
        return obliged
    return rule.polarity == ANY
