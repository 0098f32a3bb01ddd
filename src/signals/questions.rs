//! Questions asked, by whom, and whether they are open or closed.
//!
//! ## What it detects
//!
//! Every sentence that asks for information, with the speaker. A question
//! is *open* when it invites the other person to elaborate ("What's been on
//! your mind?", "How do you feel about the plan?", "Tell me about the team")
//! and *closed* when it asks for a yes or no, a pick between named choices,
//! or a confirmation ("Do you have a budget?", "Is it A or B?", "That's
//! March, right?", "So you're moving in May?"). Questions after a fact —
//! how many, how long, which one — count as closed: they ask for a number or
//! a pick, not a story. Works on text that has lost its question marks
//! (speech recognition often drops them; imported transcripts may never
//! have had them) by reading how the sentence is built: a question word
//! followed by an inverted verb, an auxiliary before its subject, a tag at
//! the end, "I wonder if". A sentence the transcript ends with a full stop
//! is taken at its word, except invitations ("Tell me how you felt."),
//! which ask whatever their punctuation.
//!
//! Whether an utterance asks, and openly or not, is decided by the learned
//! detectors (`--detectors`, by default the ones rapport ships), which read
//! the cues above among their features; the cues then point at the
//! sentences that ask, and an utterance the model finds asking where no
//! cue does is quoted at its likeliest sentence. Evidence confidence is
//! the model's probability. `--detectors rules` lets the cues decide alone.
//!
//! The value is the number of questions the consultant asked; the measures
//! add the rate per hour of call and the share that were open.
//!
//! ## Why it matters
//!
//! A client who buys advice remotely fears losing control of it (seed 003).
//! Questions, open ones above all, hand the floor to the client: they set the
//! agenda by answering, and the consultant learns what they actually need
//! instead of presenting a solution to a problem the client does not have.
//! Good discovery calls run at 11–14 questions an hour.
//!
//! ## Fires on
//!
//! - "What's been on your mind since we last spoke?" (open)
//! - "how do you want to handle the board" (open, no question mark)
//! - "Do you have a budget for this?" (closed)
//! - "Is it the launch or the scope that worries you?" (closed: an or-question)
//! - "That's end of March, right?" (closed: a tag question)
//! - "I was wondering whether the team knows" (closed)
//!
//! ## Does not fire on
//!
//! - Reactions and repair requests: "Really?", "Sorry?", "Huh?" ("Right?"
//!   and "Okay?" with a question mark do ask for a confirmation: closed)
//! - Suggestions and requests phrased as questions: "Why don't we start
//!   with the budget?", "How about Tuesday?", "Could you send me the file?"
//!   (those are options and requests, not requests for information)
//! - Statements that merely contain a question word: "What I mean is the
//!   budget.", "When I was at the bank we did it weekly."
//!
//! ## In Dutch
//!
//! The rules alone decide (the detectors learned English), reading the
//! same build: a question word and then the verb ("Wat houdt u bezig?",
//! "Hoe wilt u het aanpakken?": open; a subject right after the question
//! word makes a clause, "Wat ik bedoel is…"), the verb first with a person
//! after it ("Heeft u een budget?": closed), a tag ("…, toch?", "…, of
//! niet?"), an invitation ("Vertel eens…", "Kunt u daar meer over
//! vertellen?": open); how many, how long and which are closed. Not:
//! "Echt?", "Sorry?", suggestions and requests ("Zullen we…?", "Kunt u me
//! het bestand sturen?"), "Wat ik bedoel is het budget.", "Doe het maar."
//!
//! ## Settings
//!
//! None. Whether the count is good is the rubric's call (default: at least
//! 11 an hour, and at least a third of them open).

use super::phrases::{Cues, core, patterns};
use super::{Found, Input, Settings, Signal, SignalMeta, SignalOutput, decided, output, percent};
use crate::detectors::Label;
use crate::l10n::Arg;
use crate::speakers::Role;
use crate::t;
use crate::text::{Sentence, Token, Tokenized};
use std::sync::LazyLock;

