//! The week summary: every call of a batch side by side, the moments worth
//! a second look, how the numbers moved over the week, and the
//! [`ledger`] of promises.
//!
//! It is built from the records in one or more output folders alone (never
//! from the recordings), so a merge of shard outputs gives exactly what one
//! machine's batch gives. It is written as `summary.json` (the [`Week`]),
//! `summary.csv` (one row per call), `summary.html` (one self-contained
//! page that links into each call's page) and a table for the terminal.

mod html;
pub mod ledger;

pub use html::week_html;

use crate::batch::{CallRecord, DateSource, Failure};
use crate::l10n::Lang;
use crate::report::{speaker_label, terminal_safe, timestamp};
use crate::signals::SIGNALS;
use crate::speakers::Role;
use crate::t;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Bumped when a field changes meaning or goes away.
pub const SUMMARY_VERSION: u32 = 1;

/// How many of the best and of the worst moments the summary shows.
const MOMENTS_SHOWN: usize = 5;

/// The week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    pub schema_version: u32,
    /// The language the summary is written in: the one most of its calls
    /// were reported in.
    #[serde(default)]
    pub report_language: Lang,
    /// The day promises are judged overdue against.
    pub as_of: Date,
    /// In date order (undated calls last), then by id.
    pub calls: Vec<CallRow>,
    pub failures: Vec<Failure>,
    /// Each number's mean over the calls that have it, by column name.
    pub averages: BTreeMap<String, f64>,
    /// Moments to keep (good practice) and to learn from, strongest first.
    pub best_moments: Vec<Moment>,
    pub worst_moments: Vec<Moment>,
    pub promises: Vec<ledger::Promise>,
    /// The calls and promises of each client, in order of their first
    /// call; the calls with no named client last.
    #[serde(default)]
    pub clients: Vec<ClientGroup>,
}

/// One client's week.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientGroup {
    /// "Dana Lee (Acme)"; `None` for the calls that name no client.
    pub client: Option<String>,
    /// Call ids, in date order.
    pub calls: Vec<String>,
    pub promises: usize,
    pub followed_up: usize,
    pub overdue: usize,
    pub not_mentioned: usize,
    pub open: usize,
}

impl ClientGroup {
    /// "2 calls, 3 promises (1 followed up, 1 overdue, 0 not mentioned
    /// since, 1 open)", in `words`.
    pub fn tally(&self, words: Lang) -> String {
        t!(
            words,
            "week-tally",
            calls = self.calls.len(),
            promises = self.promises,
            followed_up = self.followed_up,
            overdue = self.overdue,
            not_mentioned = self.not_mentioned,
            open = self.open,
        )
    }
}

/// One call's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRow {
    pub id: String,
    pub date: Option<Date>,
    pub date_from: Option<DateSource>,
    /// Seconds.
    pub duration: f64,
    /// "Ann Smith (consultant); Dana Lee (client)".
    pub participants: String,
    /// Who the client is, when the manifest or a participant's name says.
    #[serde(default)]
    pub client: Option<String>,
    /// The manifest's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub score: Option<f64>,
    /// By dimension id, in the rubric's order.
    pub dimensions: Vec<(String, Option<f64>)>,
    /// Each signal's headline value, by signal id, in registry order.
    pub numbers: Vec<(String, Option<f64>)>,
    /// The call's page, relative to the summary.
    pub page: String,
    pub inputs: Vec<String>,
}

impl CallRow {
    /// The headline value of signal `id`, if the call gave one.
    pub fn number(&self, id: &str) -> Option<f64> {
        self.numbers
            .iter()
            .find(|(n, _)| n == id)
            .and_then(|(_, v)| *v)
    }
}

/// A moment of a call, with where to find it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub call: String,
    pub date: Option<Date>,
    /// Seconds into the call.
    pub at: f64,
    pub speaker: String,
    pub signal: String,
    pub kind: String,
    pub quote: String,
    /// The moment on the call's page, relative to the summary.
    pub link: String,
    /// How much the moment says, for ranking: its kind's weight × the
    /// detector's confidence.
    pub strength: f64,
}

