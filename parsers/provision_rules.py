"""The provision rules: what words make a passage one of the taxonomy's types.

This module is data a researcher can read and argue with. Each rule names a taxonomy
type (../shared/taxonomy.md, v1) and says:

- ``topic``: what the sentence itself must mention (the match that makes the evidence);
- ``requires``: what must also be said in the sentence or in the list lead-in governing
  it ("no agency shall: ... (C) based upon an immigration detainer");
- ``polarity``: ``negative`` — the rule holds only under a prohibition ("shall not",
  "may not", "no ... shall", "only if", "unless"); ``positive`` — only under an
  obligation ("shall", "must") that is not negated; ``any`` — the words decide alone;
- ``confidence``: how often the rule is right on the labelled set (see README scores);
- ``unless``: words that, in the sentence itself, undo the rule ("discretion").

Patterns are case-insensitive regular expressions; a space in a pattern matches any run
of whitespace, line breaks included.

The engine (:mod:`trustwatch.parsers.provisions`) adds what no single rule can: struck
text, digests, findings, definitions and titles establish nothing; permissions ("does
not prohibit", "may exchange") are not limits; and a sentence that forbids limiting
cooperation (a ban on sanctuary policies) carries mandate types only.
"""

from dataclasses import dataclass

TAXONOMY_VERSION = "v1"

NEGATIVE, POSITIVE, ANY = "negative", "positive", "any"

# type: (direction, the question it answers) — from ../shared/taxonomy.md, v1.
TYPES = {
    "detainer_limit": (
        "limit",
        "Does it restrict holding a person in custody on an immigration detainer / hold request?",
    ),
    "judicial_warrant_requirement": (
        "limit",
        "Does it make cooperation (holds, transfers, access, information) conditional on a "
        "judicial warrant or an order signed by a judge?",
    ),
    "release_notification_limit": (
        "limit",
        "Does it restrict telling immigration authorities when a person will be released?",
    ),
    "transfer_limit": (
        "limit",
        "Does it restrict transferring a person to immigration custody?",
    ),
    "information_sharing_limit": (
        "limit",
        "Does it restrict sharing personal information (address, schedules, records, "
        "databases) with immigration authorities?",
    ),
    "facility_access_limit": (
        "limit",
        "Does it restrict immigration agents' access to jails, to people in custody, or to "
        "interviews (including written-consent rules for interviews)?",
    ),
    "status_inquiry_limit": (
        "limit",
        "Does it forbid asking about, or recording, immigration or citizenship status?",
    ),
    "enforcement_agreement_limit": (
        "limit",
        "Does it forbid or restrict 287(g) agreements, deputising officers as immigration "
        "officers, or joint immigration task forces?",
    ),
    "immigration_enforcement_limit": (
        "limit",
        "Does it forbid using local resources or personnel to investigate, interrogate, "
        "detain, detect or arrest people for immigration enforcement?",
    ),
    "detention_contract_limit": (
        "limit",
        "Does it forbid or restrict contracts to detain people for civil immigration purposes?",
    ),
    "sensitive_location_protection": (
        "limit",
        "Does it protect courthouses, schools, health facilities, shelters or similar places "
        "from immigration enforcement?",
    ),
    "serious_crime_exception": (
        "limit",
        "Does it carve out people convicted of (or charged with) listed serious or violent "
        "offences, for whom cooperation is allowed?",
    ),
    "reporting_requirement": (
        "limit",
        "Does it require records or public reports on immigration requests or on cooperation?",
    ),
    "detainer_compliance_mandate": (
        "mandate",
        "Does it require honoring detainers or otherwise cooperating with immigration authorities?",
    ),
    "sanctuary_policy_prohibition": (
        "mandate",
        "Does it forbid local policies that limit cooperation or enforcement?",
    ),
    "enforcement_penalty": (
        "mandate",
        "Does it penalise jurisdictions or officials that limit cooperation (fines, removal "
        "from office, loss of funds, liability)?",
    ),
    "status_verification_mandate": (
        "mandate",
        "Does it require officers to check a person's immigration status?",
    ),
    "enforcement_agreement_mandate": (
        "mandate",
        "Does it require entering into 287(g) or similar agreements with immigration authorities?",
    ),
}