#[derive(Debug)]
pub struct Questions;

static META: SignalMeta = SignalMeta {
    id: "questions",
    source: include_str!("questions.rs"),
};

/// Open questions invite the other to talk; closed ones ask to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Open,
    Closed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

/// Question words, as they open a question.
pub(super) const WH: &[&str] = &[
    "what", "what's", "whats", "how", "how's", "why", "why's", "where", "where's", "when",
    "when's", "who", "who's", "whom", "whose", "which",
];

/// Verbs that, right after a question word, show the question's inversion
/// ("what do you…", "where is…") rather than a clause ("what I mean…").
const AUXILIARIES: &[&str] = &[
    "do",
    "does",
    "did",
    "is",
    "are",
    "was",
    "were",
    "am",
    "can",
    "could",
    "would",
    "will",
    "should",
    "shall",
    "have",
    "has",
    "had",
    "may",
    "might",
    "must",
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "can't",
    "couldn't",
    "wouldn't",
    "won't",
    "shouldn't",
    "haven't",
    "hasn't",
    "hadn't",
];

/// Words that make "how …" / "what …" a question without an auxiliary
/// right after ("how many people…", "what kind of…").
const WH_HEADS: &[&str] = &[
    "kind",
    "kinds",
    "sort",
    "sorts",
    "type",
    "types",
    "time",
    "else",
    "exactly",
    "many",
    "much",
    "long",
    "often",
    "far",
    "old",
    "big",
    "soon",
    "come",
    "about",
    "if",
    "happened",
    "happens",
    "made",
    "makes",
    "brought",
    "brings",
    "led",
    "got",
    "worries",
    "concerns",
    "matters",
    "options",
    "part",
    "parts",
    "one",
    "ones",
    "way",
    "ways",
    "would",
    "else's",
    "other",
    "specifically",
    "percentage",
    "size",
    "level",
    "point",
    "areas",
    "things",
    "thing",
];

/// Subjects after an auxiliary that make the sentence a yes/no question
/// ("do you…", "is it…", "have they…").
const SUBJECTS: &[&str] = &[
    "i",
    "you",
    "we",
    "they",
    "he",
    "she",
    "it",
    "that",
    "this",
    "there",
    "these",
    "those",
    "anyone",
    "anybody",
    "someone",
    "somebody",
    "everyone",
    "everybody",
    "anything",
    "something",
    "everything",
    "your",
    "the",
    "a",
    "an",
    "any",
    "his",
    "her",
    "their",
    "our",
    "my",
    "y'all",
    "ya",
];

/// Whole sentences that react rather than ask: surprise, or a request to
/// repeat. Not questions, with or without a question mark.
static REACTIONS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "really",
        "please",
        "huh",
        "what",
        "sorry",
        "pardon",
        "pardon me",
        "excuse me",
        "oh really",
        "really now",
        "seriously",
        "is that right",
        "is that so",
        "you're kidding",
        "no way",
        "who knows",
        "why not",
        "how so",
        "oh",
        "uh-huh",
        "is that true",
        "you did",
        "you think",
        "think so",
        "or what",
        "or something",
        "or not",
        "you know what i mean",
        "know what i mean",
        "what i mean",
    ])
});

/// Whole sentences that keep a conversation going. With a question mark
/// ("Right?", "Okay?") they ask for a confirmation; without one they do not.
static BACKCHANNELS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "right",
        "yeah",
        "yes",
        "no",
        "okay",
        "ok",
        "eh",
        "hm",
        "hmm",
        "you know",
        "you see",
        "see",
        "is it",
        "did you",
        "do you",
        "are you",
        "isn't it",
        "aren't they",
        "oh yeah",
        "yeah right",
        "you know what i mean",
        "know what i mean",
        "what i mean",
    ])
});

