use super::*;
use crate::score::Rubric;
use crate::signals::testing;
use std::collections::BTreeSet;
use std::path::Path;

/// Each message's id and the variables it uses, as written in `source`.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some((id, _)) = line.split_once(" = ").filter(|_| !line.starts_with(' ')) {
            current = Some(id.to_string());
            found.entry(id.to_string()).or_default();
        }
        let Some(id) = &current else { continue };
        let mut rest = line;
        while let Some(at) = rest.find('$') {
            let name: String = rest[at + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            found.get_mut(id).unwrap().insert(name.clone());
            rest = &rest[at + 1 + name.len()..];
        }
    }
    found
}

#[test]
fn english_and_dutch_say_the_same_messages_with_the_same_arguments() {
    let (english, dutch) = (messages(SOURCES[0].1), messages(SOURCES[1].1));
    assert!(english.len() > 100, "{}", english.len());
    let only = |a: &BTreeMap<_, _>, b: &BTreeMap<_, _>| -> Vec<String> {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    };
    assert_eq!(
        only(&english, &dutch),
        Vec::<String>::new(),
        "missing in nl.ftl"
    );
    assert_eq!(
        only(&dutch, &english),
        Vec::<String>::new(),
        "missing in en.ftl"
    );
    for (id, variables) in &english {
        assert_eq!(variables, &dutch[id], "{id}: other arguments in nl.ftl");
    }
    // Both parse and load (the bundles panic otherwise).
    assert_eq!(Lang::Nl.word("role-client"), "Cliënt");
}

/// Every string literal in `source` (escapes aside: ids have none).
fn literals(source: &str) -> Vec<&str> {
    source.split('"').skip(1).step_by(2).collect()
}

#[test]
fn every_message_the_code_asks_for_is_in_both_files() {
    let english = messages(SOURCES[0].1);
    // The prefixes of fixed ids; ids made at run time (signal-, kind-,
    // dimension-, language-) fall back to the id, and have their own test.
    let prefixes: BTreeSet<&str> = english
        .keys()
        .filter_map(|id| id.split_once('-').map(|(p, _)| p))
        .filter(|p| !["signal", "kind", "dimension", "language"].contains(p))
        .collect();
    let mut asked = 0;
    let mut missing = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in walkdir::WalkDir::new(root.join("src"))
        .into_iter()
        .chain(walkdir::WalkDir::new(root.join("templates")))
    {
        let entry = entry.unwrap();
        let path = entry.path();
        if !path.extension().is_some_and(|e| e == "rs" || e == "html") {
            continue;
        }
        let source = std::fs::read_to_string(path).unwrap();
        for literal in literals(&source) {
            let kebab = !literal.is_empty()
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            let Some((prefix, _)) = literal.split_once('-') else {
                continue;
            };
            if kebab && prefixes.contains(prefix) {
                asked += 1;
                if !english.contains_key(literal) {
                    missing.push(format!("{}: {literal}", path.display()));
                }
            }
        }
    }
    assert!(asked > 100, "only {asked} ids found: is the scan broken?");
    assert_eq!(missing, Vec::<String>::new());
}

#[test]
fn every_signal_and_kind_has_a_name_in_both_languages() {
    for signal in crate::signals::SIGNALS {
        let id = signal.meta().id;
        assert_ne!(Lang::Nl.signal(id), id, "no Dutch name for the signal {id}");
        assert_eq!(Lang::En.signal(id), id);
    }
    let analyses = [testing::sample_call(), testing::dutch_sample_call()].map(|call| {
        crate::analyze(
            call,
            &Rubric::default_rubric(),
            &crate::detectors::Detectors::Rules,
            ReportLanguage::Auto,
        )
    });
    for analysis in &analyses {
        for (_, e) in analysis.evidence_by_time() {
            assert!(
                Lang::Nl.bundle().has_message(&format!("kind-{}", e.kind)),
                "no Dutch name for the kind {}",
                e.kind
            );
        }
    }
}