/// The link to the `position`th moment (in time order) of a call's page.
fn link(id: &str, position: usize) -> String {
    format!("calls/{id}.html#e{position}")
}

/// What a kind of moment says: how much, and whether it is good practice
/// (positive) or something to learn from (negative), and whose it must be.
/// A judgement like the rubric's: questions and client stories are common,
/// so they weigh less than a decision handed back or a confidence leaked.
fn weight(signal: &str, kind: &str, seconds: Option<f64>) -> Option<(f64, Role)> {
    Some(match (signal, kind) {
        ("decision-handback", _) | ("options-offered", "alternatives") => (3.0, Role::Consultant),
        ("options-offered", _) | ("promises", "promise") => (2.0, Role::Consultant),
        ("check-understanding", _) => (1.5, Role::Consultant),
        ("questions", "open") => (1.0, Role::Consultant),
        ("client-story", _) if seconds.is_some_and(|s| s >= 60.0) => (2.0, Role::Client),
        ("out-of-school", _) => (-3.0, Role::Consultant),
        ("interruptions", _) => (-2.0, Role::Consultant),
        ("promises", "vague-promise") => (-1.5, Role::Consultant),
        ("monologue", _) if seconds.is_some_and(|s| s >= 90.0) => (-2.5, Role::Consultant),
        ("patience", _) => (-1.0, Role::Consultant),
        _ => return None,
    })
}

fn moments(records: &[&CallRecord], words: Lang) -> (Vec<Moment>, Vec<Moment>) {
    let (mut best, mut worst) = (Vec::new(), Vec::new());
    for record in records {
        let call = &record.analysis.call;
        for (position, (signal, e)) in record.analysis.evidence_by_time().into_iter().enumerate() {
            let seconds = e.details.get("seconds").and_then(|s| s.parse().ok());
            let Some((weight, role)) = weight(signal, &e.kind, seconds) else {
                continue;
            };
            if call.participant(&e.speaker).map(|p| p.person.role) != Some(role) {
                continue;
            }
            let moment = Moment {
                call: record.id.clone(),
                date: record.date,
                at: e.start,
                speaker: speaker_label(call, &e.speaker, words),
                signal: signal.to_string(),
                kind: e.kind.clone(),
                quote: e.quote.clone(),
                link: link(&record.id, position),
                strength: weight.abs() * e.confidence,
            };
            if weight > 0.0 {
                best.push(moment);
            } else {
                worst.push(moment);
            }
        }
    }
    for list in [&mut best, &mut worst] {
        // Strongest first; among equals, the earlier.
        list.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.date.cmp(&b.date))
                .then(a.call.cmp(&b.call))
                .then(a.at.total_cmp(&b.at))
        });
        list.truncate(MOMENTS_SHOWN);
    }
    (best, worst)
}

fn row(record: &CallRecord, client: &ledger::Client, words: Lang) -> CallRow {
    let (call, card) = (&record.analysis.call, &record.analysis.score);
    CallRow {
        client: client.name().map(str::to_string),
        tags: record.meta.tags.clone(),
        id: record.id.clone(),
        date: record.date,
        date_from: record.date_from,
        duration: call.duration,
        participants: call
            .participants
            .iter()
            .map(|p| match p.person.role {
                Role::Other => p.person.name.clone(),
                role => format!("{} ({})", p.person.name, words.role(role).to_lowercase()),
            })
            .collect::<Vec<_>>()
            .join("; "),
        score: card.overall,
        dimensions: card
            .order
            .iter()
            .map(|id| (id.clone(), card.dimensions.get(id).and_then(|d| d.score)))
            .collect(),
        numbers: SIGNALS
            .iter()
            .map(|s| {
                let id = s.meta().id;
                let value = record
                    .analysis
                    .signals
                    .iter()
                    .find(|o| o.id == id)
                    .and_then(|o| o.value);
                (id.to_string(), value)
            })
            .collect(),
        page: format!("calls/{}.html", record.id),
        inputs: record.inputs.clone(),
    }
}