/// Suggestions and offers put as questions: the options signal takes them.
static SUGGESTIONS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "why don't|dont we|you|i",
        "why not",
        "how|what about *ing",
        "how|what about we|if|trying|having|doing|going|getting|making|taking|using",
        "how|what about a|an|the|this|that|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|next",
        "shall we",
        "let's|lets",
        "would you like me to",
        "do you want me to",
        "shall i",
        "should i",
        "may i suggest",
        "can|could|may i help|offer|suggest",
        "would it help if",
        "wouldn't it be",
    ])
});

/// Requests for an action put as questions ("could you send the file?").
static REQUESTS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "can|could|would|will you please",
        "can|could|would|will you kindly",
        "would|will you mind",
        "do you mind",
        "could|may i have|get|borrow|use|see|speak|talk|pay|sign|come|take|leave|try|introduce|help|book|reserve",
        "would you be so kind",
        "can|could|would|will you give|send|pass|bring|help|show|get|take|put|call|turn|open|close|fill|sign|hold|wait|come|make|do|let|lend|check|buy|pick|book|change",
    ])
});

/// Sentence openings that ask without inversion.
static INDIRECT: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "i wonder|wondered if|whether",
        "i was|am wondering if|whether|what|how|why|when|where|who",
        "i'm wondering if|whether|what|how|why|when|where|who",
        "i wonder|wondered what|how|why|when|where|who",
        "i'm curious|curious about|whether|if|what|how|why",
        "i'd|i would like to know|hear",
        "i'd|i would love to hear",
        "do you know|remember if|whether|what|how|why|when|where|who",
        "can|could you tell me",
        "any idea|ideas",
        "any thoughts",
    ])
});

/// Indirect openings that invite a story.
static OPEN_INVITATIONS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "tell|talk me|us about|more",
        "tell me|us what|how|why|a",
        "talk to me|us about",
        "walk me|us through",
        "describe",
        "can|could|would you tell|talk me|us about|more|how|what|why",
        "can|could|would you describe|explain|walk",
        "explain to me",
        "help me understand",
        "say more",
        "i'd|i would like to know|hear what|how|why|more|about",
        "i'd|i would love to hear",
        "i'm curious what|how|why|about",
        "curious what|how|why|about",
        "what if",
        "how come",
        "any thoughts",
    ])
});

static TELL_ME_ABOUT_IT: LazyLock<Cues> = LazyLock::new(|| patterns(&["tell me about it"]));

/// Question tags that turn a statement into a confirmation request.
static TAGS: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "right",
        "correct",
        "isn't|wasn't|aren't|weren't|don't|doesn't|didn't|won't|can't|haven't|hasn't|shouldn't|wouldn't|couldn't it|that|you|they|we|he|she|there",
        "or not",
        "is that right|correct|true",
        "am i right",
        "yeah",
        "no",
    ])
});

/// Questions about a quantity, a time or a place: they ask for a fact, not
/// a story, so they count as closed.
static SPECIFIC: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "how many|much|long|old|often|far|soon",
        "what number|time|year|age|day|date|percentage",
        "which",
        "or",
    ])
});