@dataclass(frozen=True)
class Rule:
    type: str
    name: str
    topic: str
    requires: str | None = None
    polarity: str = NEGATIVE
    confidence: float = 0.8
    # Words that, in the sentence itself, mean the rule does not apply after all.
    unless: str | None = None


# Vocabulary shared by several rules.
IMMIGRATION = (
    r"(?:immigration|ICE\b|Immigration and Customs Enforcement|Homeland Security|deportation"
    r"|removal)"
)
HOLD = (
    r"(?:hold requests?|(?:immigration|ICE|Customs Enforcement) holds?|detainer requests?"
    r"|(?:civil )?immigration detainers?|\bdetainers?\b|I-247A?)"
)
# Verbs of keeping someone in custody; "hold" in "hold request" and "detain" in
# "detainer" are the topic, not the verb.
CUSTODY_VERB = (
    r"\b(?:detain(?:s|ed|ing)?|hold(?:s|ing)?(?!\s+requests?)|keep|kept|maintain\w* custody"
    r"|continu\w* to detain|comply\w* with|honor\w*|respond\w* to|fulfill\w*)\b"
)
AUTHORITIES = (
    r"(?:immigration authorit\w+|federal immigration|Immigration and Customs Enforcement"
    r"|\bICE\b|Department of Homeland Security|\bDHS\b|immigration officials?|immigration"
    r" agents?|federal agency charged with enforcement)"
)