#[test]
fn report_languages_are_parsed_and_chosen_per_call() {
    assert_eq!(ReportLanguage::parse("auto"), Ok(ReportLanguage::Auto));
    assert_eq!(
        ReportLanguage::parse("Dutch"),
        Ok(ReportLanguage::Fixed(Lang::Nl))
    );
    assert_eq!(
        ReportLanguage::parse("en"),
        Ok(ReportLanguage::Fixed(Lang::En))
    );
    assert!(
        ReportLanguage::parse("de")
            .unwrap_err()
            .to_string()
            .contains("auto, en")
    );
    assert_eq!(ReportLanguage::Auto.for_call(Some("nl")), Lang::Nl);
    assert_eq!(ReportLanguage::Auto.for_call(Some("de")), Lang::En);
    assert_eq!(ReportLanguage::Auto.for_call(None), Lang::En);
    assert_eq!(
        ReportLanguage::Fixed(Lang::En).for_call(Some("nl")),
        Lang::En
    );
}

#[test]
fn plurals_numbers_and_lists_follow_the_language() {
    assert_eq!(t!(Lang::En, "participants", n = 1_usize), "1 participant");
    assert_eq!(t!(Lang::Nl, "participants", n = 2_usize), "2 deelnemers");
    assert_eq!(Lang::Nl.decimal(0.854, 2), "0,85");
    assert_eq!(Lang::En.decimal(0.854, 2), "0.85");
    let names = ["a".to_string(), "b".to_string(), "c".to_string()];
    assert_eq!(Lang::En.list(&names), "a, b and c");
    assert_eq!(Lang::Nl.list(&names), "a, b en c");
    assert_eq!(
        Lang::Nl.language_names(["nl", "en", "nl"]),
        "Nederlands en Engels"
    );
    // No invisible isolation marks around arguments.
    assert!(!t!(Lang::En, "week-due", date = "2026-11-30").contains('\u{2068}'));
}

#[test]
fn a_note_is_kept_as_a_message_and_read_in_either_language() {
    let reason = crate::note!("one-sided-one-track", name = "Ann", silent = 1_usize);
    let note = crate::note!("note-not-scored", reason = &reason);
    assert!(note.text.starts_with("one voice heard"), "{}", note.text);
    assert!(
        Lang::Nl.note(&note).starts_with("één stem gehoord"),
        "{}",
        Lang::Nl.note(&note)
    );
    assert!(Lang::Nl.note(&note).contains("het andere spoor is stil"));
    let json = serde_json::to_string(&note).unwrap();
    let back: Note = serde_json::from_str(&json).unwrap();
    assert_eq!(back, note);
    let voices = crate::note!(
        "note-voices",
        speakers = 2_usize,
        estimated = "yes",
        separation = Arg::decimal(0.456, 2),
        method = "prints",
    );
    assert!(
        voices.text.contains("2 speakers, estimated: --speakers N"),
        "{}",
        voices.text
    );
    assert!(voices.text.contains("separation 0.46") && voices.text.contains("by voice prints"));
    let dutch = Lang::Nl.note(&voices);
    assert!(
        dutch.contains("2 sprekers, geschat") && dutch.contains("stemscheiding 0,46"),
        "{dutch}"
    );
    // A note from before notes were messages is read, and said as written.
    let old: Note = serde_json::from_str("\"roles assumed\"").unwrap();
    assert_eq!(Lang::Nl.note(&old), "roles assumed");
}

/// Words the product prints in both languages: its name, its commands'
/// flags and files.
const SHARED: &[&str] = &[
    "rapport",
    "calls",
    "toml",
    "install",
    "model",
    "speakers",
    "consultant",
];