/// How a clause opens, if it opens as a question does.
fn opener(core: &[&Token], marked: bool) -> Option<Kind> {
    let first = core.first()?.norm.as_str();
    let second = core.get(1).map_or("", |t| t.norm.as_str());
    if OPEN_INVITATIONS.starts(core) {
        return Some(Kind::Open);
    }
    let wh_question = WH.contains(&first)
        && (AUXILIARIES.contains(&second)
            || WH_HEADS.contains(&second)
            || first.ends_with("'s")
            || (first == "how" && second.ends_with("'s"))
            || marked);
    // "Or how do you see it?" opens up; a bare "or what?" is a tag.
    let or_wh = first == "or" && WH.contains(&second) && core.len() > 2;
    if wh_question || or_wh {
        let specific = SPECIFIC.starts(core) && !or_wh;
        return Some(if specific { Kind::Closed } else { Kind::Open });
    }
    let inverted = AUXILIARIES.contains(&first)
        && SUBJECTS.contains(&second)
        && !(first == "do" && matches!(second, "it" | "that" | "this" | "the" | "a" | "an"))
        && !(matches!(first, "have" | "has" | "had") && matches!(second, "a" | "an" | "the"));
    if INDIRECT.starts(core) {
        // "I wonder what you think" invites; "I wonder whether" asks yes/no,
        // and so does "do you know what it is".
        let asks_what =
            first.starts_with('i') && core.iter().take(5).any(|w| WH.contains(&w.norm.as_str()));
        return Some(if asks_what { Kind::Open } else { Kind::Closed });
    }
    inverted.then_some(Kind::Closed)
}

/// Classifies a sentence: a question and its kind, or `None`.
///
/// A sentence the transcript ends with a full stop or an exclamation mark
/// is taken at its word: punctuation, where there is any, was put there by
/// someone (or something) that heard the intonation. Without a mark the
/// sentence's build decides. The kind comes from the last clause that opens
/// as a question does ("If you had to pick, what would it be?" is open).
pub fn classify(text: &Tokenized, sentence: &Sentence) -> Option<Kind> {
    let words: Vec<&Token> = text.words(sentence).collect();
    let core = core(&words);
    // "Tell me how you felt." asks, whatever its punctuation; "tell me about
    // it" agrees.
    if OPEN_INVITATIONS.starts(core) && !TELL_ME_ABOUT_IT.starts(core) {
        return Some(Kind::Open);
    }
    if matches!(sentence.terminator, Some('.' | '!')) {
        return None;
    }
    let marked = sentence.terminator == Some('?');
    if core.is_empty() || REACTIONS.whole(core) || (!marked && BACKCHANNELS.whole(core)) {
        return None;
    }
    if SUGGESTIONS.starts(core) || REQUESTS.starts(core) {
        return None;
    }
    // Clauses, split at commas and dashes, last first.
    let clauses = clauses(text, sentence);
    if marked {
        let kind = clauses
            .iter()
            .rev()
            .find_map(|clause| opener(self::core(clause), true))
            .unwrap_or(Kind::Closed);
        return Some(kind);
    }
    // Unmarked: the sentence itself must open as a question (and be more
    // than a fragment), or end with a tag.
    if core.len() >= 3
        && let Some(kind) = opener(core, false)
    {
        return Some(kind);
    }
    ends_with_tag(text, sentence).then_some(Kind::Closed)
}

/// A sentence's clauses, split at commas and dashes: their words.
fn clauses<'t>(text: &'t Tokenized, sentence: &Sentence) -> Vec<Vec<&'t Token>> {
    text.tokens[sentence.tokens.clone()]
        .split(|t| matches!(t.norm.as_str(), "," | ";" | ":" | "-" | "–" | "—"))
        .map(|clause| clause.iter().filter(|t| t.is_word()).collect::<Vec<_>>())
        .filter(|clause| !clause.is_empty())
        .collect()
}

/// "…, right" or "…, isn't it": a tag after a comma at the end.
fn ends_with_tag(text: &Tokenized, sentence: &Sentence) -> bool {
    ends_with_tag_in(&TAGS, text, sentence)
}

/// A tag of `tags` after a comma at the end.
fn ends_with_tag_in(tags: &Cues, text: &Tokenized, sentence: &Sentence) -> bool {
    let tokens = &text.tokens[sentence.tokens.clone()];
    let tokens = match tokens.last() {
        Some(last) if !last.is_word() => &tokens[..tokens.len() - 1],
        _ => tokens,
    };
    let Some(comma) = tokens.iter().rposition(|t| t.norm == ",") else {
        return false;
    };
    let tail: Vec<&Token> = tokens[comma + 1..].iter().collect();
    !tail.is_empty() && tags.whole(&tail)
}

