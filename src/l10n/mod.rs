//! The words of rapport's reports, in English and Dutch.
//!
//! Every sentence a report prints comes from one of the Fluent files beside
//! this module (`en.ftl`, `nl.ftl`), by id, with its numbers and names as
//! arguments. Fluent (`fluent-bundle`, Mozilla's localisation system) is
//! used rather than string tables in code because its messages choose their
//! own plural forms and word order per language: "1 question" and "2
//! questions" are one message, and the Dutch file can put the number where
//! Dutch puts it. A test keeps the two files to the same ids and arguments,
//! and every id the code asks for present in both.
//!
//! The report's language is chosen per call ([`ReportLanguage`]): the call's
//! own language when it is one rapport writes, else English. Numbers are
//! written the language's way (`0,85` in Dutch).
//!
//! What a call's transcript notes ([`Note`]) is kept as a message, not as
//! text, so that a transcript made once can be reported in either language.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A language rapport writes its reports in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Nl,
}

/// A report language rapport does not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a report language: auto, en (English) or nl (Dutch)")]
pub struct UnknownReportLanguage(pub String);

/// The report's language as asked for: the call's own, or one for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportLanguage {
    /// The call's language when rapport writes it, else English.
    #[default]
    Auto,
    Fixed(Lang),
}

impl ReportLanguage {
    /// `auto`, `en`/`english`, `nl`/`dutch`/`nederlands`.
    pub fn parse(text: &str) -> Result<Self, UnknownReportLanguage> {
        let wanted = text.trim().to_lowercase();
        if wanted == "auto" {
            return Ok(Self::Auto);
        }
        Lang::ALL
            .into_iter()
            .find(|lang| lang.names().contains(&wanted.as_str()))
            .map(Self::Fixed)
            .ok_or_else(|| UnknownReportLanguage(text.to_string()))
    }

    /// The language to write a call in whose language is `call_language`.
    pub fn for_call(self, call_language: Option<&str>) -> Lang {
        match self {
            Self::Fixed(lang) => lang,
            Self::Auto => call_language.and_then(Lang::from_code).unwrap_or_default(),
        }
    }
}

impl Lang {
    pub const ALL: [Self; 2] = [Self::En, Self::Nl];

    /// The ISO 639-1 code, as the transcript records languages.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => crate::language::ENGLISH,
            Self::Nl => crate::language::DUTCH,
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// What a user may type for it.
    fn names(self) -> &'static [&'static str] {
        match self {
            Self::En => &["en", "english", "engels"],
            Self::Nl => &["nl", "dutch", "nederlands", "flemish", "vlaams"],
        }
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        &BUNDLES[self as usize]
    }

    /// The message `id` with `args`. An id missing from the files (a test
    /// keeps that from shipping) comes out as the id itself, never a panic.
    pub fn text(self, id: &str, args: &[(&str, Arg)]) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            debug_assert!(false, "no message {id} in {}", self.code());
            return id.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, arg) in args {
            fluent_args.set(*name, arg.value(self));
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        debug_assert!(errors.is_empty(), "{id} in {}: {errors:?}", self.code());
        text.into_owned()
    }

    /// The message `id`, which takes no arguments (templates ask for these).
    pub fn word(self, id: &str) -> String {
        self.text(id, &[])
    }

    /// `value` with `places` decimals and the language's decimal mark.
    pub fn decimal(self, value: f64, places: usize) -> String {
        let text = format!("{value:.places$}");
        match self {
            Self::En => text,
            Self::Nl => text.replace('.', ","),
        }
    }

    /// A note, in this language when its message is known, else as written.
    pub fn note(self, note: &Note) -> String {
        match &note.message {
            Some(message) if self.bundle().has_message(&message.id) => self.message(message),
            _ => note.text.clone(),
        }
    }

    fn message(self, message: &Message) -> String {
        let args: Vec<(&str, Arg)> = message
            .args
            .iter()
            .map(|(name, arg)| (name.as_str(), arg.clone()))
            .collect();
        self.text(&message.id, &args)
    }

    /// A language's name ("Dutch"; "Nederlands" in Dutch): from the files,
    /// else the English name ISO 639 gives, else the code.
    pub fn language_name(self, code: &str) -> String {
        self.named("language", code)
            .unwrap_or_else(|| crate::language::name(code))
    }

    /// The names of `codes`, each once, in order: "Dutch and English".
    pub fn language_names<'a>(self, codes: impl IntoIterator<Item = &'a str>) -> String {
        let mut names: Vec<String> = Vec::new();
        for code in codes {
            let name = self.language_name(code);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        self.list(&names)
    }

    /// "a, b and c".
    pub fn list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => crate::t!(self, "list-and", rest = rest.join(", "), last = last),
        }
    }

    /// A role's name: "Consultant", "Client".
    pub fn role(self, role: crate::speakers::Role) -> String {
        use crate::speakers::Role;
        self.word(match role {
            Role::Consultant => "role-consultant",
            Role::Client => "role-client",
            Role::Other => "role-other",
        })
    }

    /// A signal's name as a report shows it; its id when it has none.
    pub fn signal(self, id: &str) -> String {
        self.label("signal", id)
    }

    /// A rubric dimension's name by its id, for the week's columns.
    pub fn dimension(self, id: &str) -> String {
        self.label("dimension", id)
    }

    /// What kind of evidence an item is, as a report shows it.
    pub fn kind(self, kind: &str) -> String {
        self.label("kind", kind)
    }

    fn label(self, prefix: &str, id: &str) -> String {
        self.named(prefix, id).unwrap_or_else(|| id.to_string())
    }

    /// The message `prefix-id`, for ids the files may not name (a user's
    /// rubric dimension, a language Whisper detected).
    fn named(self, prefix: &str, id: &str) -> Option<String> {
        let key = format!("{prefix}-{id}");
        self.bundle()
            .has_message(&key)
            .then(|| self.text(&key, &[]))
    }
}