/// The words of the English files (messages and the rubric's English
/// sentences) that Dutch does not use: none may appear in a Dutch report.
pub(crate) fn english_only_words() -> BTreeSet<String> {
    let words = |text: &str| -> BTreeSet<String> {
        text.split(|c: char| !c.is_alphabetic() && c != '\'')
            .map(|w| w.trim_matches('\'').to_lowercase())
            .filter(|w| w.chars().count() >= 4)
            .collect()
    };
    let value_lines = |source: &str, keys: &[&str]| -> String {
        source
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter(|l| keys.is_empty() || keys.iter().any(|k| l.starts_with(&format!("{k} = "))))
            .map(|l| l.split_once(" = ").map_or(l, |(_, v)| v))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let english = words(&value_lines(SOURCES[0].1, &[]))
        .into_iter()
        .chain(words(&value_lines(
            crate::score::DEFAULT_RUBRIC,
            &["name", "fear", "reason"],
        )))
        .collect::<BTreeSet<_>>();
    let dutch = words(&value_lines(SOURCES[1].1, &[]))
        .into_iter()
        .chain(words(&value_lines(
            crate::score::DEFAULT_RUBRIC,
            &["name_nl", "fear_nl", "reason_nl"],
        )))
        .collect::<BTreeSet<_>>();
    english
        .difference(&dutch)
        .filter(|w| !SHARED.contains(&w.as_str()))
        .cloned()
        .collect()
}

/// What a page shows: its text and attribute values, not its markup or
/// style sheet.
fn shown(page: &str) -> String {
    let mut text = String::new();
    let unstyled = match (page.find("<style>"), page.find("</style>")) {
        (Some(start), Some(end)) => format!("{}{}", &page[..start], &page[end..]),
        _ => page.to_string(),
    };
    let mut in_tag = false;
    for c in unstyled.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // Titles and labels are read too.
    for attribute in ["aria-label=\"", "title=\""] {
        for part in page.split(attribute).skip(1) {
            text.push(' ');
            text.push_str(part.split('"').next().unwrap_or_default());
        }
    }
    text
}

/// The English-only words in `report` (a page's shown text), outside the
/// quotes of what was said.
pub(crate) fn english_in(report: &str, said: &[&str]) -> Vec<String> {
    let mut text = if report.contains("<html") {
        shown(report)
    } else {
        report.to_string()
    };
    for quote in said {
        text = text.replace(quote, " ");
    }
    let english = english_only_words();
    let mut found: Vec<String> = text
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| english.contains(w))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn a_dutch_call_is_reported_in_dutch_throughout() {
    let call = testing::dutch_sample_call();
    let said: Vec<String> = call.utterances.iter().map(|u| u.text.clone()).collect();
    let analysis = crate::analyze(
        call,
        &Rubric::default_rubric(),
        &crate::detectors::Detectors::Rules,
        ReportLanguage::Auto,
    );
    assert_eq!(analysis.report_language, Lang::Nl);
    let text = crate::report::analysis_text(&analysis, false);
    let html = crate::report::analysis_html(&analysis).unwrap();
    let said: Vec<&str> = said.iter().map(String::as_str).collect();
    assert!(english_only_words().len() > 100);
    for report in [&text, &html] {
        assert_eq!(english_in(report, &said), Vec::<String>::new(), "{report}");
    }
    assert!(text.contains("Cliënt aan het roer:"), "{text}");
    assert!(text.contains("Regie"), "{text}");
    assert!(html.contains("<html lang=\"nl\">"));
    // The same call asked for in English is English.
    let english = crate::analyze(
        testing::dutch_sample_call(),
        &Rubric::default_rubric(),
        &crate::detectors::Detectors::Rules,
        ReportLanguage::Fixed(Lang::En),
    );
    let text = crate::report::analysis_text(&english, false);
    assert!(text.contains("Client in control:"), "{text}");
    assert!(
        text.contains("Dutch is read by rapport's rules alone"),
        "{text}"
    );
}

#[test]
fn the_english_only_check_finds_english() {
    let analysis = crate::analyze(
        testing::dutch_sample_call(),
        &Rubric::default_rubric(),
        &crate::detectors::Detectors::Rules,
        ReportLanguage::Fixed(Lang::En),
    );
    let text = crate::report::analysis_text(&analysis, false);
    assert!(english_in(&text, &[]).len() > 10, "{text}");
}

#[test]
fn a_dutch_page_escapes_what_was_said() {
    let call = testing::call_in(
        crate::language::DUTCH,
        &[
            (
                crate::speakers::Role::Consultant,
                0.0,
                "Wat wilt u <script>alert('x')</script> doen?",
            ),
            (
                crate::speakers::Role::Client,
                4.0,
                "Het <b>plan</b> & de rest.",
            ),
        ],
    );
    let analysis = crate::analyze(
        call,
        &Rubric::default_rubric(),
        &crate::detectors::Detectors::Rules,
        ReportLanguage::Auto,
    );
    let html = crate::report::analysis_html(&analysis).unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(
        !html.contains("<script>") && !html.contains("<b>plan"),
        "{html}"
    );
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
}