/// Dutch question words, as they open a question.
const WH_NL: &[&str] = &[
    "wat", "hoe", "waarom", "welke", "welk", "wanneer", "waar", "wie", "wiens", "waarover",
    "waarmee", "waardoor", "waarvoor", "waarin", "waarop", "hoezo", "hoeveel",
];

/// Dutch subjects: right after a question word they make a clause, not a
/// question ("Wat ik bedoel…", "Waar het om gaat…").
const SUBJECTS_NL: &[&str] = &[
    "u", "je", "jij", "jullie", "we", "wij", "ze", "zij", "hij", "het", "dat", "dit", "er", "ik",
    "men", "de", "een",
];

/// Dutch personal pronouns: after a verb that opens the sentence they make
/// it a yes/no question ("Heeft u…", "Gaan we…"); other words there may be
/// an imperative's object ("Doe het.").
const PERSONS_NL: &[&str] = &[
    "u", "je", "jij", "jullie", "we", "wij", "ze", "zij", "hij", "ik", "men",
];

/// Words that open a Dutch clause other than a question even when a
/// subject follows: conjunctions and sentence adverbs ("Als u wilt…",
/// "Dan gaan we…").
const NOT_VERBS_NL: &[&str] = &[
    "als",
    "omdat",
    "toen",
    "maar",
    "en",
    "dus",
    "of",
    "dat",
    "want",
    "terwijl",
    "zodat",
    "hoewel",
    "nadat",
    "voordat",
    "zodra",
    "tenzij",
    "ook",
    "nou",
    "ja",
    "nee",
    "oké",
    "zo",
    "dan",
    "nu",
    "daarna",
    "misschien",
    "natuurlijk",
    "eigenlijk",
    "inderdaad",
    "toch",
    "ik",
    "u",
    "je",
    "jij",
    "we",
    "wij",
    "ze",
    "zij",
    "hij",
    "het",
    "dit",
    "er",
    "de",
    "een",
    "die",
    "mijn",
    "uw",
    "jouw",
    "ons",
    "onze",
    "hier",
    "daar",
    "vandaag",
    "morgen",
    "gisteren",
    "straks",
    "eerst",
    "samen",
    "alleen",
    "soms",
    "vaak",
    "altijd",
    "nooit",
    "wel",
    "niet",
];

/// Whole Dutch sentences that react rather than ask.
static REACTIONS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "echt",
        "o ja",
        "oh ja",
        "sorry",
        "pardon",
        "wat",
        "hè",
        "he",
        "hoezo",
        "serieus",
        "meen je dat",
        "meent u dat",
        "o",
        "oh",
        "nou",
        "is het waar",
        "werkelijk",
        "waarom niet",
        "wie weet",
    ])
});

/// Whole Dutch sentences that keep the conversation going: with a
/// question mark ("Ja?", "Klopt?") they ask for a confirmation.
static BACKCHANNELS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "ja",
        "nee",
        "oké",
        "ok",
        "precies",
        "klopt",
        "hm",
        "hmm",
        "hm-hm",
        "inderdaad",
        "zeker",
        "goed",
        "prima",
        "juist",
        "ja ja",
        "weet je",
    ])
});

/// Dutch suggestions, offers and requests put as questions: not
/// questions for information (options-offered takes the first two).
static NOT_ASKING_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "zullen we|wij",
        "zal ik|wij",
        "wat dacht u|je|jij van",
        "wat als",
        "waarom niet",
        "laten we",
        "wilt u dat ik|we",
        "wil je|jij dat ik|we",
        "kunt|kun|kan|wilt|wil|zou|zoudt u|je|jij me|mij|ons",
        "kunt|kun|kan|wilt|wil|zou|zoudt u|je|jij even|alstublieft|alsjeblieft|misschien",
        "mag ik",
    ])
});