impl Week {
    /// The summary of `records` and `failures`, with promises judged as of
    /// `as_of`; `generic_names` are names beside [`ledger::GENERIC_NAMES`]
    /// that identify no client.
    pub fn new(
        mut records: Vec<CallRecord>,
        mut failures: Vec<Failure>,
        as_of: Date,
        generic_names: &[String],
    ) -> Self {
        // Undated calls sort last; Option orders None first, so flip it.
        records.sort_by(|a, b| {
            (a.date.is_none(), a.date, a.time, &a.id).cmp(&(
                b.date.is_none(),
                b.date,
                b.time,
                &b.id,
            ))
        });
        failures.sort_by(|a, b| a.id.cmp(&b.id));
        let words = most_reported(&records);
        let ordered: Vec<&CallRecord> = records.iter().collect();
        let mut clients: Vec<ledger::Client> = records
            .iter()
            .map(|r| ledger::client_of(r, generic_names, words))
            .collect();
        ledger::unify(&mut clients);
        let calls: Vec<CallRow> = records
            .iter()
            .zip(&clients)
            .map(|(r, c)| row(r, c, words))
            .collect();
        let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
        for c in &calls {
            let columns = std::iter::once(("score".to_string(), c.score))
                .chain(c.dimensions.iter().cloned())
                .chain(c.numbers.iter().cloned());
            for (name, value) in columns {
                if let Some(v) = value {
                    let sum = sums.entry(name).or_default();
                    sum.0 += v;
                    sum.1 += 1;
                }
            }
        }
        let (best_moments, worst_moments) = moments(&ordered, words);
        let promises = ledger::ledger(&ordered, &clients, as_of, words);
        Self {
            schema_version: SUMMARY_VERSION,
            report_language: words,
            as_of,
            clients: client_groups(&calls, &promises),
            promises,
            averages: sums
                .into_iter()
                .map(|(k, (sum, n))| (k, sum / n as f64))
                .collect(),
            best_moments,
            worst_moments,
            calls,
            failures,
        }
    }

    /// The group of `client` (`None`: the calls naming none).
    pub fn client_group(&self, client: Option<&str>) -> Option<&ClientGroup> {
        self.clients.iter().find(|g| g.client.as_deref() == client)
    }