/// `t!(lang, "id", name = value, …)`: the message `id` in `lang`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.text($id, &[$((stringify!($name), $crate::l10n::Arg::from($value))),*])
    };
}

/// A message's argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    /// A count, which chooses plural forms.
    Count(i64),
    /// A measurement, written with its decimals the language's way.
    Decimal {
        value: f64,
        places: usize,
    },
    Text(String),
    /// Another message, written in the same language.
    Message(Box<Message>),
}

impl Arg {
    pub fn decimal(value: f64, places: usize) -> Self {
        Self::Decimal { value, places }
    }

    fn value(&self, lang: Lang) -> FluentValue<'static> {
        match self {
            Self::Count(n) => FluentValue::from(*n),
            Self::Decimal { value, places } => FluentValue::from(lang.decimal(*value, *places)),
            Self::Text(text) => FluentValue::from(text.clone()),
            Self::Message(message) => FluentValue::from(lang.message(message)),
        }
    }
}

impl From<&Note> for Arg {
    /// A note inside another; one read from an older file is its text.
    fn from(note: &Note) -> Self {
        note.message.clone().map_or_else(
            || Self::Text(note.text.clone()),
            |message| Self::Message(Box::new(message)),
        )
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Self::Count(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Self::Text(text.to_string())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Self::Text(text.clone())
    }
}

/// A message by id, with its arguments: kept so that it can be written in
/// any report language later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Arg>,
}

/// Something the transcript says about how far it can be trusted ("roles
/// assumed", "one side not heard"). The JSON keeps the English `text` for
/// readers of the file, and the `id` and `args` it was written from so the
/// report can say it in the call's language. A note read from an older
/// file is text alone, and is reported as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "NoteForm", into = "NoteForm")]
pub struct Note {
    pub text: String,
    pub message: Option<Message>,
}

impl Note {
    /// The note of message `id`; its text is the English.
    pub fn new(id: &str, args: &[(&str, Arg)]) -> Self {
        Self {
            text: Lang::En.text(id, args),
            message: Some(Message {
                id: id.to_string(),
                args: args
                    .iter()
                    .map(|(name, arg)| ((*name).to_string(), arg.clone()))
                    .collect(),
            }),
        }
    }
}

/// `note!("id", name = value, …)`: a [`Note`].
#[macro_export]
macro_rules! note {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::l10n::Note::new($id, &[$((stringify!($name), $crate::l10n::Arg::from($value))),*])
    };
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum NoteForm {
    Written {
        text: String,
        id: String,
        #[serde(default)]
        args: BTreeMap<String, Arg>,
    },
    Text(String),
}

impl From<NoteForm> for Note {
    fn from(form: NoteForm) -> Self {
        match form {
            NoteForm::Written { text, id, args } => Self {
                text,
                message: Some(Message { id, args }),
            },
            NoteForm::Text(text) => Self {
                text,
                message: None,
            },
        }
    }
}

impl From<Note> for NoteForm {
    fn from(note: Note) -> Self {
        match note.message {
            Some(Message { id, args }) => Self::Written {
                text: note.text,
                id,
                args,
            },
            None => Self::Text(note.text),
        }
    }
}

const SOURCES: [(&str, &str); 2] = [
    ("en", include_str!("en.ftl")),
    ("nl", include_str!("nl.ftl")),
];

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> = LazyLock::new(|| {
    SOURCES.map(|(code, source)| {
        let resource = FluentResource::try_new(source.to_string())
            .unwrap_or_else(|(_, errors)| panic!("{code}.ftl does not parse: {errors:?}"));
        let mut bundle =
            FluentBundle::new_concurrent(vec![code.parse().expect("en and nl are language ids")]);
        // The isolation marks Fluent puts around arguments for right-to-left
        // scripts would reach terminals and CSV files as invisible characters.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("{code}.ftl repeats an id: {errors:?}"));
        bundle
    })
});

#[cfg(test)]
pub(crate) mod tests;