/// Dutch invitations to tell, with or without a question mark.
static OPEN_INVITATIONS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "vertel eens|me|ons",
        "vertelt u eens|me|ons",
        "beschrijf eens",
        "leg eens uit",
        "neem me|ons mee",
        "help me begrijpen",
        "ik ben benieuwd hoe|wat|waarom|naar",
        "ik hoor graag hoe|wat|waarom|meer",
        "ik zou graag horen|weten hoe|wat|waarom",
    ])
});

/// "Kunt u daar meer over vertellen?": asked to tell, the verb last.
fn asks_to_tell_nl(core: &[&Token]) -> bool {
    let asks = core.len() >= 3
        && matches!(
            core[0].norm.as_str(),
            "kunt" | "kun" | "kan" | "wilt" | "wil" | "zou"
        )
        && matches!(core[1].norm.as_str(), "u" | "je" | "jij" | "jullie");
    asks && core[2..].iter().any(|w| {
        matches!(
            w.norm.as_str(),
            "vertellen" | "beschrijven" | "uitleggen" | "toelichten" | "schetsen"
        )
    })
}

/// Dutch questions after a quantity, a time or a pick: closed.
static SPECIFIC_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "hoeveel",
        "hoe lang|vaak|oud|ver|laat|snel|groot|duur",
        "welke|welk",
        "om hoe laat",
        "of",
    ])
});

/// Dutch question tags after a comma: "…, toch?", "…, of niet?".
static TAGS_NL: LazyLock<Cues> = LazyLock::new(|| {
    patterns(&[
        "toch",
        "hè",
        "he",
        "of niet",
        "is het niet",
        "nietwaar",
        "klopt dat",
        "klopt",
        "ja",
        "niet",
        "of wel",
        "zeker",
    ])
});

/// How a Dutch clause opens, if it opens as a question does: a question
/// word and then a verb (Dutch puts the verb second, so a subject right
/// after the question word makes a clause: "wat ik bedoel"), or a verb
/// first with its subject after it.
fn opener_nl(core: &[&Token], marked: bool) -> Option<Kind> {
    let first = core.first()?.norm.as_str();
    let second = core.get(1).map_or("", |t| t.norm.as_str());
    if OPEN_INVITATIONS_NL.starts(core) || asks_to_tell_nl(core) {
        return Some(Kind::Open);
    }
    let wh = WH_NL.contains(&first) || (first == "of" && WH_NL.contains(&second) && core.len() > 2);
    if wh && (marked || (!second.is_empty() && !SUBJECTS_NL.contains(&second))) {
        let specific = SPECIFIC_NL.starts(core) && first != "of";
        return Some(if specific { Kind::Closed } else { Kind::Open });
    }
    let verb_first = !NOT_VERBS_NL.contains(&first)
        && !WH_NL.contains(&first)
        && first.chars().all(char::is_alphabetic)
        && PERSONS_NL.contains(&second);
    verb_first.then_some(Kind::Closed)
}

/// Classifies a Dutch sentence as [`classify`] does an English one.
fn classify_nl(text: &Tokenized, sentence: &Sentence) -> Option<Kind> {
    let words: Vec<&Token> = text.words(sentence).collect();
    let core = core(&words);
    if OPEN_INVITATIONS_NL.starts(core) || asks_to_tell_nl(core) {
        return Some(Kind::Open);
    }
    if matches!(sentence.terminator, Some('.' | '!')) {
        return None;
    }
    let marked = sentence.terminator == Some('?');
    if core.is_empty() || REACTIONS_NL.whole(core) || NOT_ASKING_NL.starts(core) {
        return None;
    }
    if BACKCHANNELS_NL.whole(core) {
        return marked.then_some(Kind::Closed);
    }
    let clauses = clauses(text, sentence);
    if marked {
        return Some(
            clauses
                .iter()
                .rev()
                .find_map(|clause| opener_nl(self::core(clause), true))
                .unwrap_or(Kind::Closed),
        );
    }
    if core.len() >= 3
        && let Some(kind) = opener_nl(core, false)
    {
        return Some(kind);
    }
    ends_with_tag_in(&TAGS_NL, text, sentence).then_some(Kind::Closed)
}