    /// One row per call. Cells a spreadsheet would run as a formula (names
    /// and file names are whatever the recordings say) are quoted with `'`.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        let first = self.calls.first();
        let mut header: Vec<String> = [
            "call",
            "date",
            "duration_s",
            "participants",
            "client",
            "score",
        ]
        .map(String::from)
        .to_vec();
        if let Some(first) = first {
            header.extend(first.dimensions.iter().map(|(d, _)| d.clone()));
        }
        header.extend(SIGNALS.iter().map(|s| s.meta().id.to_string()));
        header.push("page".into());
        csv.write_record(&header)?;
        let number = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.2}"));
        for c in &self.calls {
            let mut cells = vec![
                spreadsheet_safe(&c.id),
                c.date.map_or_else(String::new, |d| d.to_string()),
                format!("{:.1}", c.duration),
                spreadsheet_safe(&c.participants),
                spreadsheet_safe(c.client.as_deref().unwrap_or_default()),
                number(c.score),
            ];
            cells.extend(c.dimensions.iter().map(|(_, v)| number(*v)));
            cells.extend(c.numbers.iter().map(|(_, v)| number(*v)));
            cells.push(spreadsheet_safe(&c.page));
            csv.write_record(&cells)?;
        }
        csv.flush()
    }

    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }

    /// The promise ledger for a terminal: the counts, each client's, the
    /// promises that need attention and why some cannot be followed.
    fn ledger_text(&self, out: &mut String) {
        let words = self.report_language;
        let count = |s: ledger::Status| self.promises.iter().filter(|p| p.status == s).count();
        let _ = writeln!(
            out,
            "\n{}",
            t!(
                words,
                "week-promises",
                made = self.promises.len(),
                followed_up = count(ledger::Status::FollowedUp),
                overdue = count(ledger::Status::Overdue),
                not_mentioned = count(ledger::Status::NotMentioned),
                open = count(ledger::Status::Open),
                as_of = self.as_of.to_string(),
            )
        );
        for group in &self.clients {
            let _ = writeln!(
                out,
                "  {}: {}",
                group
                    .client
                    .as_deref()
                    .map_or_else(|| t!(words, "week-no-client"), terminal_safe),
                group.tally(words),
            );
            for p in self.promises.iter().filter(|p| {
                p.client == group.client
                    && matches!(
                        p.status,
                        ledger::Status::Overdue | ledger::Status::NotMentioned
                    )
            }) {
                let _ = writeln!(
                    out,
                    "    {}: {} — {}{}",
                    p.status.label(words),
                    p.due.map_or_else(
                        || t!(words, "week-no-date"),
                        |d| t!(words, "week-due", date = d.to_string())
                    ),
                    t!(
                        words,
                        "week-promised",
                        owner = terminal_safe(&p.owner),
                        what = terminal_safe(if p.what.is_empty() { &p.quote } else { &p.what }),
                        when = p
                            .when
                            .as_ref()
                            .map_or_else(String::new, |w| format!(" ({})", terminal_safe(w))),
                        call = terminal_safe(&p.call),
                        at = timestamp(p.at),
                    ),
                    p.untrackable.as_deref().map_or_else(String::new, |why| {
                        format!(
                            " ({})",
                            t!(words, "week-untrackable", why = terminal_safe(why))
                        )
                    }),
                );
            }
        }
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &self.promises {
            if let Some(why) = &p.untrackable {
                *reasons.entry(why).or_default() += 1;
            }
        }
        for (why, n) in reasons {
            let _ = writeln!(
                out,
                "  {}",
                t!(
                    words,
                    "week-untrackable-count",
                    n = n,
                    why = terminal_safe(why)
                )
            );
        }
    }

    /// The week for a terminal: one line per call, the averages, the
    /// promises that need attention and the failures.
    pub fn to_text(&self) -> String {
        let words = self.report_language;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<10}  {:<32} {:>8}  {:>5}  {:>6}  {:>9}  {:>7}  {:>8}",
            words.word("column-date"),
            words.word("column-call"),
            words.word("column-length"),
            words.word("column-score"),
            words.word("column-talk"),
            words.word("column-questions"),
            words.word("column-options"),
            words.word("column-promises"),
        );
        let cell = |v: Option<f64>, scale: f64, unit: &str| {
            v.map_or_else(
                || "–".to_string(),
                |v| format!("{}{unit}", words.decimal(v * scale, 0)),
            )
        };
        for c in &self.calls {
            let mut name = terminal_safe(&c.id);
            if name.chars().count() > 32 {
                name = name.chars().take(31).chain(std::iter::once('…')).collect();
            }
            let _ = writeln!(
                out,
                "{:<10}  {name:<32} {:>8}  {:>5}  {:>6}  {:>9}  {:>7}  {:>8}",
                c.date.map_or_else(|| "–".to_string(), |d| d.to_string()),
                timestamp(c.duration),
                cell(c.score, 1.0, ""),
                cell(c.number("talk-share"), 100.0, " %"),
                cell(c.number("questions"), 1.0, ""),
                cell(c.number("options-offered"), 1.0, ""),
                cell(c.number("promises"), 1.0, ""),
            );
        }
        let average =
            |k: &str, scale: f64, unit: &str| cell(self.averages.get(k).copied(), scale, unit);
        let _ = writeln!(
            out,
            "{:<10}  {:<32} {:>8}  {:>5}  {:>6}  {:>9}  {:>7}  {:>8}",
            "",
            t!(words, "week-average", n = self.calls.len()),
            "",
            average("score", 1.0, ""),
            average("talk-share", 100.0, " %"),
            average("questions", 1.0, ""),
            average("options-offered", 1.0, ""),
            average("promises", 1.0, ""),
        );
        self.ledger_text(&mut out);
        if !self.failures.is_empty() {
            let _ = writeln!(out, "\n{}:", words.word("week-failed"));
            for f in &self.failures {
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    terminal_safe(&f.id),
                    terminal_safe(&f.error)
                );
            }
        }
        out
    }
}