RULES = [
    # --- limits ---------------------------------------------------------------------
    Rule(
        "detainer_limit",
        "no-detention-on-hold",
        topic=HOLD,
        requires=CUSTODY_VERB,
    ),
    Rule(
        "detainer_limit",
        "no-detention-after-release-date",
        # "shall not detain ... after that individual becomes eligible for release"
        topic=r"\bdetain\w*\b[^.;]{0,120}\beligible for release",
        confidence=0.85,
    ),
    Rule(
        "detainer_limit",
        "hold-only-if",
        # "shall have discretion to cooperate ... only if" / "may ... hold ... only if"
        topic=HOLD,
        requires=r"\bonly (?:if|when|under|upon)\b",
        polarity=ANY,
        confidence=0.7,
    ),
    Rule(
        "judicial_warrant_requirement",
        "unless-judicial-warrant",
        topic=(
            r"(?:judicial (?:warrant|probable cause determination)|warrant (?:signed|issued)"
            r" by a (?:federal |state )?(?:judge|magistrate|judicial officer)|signed by a"
            r" (?:federal |state )?(?:judge|magistrate|judicial officer)|issued by a"
            r" (?:federal )?(?:judge|court)|federal court warrant|judicial order)"
        ),
        requires=(
            r"\b(?:unless|except|only (?:if|when|upon)|absent|without|other than|accompanied"
            r" by|pursuant to|presented with|authorized by)\b"
        ),
        confidence=0.85,
    ),
    Rule(
        "release_notification_limit",
        "no-release-notice",
        topic=(
            r"(?:(?:provid|respond|notif|communicat|disclos|disseminat|shar|giv|inform)\w*\b"
            r"[^.;]{0,120}(?:release dates?|dates? of release|release (?:information|status|time)"
            r"|time of (?:the )?release|custody status)"
            r"|(?:respond|compl)\w*\b[^.;]{0,30}(?:requests? for notification"
            r"|notification (?:and transfer )?requests?)"
            r"|notif\w+ [^.;]{0,80}\breleas\w*|advance notice [^.;]{0,40}\breleas\w*)"
        ),
    ),
    Rule(
        "transfer_limit",
        "no-transfer",
        topic=(
            r"(?:\btransfer(?:s|red|ring)?\b(?! requests?)"
            r"|(?:comply|respond|honor)\w*\b[^.;]{0,40}transfer requests?)"
        ),
        requires=r"immigra|\bICE\b|deport|removal|transfer requests?",
    ),
    Rule(
        "information_sharing_limit",
        "no-personal-information",
        topic=(
            r"(?:personal information|confidential information|contact information"
            r"|(?:home|work) address|information[- ]sharing|data-sharing"
            r"|\b(?:provid|shar|disclos|disseminat|exchang|transmit|giv)\w*\b[^.;]{0,60}"
            r"(?:records?|\bdata\b|(?:immigration|citizenship) status)"
            r"|information (?:about|regarding|concerning|on) [^.;]{0,40}(?:immigration|citizenship)"
            r" status|access to [^.;]{0,60}databases?)"
        ),
        requires=IMMIGRATION,
    ),
    Rule(
        "facility_access_limit",
        "no-access-or-interview",
        topic=(
            r"(?:\bpermit\w* (?:ICE|immigration) (?:agents?|officers?|authorities)\b[^.;]{0,20}"
            r"\baccess|\baccess\b[^.;]{0,80}(?:interview|jail|facilit|custody|detained)"
            r"|\binterview\w*|\buse of [^.;]{0,30}(?:facilities|space)|office space"
            r"|dedicated (?:office|space))"
        ),
        requires=AUTHORITIES + r"|\bagents?\b",
    ),
    Rule(
        "facility_access_limit",
        "interview-consent-form",
        topic=(
            r"(?:written consent form|consent to (?:the|an|any) interview"
            r"|in advance of any interview)"
        ),
        polarity=ANY,
        confidence=0.9,
    ),
    Rule(
        "status_inquiry_limit",
        "no-status-questions",
        topic=(
            r"(?:\b(?:inquir\w*|ask\w*|question\w*|request\w*|collect\w*|record\w*|maintain\w*"
            r"|investigat\w*|gather\w*)\b[^.;]{0,100}(?:immigration|citizenship) status"
            r"|questions? regarding (?:citizenship|immigration) status)"
        ),
    ),
    Rule(
        "enforcement_agreement_limit",
        "no-287g",
        topic=(
            r"(?:1357\s*\(g\)|287\s*\(g\)|functions of an immigration officer"
            r"|deputiz\w+|joint (?:law enforcement )?task forces?)"
        ),
    ),
    Rule(
        "immigration_enforcement_limit",
        "no-resources-for-enforcement",
        topic=(
            r"(?:(?:moneys?|funds?|resources|personnel|equipment|time)\b[^.;]{0,150}"
            r"(?:investigat|interrogat|detain|detect|arrest|assist"
            r"|enforc\w*\b(?! agenc| officer| official))"
            r"|\b(?:investigate|interrogate|detect)\b[^.;]{0,60}immigration enforcement)"
        ),
        requires=IMMIGRATION,
    ),
    Rule(
        "immigration_enforcement_limit",
        "no-civil-immigration-arrests",
        topic=(
            r"(?:\b(?:stop|arrest|search|detain)\w*\b[^.;]{0,150}(?:solely|based)[^.;]{0,60}"
            r"(?:civil immigration|immigration status|citizenship|not present legally"
            r"|administrative warrant)|arrests? based on civil immigration warrants?"
            r"|\b(?:arrest|detain|detention|confinement|interrogat)\w*\b[^.;]{0,150}(?:for|in) "
            r"(?:an? )?immigration enforcement purposes?"
            r"|assist\w* immigration authorities"
            r"|(?:assist|cooperat)\w*\b[^.;]{0,80}(?:immigration|INS|ICE)\b[^.;]{0,60}"
            r"(?:investigation|detention|arrest)"
            r"|(?:assist|cooperat)\w*\b[^.;]{0,80}(?:investigation|detention|arrest)\w*\b"
            r"[^.;]{0,200}immigration law"
            r"|(?:participat|assist)\w* (?:in |with )?(?:an? |the )?(?:civil )?"
            r"immigration enforcement"
            r"|enforce\w* (?:federal )?civil immigration laws?"
            r"|civil enforcement of federal immigration law)"
        ),
        # A detainer or a 287(g) agreement has its own type.
        unless=r"\bdetainers?\b|1357 ?\(g\)|287 ?\(g\)",
    ),
    Rule(
        "detention_contract_limit",
        "no-detention-contracts",
        topic=(
            r"(?:contracts?|agreements?|intergovernmental service)[^.;]{0,400}"
            r"(?:detain|detention|house)"
        ),
        requires=r"immigra|noncitizen|alien",
    ),
    Rule(
        "sensitive_location_protection",
        "protected-places",
        topic=(
            r"(?:courthouses?|public schools?|schools?\b|health (?:care )?facilit\w+|hospitals?"
            r"|shelters?|public librar\w+|places? of worship|churches)"
        ),
        requires=(
            r"(?:immigration enforcement|civil arrests?|immigration (?:agents?|authorit)"
            r"|limiting assistance|federal officers?|warrant)"
        ),
        polarity=ANY,
        confidence=0.7,
    ),
    Rule(
        "sensitive_location_protection",
        "sensitive-locations",
        topic=r"sensitive locations?",
        requires=r"\b(?:deny|denied|polic(?:y|ies)|guidance|prohibit\w*|limit\w*)\b",
        polarity=ANY,
        confidence=0.8,
    ),
    Rule(
        "serious_crime_exception",
        "convicted-of-serious-crime",
        topic=(
            r"(?:(?:convicted|charged)\b[^.;]{0,120}(?:serious|violent|covered crime|offense listed"
            r"|listed (?:in|under))|serious or violent felon\w*"
            r"|subdivision \(c\) of Section 1192\.7"
            r"|covered crimes?|registered sex offender|Article 42\.12|3g offense"
            # an unqualified felony conviction as a listed condition
            r"|convicted of a felony(?: in any court[^.;]{0,40})?(?=[;,.]))"
        ),
        requires=(
            r"\b(?:only|unless|except|discretion|circumstances|following conditions|if)\b"
            r"|shall not (?:apply|be construed)"
        ),
        polarity=ANY,
        confidence=0.8,
    ),
    Rule(
        "reporting_requirement",
        "report-on-requests",
        # The duty itself ("shall report annually", "shall submit a report"), not each
        # item a report must contain.
        topic=(
            r"\b(?:shall|must)\b(?: \w+,?){0,3}? (?:report\b|submit (?:a|an) (?:\w+ )?report"
            r"|prepare (?:a|an) (?:\w+ )?report|publish (?:a|an) (?:\w+ )?report"
            r"|(?:collect|maintain|keep) (?:\w+ )?(?:data|records|statistics)"
            r"|be (?:public records|made public|available to the public))"
        ),
        requires=(
            r"(?:detainers?|hold requests?|transfers?|task forces?|immigration|requests? "
            r"(?:for|from)|ICE\b)"
        ),
        polarity=POSITIVE,
        confidence=0.75,
    ),
    # --- mandates -------------------------------------------------------------------
    Rule(
        "detainer_compliance_mandate",
        "comply-with-detainers",
        topic=(
            r"(?:comply with, honor, and fulfill|\b(?:comply|honor|fulfill|cooperate)\w*\b"
            r"[^.;]{0,120}(?:detainer|hold request|immigration)|(?:notify|transfer)\w*\b"
            r"[^.;]{0,40}(?:immigration (?:authorit|and Customs)|ICE\b"
            r"|federal immigration authorit)"
            r"|(?:support|assist)\w*\b[^.;]{0,40}enforcement of federal immigration law)"
        ),
        polarity=POSITIVE,
        confidence=0.8,
        unless=r"\bdiscretion\b|\bmay (?:cooperate|notify|transfer|comply)|disfavor",
    ),
    Rule(
        "sanctuary_policy_prohibition",
        "no-policies-limiting-enforcement",
        topic=(
            r"(?:(?:adopt|enact|enforce|endorse|maintain|have)\w*,?\b[^.;]{0,120}"
            r"(?:polic\w+|ordinances?|rules?|practices?)[^.;]{0,160}(?:prohibit|limit|restrict"
            r"|impede|obstruct)\w*"
            r"|sanctuary (?:polic\w+|jurisdictions?|cit\w+) (?:are|is) (?:prohibited|banned)"
            r"|(?:adopt|enact|enforce|endorse|maintain|have)\w*\b[^.;]{0,60}sanctuary polic\w+"
            r"|(?:prohibit|restrict|limit)\w*\b[^.;]{0,200}(?:enforcement of (?:federal )?"
            r"immigration laws?|cooperat\w+ with (?:federal )?immigration|compl\w+ with"
            r"[^.;]{0,40}detainer)"
            r"|(?:may|shall|must) not (?:prohibit|restrict|limit|materially limit)\w*\b[^.;]{0,60}"
            r"(?:a person|an? (?:\w+ )?(?:officer|employee)|(?:a |any )?law enforcement agenc))"
        ),
        requires=r"\b(?:may not|shall not|must not|no\b|(?:is|are) prohibited|ineligible)",
        polarity=ANY,
        confidence=0.8,
        # A sentence about losing funds is a penalty for such policies, not the ban.
        unless=r"\b(?:receive|eligible|grants?)\b",
    ),
    Rule(
        "enforcement_penalty",
        "penalties-for-limiting",
        topic=(
            r"(?:civil penalt\w+|removal from office|removed from office|forfeit\w*"
            r"|(?:ineligible|not be eligible|shall not receive|may not receive)[^.;]{0,80}"
            r"(?:grant|fund|assistance|payment)|\b(?:withh\w+|den(?:y|ies|ied|ial)\w*|terminat\w+)[^.;]{0,60}"
            r"(?:grants?|funds|funding)|\bliable\b|liability|reimburse\w*)"
        ),
        requires=(
            r"(?:sanctuary|detainer|cooperat|comply|immigration|polic(?:y|ies)|ordinance"
            r"|this (?:chapter|subchapter|article|section))"
        ),
        polarity=ANY,
        confidence=0.7,
        unless=r"\bimmun\w+|limit\w* liability",
    ),
    Rule(
        "status_verification_mandate",
        "check-immigration-status",
        topic=(
            r"(?:\b(?:determine|verify|check|ascertain|inquire)\w*\b[^.;]{0,120}"
            r"(?:immigration|citizenship|nationality|lawful presence|alien) status"
            r"|\b(?:determine|verify|ascertain)\w*\b[^.;]{0,80}(?:unlawfully present"
            r"|lawful(?:ly)? present|lawful presence|an alien)"
            r"|verification inquiry|verification with the federal government"
            r"|Priority Enforcement Program|Secure Communities)"
        ),
        polarity=POSITIVE,
        confidence=0.8,
    ),
    Rule(
        "enforcement_agreement_mandate",
        "must-enter-287g",
        topic=(
            r"(?:(?:enter|entering|negotiate|request|seek)\w*\b[^.;]{0,160}(?:agreements?"
            r"|memorand\w+)[^.;]{0,200}(?:1357\s*\(g\)|287\s*\(g\)|immigration)"
            r"|(?:1357\s*\(g\)|287\s*\(g\))[^.;]{0,120}agreements?"
            r"|(?:enter|request)\w*\b[^.;]{0,60}immigration (?:law )?enforcement agreements?)"
        ),
        polarity=POSITIVE,
        confidence=0.8,
    ),
]