/// Classifies a sentence in `language`; nothing in a language rapport has
/// no cues for.
fn classify_in(language: &str, text: &Tokenized, sentence: &Sentence) -> Option<Kind> {
    match language {
        "en" => classify(text, sentence),
        "nl" => classify_nl(text, sentence),
        _ => None,
    }
}

/// The questions of the call: each sentence a rule reads as one, where the
/// model (if any) agrees the utterance asks; open or closed as the model
/// decides it when it decides one kind, as the rule reads each sentence
/// when it decides both.
fn asked<'s>(input: &'s Input) -> Vec<Found<'s, Kind>> {
    let mut found = decided(
        input,
        Label::Question,
        |i, sentence| classify_in(input.language(i), &input.texts[i], sentence),
        |_, _| Kind::Closed,
    );
    for f in &mut found {
        let open = input.decision(f.utterance, Label::Open);
        let closed = input.decision(f.utterance, Label::Closed);
        f.what = match (open, closed) {
            (Some(o), Some(c)) => match (o.holds, c.holds) {
                (true, false) => Kind::Open,
                (true, true) => f.what,
                // A question of neither kind: the likelier one.
                (false, false) if o.probability > c.probability => Kind::Open,
                (false, _) => Kind::Closed,
            },
            _ => f.what,
        };
    }
    found
}