/// The language most of `records` were reported in (English on a tie).
fn most_reported(records: &[CallRecord]) -> Lang {
    let dutch = records
        .iter()
        .filter(|r| r.analysis.report_language == Lang::Nl)
        .count();
    if dutch * 2 > records.len() {
        Lang::Nl
    } else {
        Lang::En
    }
}

/// The calls and promise counts of each client, in order of each
/// client's first call, the calls with no named client last.
fn client_groups(calls: &[CallRow], promises: &[ledger::Promise]) -> Vec<ClientGroup> {
    let mut groups: Vec<ClientGroup> = Vec::new();
    for c in calls {
        let index = groups
            .iter()
            .position(|g| g.client == c.client)
            .unwrap_or_else(|| {
                groups.push(ClientGroup {
                    client: c.client.clone(),
                    ..ClientGroup::default()
                });
                groups.len() - 1
            });
        let group = &mut groups[index];
        group.calls.push(c.id.clone());
        for p in promises.iter().filter(|p| p.call == c.id) {
            group.promises += 1;
            *match p.status {
                ledger::Status::FollowedUp => &mut group.followed_up,
                ledger::Status::Overdue => &mut group.overdue,
                ledger::Status::NotMentioned => &mut group.not_mentioned,
                ledger::Status::Open => &mut group.open,
            } += 1;
        }
    }
    groups.sort_by_key(|g| g.client.is_none());
    groups
}