impl Signal for Questions {
    fn meta(&self) -> &'static SignalMeta {
        &META
    }

    fn detect(&self, input: &Input, _: &Settings) -> SignalOutput {
        let mut evidence = Vec::new();
        let (mut consultant_open, mut consultant_closed, mut client, mut all_open) =
            (0usize, 0usize, 0usize, 0usize);
        for found in asked(input) {
            let (i, sentence, kind) = (found.utterance, found.sentence, found.what);
            let confidence = found
                .probability
                .unwrap_or(if sentence.terminator == Some('?') {
                    0.9
                } else {
                    0.7
                });
            evidence.push(input.sentence_evidence(i, sentence, kind.as_str(), confidence));
            all_open += usize::from(kind == Kind::Open);
            match (input.role(i), kind) {
                (Role::Consultant, Kind::Open) => consultant_open += 1,
                (Role::Consultant, Kind::Closed) => consultant_closed += 1,
                (Role::Client, _) => client += 1,
                (Role::Other, _) => {}
            }
        }
        let hours = input.hours();
        if !input.has_roles() {
            let all = evidence.len();
            let open_share = if all > 0 {
                all_open as f64 / all as f64
            } else {
                0.0
            };
            return output(
                &META,
                Some(all as f64),
                t!(
                    input.words,
                    "summary-questions-unknown",
                    n = all,
                    open = all_open
                ),
                [("all", all as f64), ("all_open_share", open_share)],
                evidence,
            );
        }
        let asked = consultant_open + consultant_closed;
        let open_share = if asked > 0 {
            consultant_open as f64 / asked as f64
        } else {
            0.0
        };
        let per_hour = asked as f64 / hours;
        output(
            &META,
            Some(asked as f64),
            t!(
                input.words,
                "summary-questions",
                n = asked,
                per_hour = Arg::decimal(per_hour, 0),
                open = percent(input.words, open_share),
                client = client
            ),
            [
                ("consultant_questions", asked as f64),
                ("consultant_open", consultant_open as f64),
                ("consultant_closed", consultant_closed as f64),
                ("open_share", open_share),
                ("per_hour", per_hour),
                ("client_questions", client as f64),
            ],
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_table, check_table_in};
    use super::*;

    #[test]
    fn table_in_dutch() {
        check_table_in(
            "nl",
            &Questions,
            Role::Consultant,
            &[
                ("Wat houdt u sinds ons laatste gesprek bezig?", "open"),
                ("hoe wilt u het bestuur aanpakken", "open"),
                ("Waarom is dat belangrijk voor u?", "open"),
                ("Vertel eens over het team.", "open"),
                ("Kunt u daar meer over vertellen?", "open"),
                ("Heeft u een budget hiervoor?", "closed"),
                ("heeft u een budget hiervoor", "closed"),
                (
                    "Is het de lancering of de scope die u zorgen baart?",
                    "closed",
                ),
                ("Dat is eind maart, toch?", "closed"),
                ("Dat is eind maart, of niet?", "closed"),
                ("Hoeveel mensen werken er in het team?", "closed"),
                ("Welke datum past u?", "closed"),
                ("Klopt?", "closed"),
            ],
            &[
                "Echt?",
                "Sorry?",
                "Zullen we met het budget beginnen?",
                "Kunt u me het bestand sturen?",
                "Wat ik bedoel is het budget.",
                "Toen ik bij de bank werkte, deden we het wekelijks.",
                "Ik stuur het plan vrijdag.",
                "Doe het maar.",
                "Ja.",
                "Klopt.",
            ],
        );
    }

    #[test]
    fn table() {
        check_table(
            &Questions,
            Role::Consultant,
            &[
                ("What's been on your mind since we last spoke?", "open"),
                ("how do you want to handle the board", "open"),
                ("So, um, what worries you most about the launch?", "open"),
                ("Tell me about the team.", "open"),
                ("Walk me through how the budget gets approved.", "open"),
                ("How many people report to you", "closed"),
                ("Do you have a budget for this?", "closed"),
                ("do you have a budget for this", "closed"),
                ("Is it the launch or the scope that worries you?", "closed"),
                ("That's end of March, right?", "closed"),
                ("That's end of March, isn't it", "closed"),
                ("So you're moving in May?", "closed"),
                ("I was wondering whether the team knows", "closed"),
                ("Do you know what the board wants?", "closed"),
                ("I wonder what the board wants", "open"),
                ("Which one would you pick?", "closed"),
                ("Have you told the board yet", "closed"),
                ("We go live in May. Right?", "closed"),
                ("If you had to pick one, what would it be?", "open"),
                ("Could you tell me more about that?", "open"),
            ],
            &[
                "Really?",
                "Sorry?",
                "Huh?",
                "Okay.",
                "Why don't we start with the budget?",
                "How about Tuesday?",
                "Or what?",
                "You know what I mean?",
                "Could you send me the file?",
                "Can you please hold for a second?",
                "What I mean is the budget.",
                "When I was at the bank we did it weekly.",
                "How we do it matters less than when.",
                "I'll send the plan on Friday.",
                "Have a look at the draft.",
                "Do that first.",
                "Let's look at the numbers.",
                "Would you like me to send both versions?",
            ],
        );
    }

    #[test]
    fn several_questions_in_one_utterance_are_each_evidence() {
        use super::super::testing::kinds_on_last;
        let kinds = kinds_on_last(
            &Questions,
            &[(
                Role::Consultant,
                0.0,
                "Okay. What happened next? And did it work?",
            )],
        );
        assert_eq!(kinds, ["open", "closed"]);
    }

    #[test]
    fn shipped_table() {
        super::super::testing::check_shipped_table(
            &Questions,
            Role::Consultant,
            &[
                "How has the pain been affecting your sleep?",
                "Do you have any allergies to medication?",
                "And when did it first start?",
                "Tell me a bit more about the headaches.",
                "Is it there all the time or does it come and go?",
            ],
            &[
                "Okay.",
                "I'll send the prescription over this afternoon.",
                "Take one tablet twice a day with food.",
                "Right, that's helpful.",
            ],
        );
    }
}