pub(crate) fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Writes `summary.json`, `summary.csv` and `summary.html` into `dir`.
pub fn write_files(week: &Week, dir: &std::path::Path) -> io::Result<()> {
    crate::write_atomically(&dir.join("summary.json"), |out| week.write_json(out))?;
    crate::write_atomically(&dir.join("summary.csv"), |out| week.write_csv(out))?;
    crate::write_atomically(&dir.join("summary.html"), |out| {
        out.write_all(week_html(week).map_err(io::Error::other)?.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::outdir::RECORD_VERSION;
    use crate::score::Rubric;
    use crate::signals::testing;
    use ledger::Status;

    /// A call on `date` between the consultant and the client `client`.
    fn record(id: &str, date: &str, client: &str, lines: testing::Lines) -> CallRecord {
        let mut call = testing::call(lines);
        for p in &mut call.participants {
            if p.person.role == Role::Client {
                p.person.name = client.into();
            }
        }
        CallRecord {
            record_version: RECORD_VERSION,
            id: id.into(),
            inputs: vec![format!("{id}.vtt")],
            date: Some(date.parse().unwrap()),
            date_from: Some(DateSource::FileName),
            time: None,
            meta: crate::batch::CallMeta::default(),
            transcript_key: id.into(),
            result_key: id.into(),
            analysis: crate::analyze(
                call,
                &Rubric::default_rubric(),
                &crate::detectors::Detectors::Rules,
                crate::l10n::ReportLanguage::Auto,
            ),
        }
    }

    #[test]
    fn promises_are_followed_across_later_calls_with_the_same_client_only() {
        use Role::{Client, Consultant};
        let records = vec![
            record(
                "dana-mon",
                "2026-11-16",
                "Dana Lee",
                &[
                    (Client, 0.0, "The board wants to see where we are."),
                    (Consultant, 4.0, "I'll send you the revised plan by Friday."),
                ],
            ),
            record(
                "bo-tue",
                "2026-11-17",
                "Bo Chen",
                &[
                    (
                        Client,
                        0.0,
                        "Is the revised plan the one with the new budget?",
                    ),
                    (
                        Consultant,
                        5.0,
                        "I'll send you the contract by end of next month.",
                    ),
                ],
            ),
            record(
                "dana-thu",
                "2026-11-19",
                "dana lee",
                &[
                    (Consultant, 0.0, "Here is the revised plan we talked about."),
                    (Client, 4.0, "Thanks, that helps."),
                ],
            ),
            record(
                "bo-fri",
                "2026-11-20",
                "Bo Chen",
                &[
                    (Consultant, 0.0, "How was the week?"),
                    (Client, 3.0, "Long."),
                ],
            ),
            record(
                "kim-fri",
                "2026-11-20",
                "Kim Park",
                &[(Consultant, 0.0, "I'll get the figures to you tomorrow.")],
            ),
            record(
                "bo-sat",
                "2026-11-21",
                "Bo Chen",
                &[(Consultant, 0.0, "I'll look into it.")],
            ),
            record(
                "bo-sun",
                "2026-11-22",
                "Bo Chen",
                &[(Consultant, 0.0, "Good to see you again.")],
            ),
        ];
        let week = Week::new(records, Vec::new(), "2026-11-23".parse().unwrap(), &[]);
        let status = |what: &str| {
            let p = week
                .promises
                .iter()
                .find(|p| p.what.contains(what))
                .unwrap();
            (p.status, p.due.map(|d| d.to_string()))
        };
        // Bo's mention of "the revised plan" does not count: another client.
        let plan = week
            .promises
            .iter()
            .find(|p| p.what.contains("plan"))
            .unwrap();
        assert_eq!(plan.follow_up.as_ref().unwrap().call, "dana-thu");
        assert_eq!(
            status("plan"),
            (Status::FollowedUp, Some("2026-11-20".into()))
        );
        assert_eq!(
            status("contract"),
            (Status::NotMentioned, Some("2026-12-31".into()))
        );
        assert_eq!(
            status("figures"),
            (Status::Overdue, Some("2026-11-21".into()))
        );
        // Nothing to search for: never "not mentioned since", however many calls follow.
        let vague = week.promises.iter().find(|p| p.call == "bo-sat").unwrap();
        assert_eq!((vague.status, vague.trackable), (Status::Open, false));
        assert_eq!(week.calls.first().map(|c| c.id.as_str()), Some("dana-mon"));
        let text = week.to_text();
        assert!(
            text.contains("4 made, 1 followed up, 1 overdue, 1 not mentioned since, 1 open"),
            "{text}"
        );
    }

    #[test]
    fn a_role_names_no_client_and_the_manifest_names_one() {
        use Role::{Client, Consultant};
        let week = |clients: [Option<&str>; 3]| {
            let calls = [
                (
                    "mon",
                    "2026-11-16",
                    "I'll send you the revised plan by Friday.",
                ),
                (
                    "tue",
                    "2026-11-17",
                    "Here is the revised plan we talked about.",
                ),
                (
                    "wed",
                    "2026-11-18",
                    "The revised plan is attached, as promised.",
                ),
            ];
            let records = calls
                .iter()
                .zip(clients)
                .map(|((id, date, line), client)| {
                    let mut r = record(
                        id,
                        date,
                        "Patient",
                        &[(Consultant, 0.0, line), (Client, 4.0, "Thanks.")],
                    );
                    r.meta.client = client.map(str::to_string);
                    r
                })
                .collect();
            Week::new(records, Vec::new(), "2026-11-23".parse().unwrap(), &[])
        };
        let unnamed = week([None, None, None]);
        let plan = &unnamed.promises[0];
        assert_eq!((plan.status, plan.trackable), (Status::Overdue, false));
        assert!(
            plan.untrackable
                .as_deref()
                .unwrap()
                .contains("\"Patient\" is a role"),
            "{plan:?}"
        );
        assert_eq!(unnamed.clients.len(), 1);
        assert_eq!(unnamed.clients[0].client, None);
        // Named by the manifest: followed up by the same client's call, not another's.
        let named = week([Some("Dana Lee"), Some("Bo Chen"), Some("dana lee")]);
        let plan = &named.promises[0];
        assert_eq!(plan.status, Status::FollowedUp);
        assert_eq!(plan.follow_up.as_ref().unwrap().call, "wed");
        assert_eq!(plan.client.as_deref(), Some("Dana Lee"));
        let dana = named.client_group(Some("Dana Lee")).unwrap();
        assert_eq!(
            (dana.calls.len(), dana.promises, dana.followed_up),
            (2, 1, 1)
        );
        assert_eq!(named.calls[1].client.as_deref(), Some("Bo Chen"));
        let text = named.to_text();
        assert!(
            text.contains("Dana Lee: 2 calls, 1 promise (1 followed up"),
            "{text}"
        );
        let mut csv = Vec::new();
        named.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(
            csv.starts_with("call,date,duration_s,participants,client,score"),
            "{csv}"
        );
        assert!(csv.contains(",Bo Chen,"), "{csv}");
        let html = week_html(&named).unwrap();
        assert!(
            html.contains("<h3>Dana Lee</h3>") && html.contains("<h3>Bo Chen</h3>"),
            "{html}"
        );
    }

    #[test]
    fn the_week_page_loads_nothing_and_escapes_what_was_said() {
        use Role::{Client, Consultant};
        let records = vec![record(
            "evil",
            "2026-11-16",
            "<script>x</script>",
            &[
                (
                    Client,
                    0.0,
                    "<img src=x onerror=alert(1)> what should we do?",
                ),
                (Consultant, 4.0, "Which would you prefer, <b>A</b> or B?"),
            ],
        )];
        let html = week_html(&Week::new(
            records,
            Vec::new(),
            "2026-11-23".parse().unwrap(),
            &[],
        ))
        .unwrap();
        assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"));
        for external in ["http://", "https://", "src=", "@import", "url("] {
            assert!(
                !html.contains(external),
                "the page must load nothing: {external}"
            );
        }
        assert!(html.contains("href=\"calls/evil.html\""));
        assert!(
            html.contains("href=\"calls/evil.html#e"),
            "no link to a moment"
        );
    }

    #[test]
    fn a_week_of_dutch_calls_is_summarised_in_dutch() {
        use Role::{Client, Consultant};
        let dutch = |id: &str, date: &str, lines: testing::Lines| {
            let mut record = record(id, date, "Joost Bakker", lines);
            record.analysis.call.set_language(crate::language::DUTCH);
            record.analysis = crate::analyze(
                record.analysis.call,
                &Rubric::default_rubric(),
                &crate::detectors::Detectors::Rules,
                crate::l10n::ReportLanguage::Auto,
            );
            record
        };
        let lines: [(&str, &str, testing::Lines); 3] = [
            (
                "ma",
                "2026-11-16",
                &[
                    (Client, 0.0, "Het bestuur wil weten waar we staan."),
                    (
                        Consultant,
                        4.0,
                        "Ik stuur u het herziene plan vóór vrijdag.",
                    ),
                    (Consultant, 9.0, "En ik bel u morgen even."),
                ],
            ),
            (
                "do",
                "2026-11-19",
                &[
                    (
                        Consultant,
                        0.0,
                        "Hier is het herziene plan waar we het over hadden.",
                    ),
                    (Client, 4.0, "Dank u, daar heb ik wat aan."),
                ],
            ),
            (
                "vr",
                "2026-11-20",
                &[(Consultant, 0.0, "Ik stuur u de cijfers morgen.")],
            ),
        ];
        let said: Vec<&str> = lines
            .iter()
            .flat_map(|(_, _, lines)| lines.iter().map(|l| l.2.trim_end_matches('.')))
            .collect();
        let records = lines
            .iter()
            .map(|(id, date, lines)| dutch(id, date, lines))
            .collect();
        let mut week = Week::new(records, Vec::new(), "2026-11-23".parse().unwrap(), &[]);
        week.failures.push(Failure {
            record_version: RECORD_VERSION,
            id: "kapot".into(),
            inputs: vec!["kapot.wav".into()],
            error: "kapot.wav: onleesbaar".into(),
        });
        assert_eq!(week.report_language, Lang::Nl);
        let (text, html) = (week.to_text(), week_html(&week).unwrap());
        for page in [&text, &html] {
            assert_eq!(
                crate::l10n::tests::english_in(page, &said),
                Vec::<String>::new(),
                "{page}"
            );
        }
        assert!(
            text.contains("toezeggingen: 2 gedaan, 1 opgevolgd, 1 te laat"),
            "{text}"
        );
        assert!(html.contains("Toezeggingen, per cliënt"), "{html}");
    }

    #[test]
    fn formulas_never_reach_a_spreadsheet() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("Ann Smith"), "Ann Smith");
    }
}
