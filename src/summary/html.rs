//! The week on one self-contained page: scores over the week, the trends,
//! every call linked to its own page, the best and worst moments, the
//! promise ledger and the failures. Like a call's page it loads nothing,
//! and its template engine escapes every value.

use super::{CallRow, Week, ledger::Status};
use crate::l10n::Lang;
use crate::report::{class_of, score_text, timestamp};
use crate::t;
use askama::Template;

/// Trend lines drawn: the signal, its heading's message, and how its value
/// reads.
const TRENDS: [(&str, &str, f64, &str); 4] = [
    ("talk-share", "trend-talk-share", 100.0, " %"),
    ("questions", "trend-questions", 1.0, ""),
    ("options-offered", "trend-options", 1.0, ""),
    ("promises", "trend-promises", 1.0, ""),
];

#[derive(Template)]
#[template(path = "summary.html")]
struct Page {
    words: Lang,
    title: String,
    subtitle: String,
    average: String,
    average_class: &'static str,
    bars: Vec<ScoreBar>,
    trends: Vec<Trend>,
    dimension_names: Vec<String>,
    calls: Vec<CallView>,
    best: Vec<MomentView>,
    worst: Vec<MomentView>,
    promises_made: usize,
    clients: Vec<ClientView>,
    failures: Vec<(String, String)>,
    ledger_explained: String,
}

struct ScoreBar {
    x: String,
    width: String,
    y: String,
    height: String,
    class: &'static str,
    label: String,
    title: String,
    page: String,
}

struct Trend {
    heading: String,
    points: String,
    first: String,
    last: String,
    average: String,
}

struct CallView {
    date: String,
    id: String,
    page: String,
    length: String,
    participants: String,
    client: String,
    score: String,
    class: &'static str,
    dimensions: Vec<(String, &'static str)>,
    numbers: Vec<String>,
}

struct MomentView {
    when: String,
    call: String,
    link: String,
    speaker: String,
    what: String,
    quote: String,
}

struct ClientView {
    heading: String,
    summary: String,
    /// Each call's id and page.
    calls: Vec<(String, String)>,
    promises: Vec<PromiseView>,
}

struct PromiseView {
    status: String,
    class: &'static str,
    due: String,
    owner: String,
    what: String,
    call: String,
    link: String,
    follow_up: Option<(String, String)>,
    /// What the "since" column says with no follow-up.
    since: String,
}

fn date_text(date: Option<jiff::civil::Date>, words: Lang) -> String {
    date.map_or_else(|| words.word("week-undated"), |d| d.to_string())
}

/// "Mon 16" in `words`.
fn day_text(date: jiff::civil::Date, words: Lang) -> String {
    use jiff::civil::Weekday;
    let day = words.word(match date.weekday() {
        Weekday::Monday => "weekday-monday",
        Weekday::Tuesday => "weekday-tuesday",
        Weekday::Wednesday => "weekday-wednesday",
        Weekday::Thursday => "weekday-thursday",
        Weekday::Friday => "weekday-friday",
        Weekday::Saturday => "weekday-saturday",
        Weekday::Sunday => "weekday-sunday",
    });
    format!("{day} {:02}", date.day())
}

/// Scores as bars, one per call in date order, on a 0–100 scale.
fn score_bars(calls: &[CallRow], words: Lang) -> Vec<ScoreBar> {
    let step = 960.0 / calls.len().max(1) as f64;
    calls
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let height = c.score.unwrap_or(0.0).clamp(0.0, 100.0) * 1.6;
            ScoreBar {
                x: format!("{:.1}", 30.0 + i as f64 * step + step * 0.15),
                width: format!("{:.1}", step * 0.7),
                y: format!("{:.1}", 170.0 - height),
                height: format!("{height:.1}"),
                class: class_of(c.score),
                label: c.date.map_or_else(String::new, |d| day_text(d, words)),
                title: format!(
                    "{} · {}: {}",
                    date_text(c.date, words),
                    c.id,
                    score_text(c.score, words)
                ),
                page: c.page.clone(),
            }
        })
        .collect()
}

fn trend(
    calls: &[CallRow],
    (id, heading, scale, unit): (&str, &str, f64, &str),
    words: Lang,
) -> Trend {
    let values: Vec<(usize, f64)> = calls
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.number(id).map(|v| (i, v * scale)))
        .collect();
    let top = values.iter().map(|v| v.1).fold(1.0, f64::max);
    let step = 280.0 / calls.len().saturating_sub(1).max(1) as f64;
    let show =
        |v: Option<f64>| v.map_or_else(|| "–".into(), |v| format!("{}{unit}", words.decimal(v, 0)));
    let mean =
        (!values.is_empty()).then(|| values.iter().map(|v| v.1).sum::<f64>() / values.len() as f64);
    Trend {
        heading: words.word(heading),
        points: values
            .iter()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1}",
                    10.0 + *i as f64 * step,
                    55.0 - 45.0 * v / top
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        first: show(values.first().map(|v| v.1)),
        last: show(values.last().map(|v| v.1)),
        average: show(mean),
    }
}

/// The page for a week, in its report language.
pub fn week_html(week: &Week) -> Result<String, askama::Error> {
    let words = week.report_language;
    let dated: Vec<_> = week.calls.iter().filter_map(|c| c.date).collect();
    let title = match (dated.iter().min(), dated.iter().max()) {
        (Some(first), Some(last)) if first != last => t!(
            words,
            "week-title-span",
            first = first.to_string(),
            last = last.to_string()
        ),
        (Some(day), _) => t!(words, "week-title-day", day = day.to_string()),
        _ => words.word("week-title"),
    };
    let minutes = (week.calls.iter().map(|c| c.duration).sum::<f64>() / 60.0).round() as u64;
    let length = match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    };
    let average = week.averages.get("score").copied();
    let page = Page {
        words,
        title,
        subtitle: format!(
            "{}{}",
            t!(
                words,
                "week-subtitle",
                n = week.calls.len(),
                length = length
            ),
            if week.failures.is_empty() {
                String::new()
            } else {
                format!(
                    " · {}",
                    t!(words, "week-failed-count", n = week.failures.len())
                )
            }
        ),
        average: score_text(average, words),
        average_class: class_of(average),
        bars: score_bars(&week.calls, words),
        trends: TRENDS
            .iter()
            .map(|t| trend(&week.calls, *t, words))
            .collect(),
        dimension_names: week
            .calls
            .first()
            .map(|c| {
                c.dimensions
                    .iter()
                    .map(|(d, _)| words.dimension(d))
                    .collect()
            })
            .unwrap_or_default(),
        calls: week
            .calls
            .iter()
            .map(|c| CallView {
                date: date_text(c.date, words),
                id: c.id.clone(),
                page: c.page.clone(),
                length: timestamp(c.duration),
                participants: c.participants.clone(),
                client: c.client.clone().unwrap_or_else(|| "–".into()),
                score: score_text(c.score, words),
                class: class_of(c.score),
                dimensions: c
                    .dimensions
                    .iter()
                    .map(|(_, s)| (score_text(*s, words), class_of(*s)))
                    .collect(),
                numbers: TRENDS
                    .iter()
                    .map(|(id, _, scale, unit)| {
                        c.number(id).map_or_else(
                            || "–".into(),
                            |v| format!("{}{unit}", words.decimal(v * scale, 0)),
                        )
                    })
                    .collect(),
            })
            .collect(),
        best: moment_views(&week.best_moments, words),
        worst: moment_views(&week.worst_moments, words),
        promises_made: week.promises.len(),
        clients: client_views(week),
        failures: week
            .failures
            .iter()
            .map(|f| (f.id.clone(), f.error.clone()))
            .collect(),
        ledger_explained: t!(
            words,
            "week-ledger-explained",
            as_of = week.as_of.to_string()
        ),
    };
    page.render()
}

fn client_views(week: &Week) -> Vec<ClientView> {
    let words = week.report_language;
    week.clients
        .iter()
        .map(|g| {
            let page = |id: &String| {
                week.calls
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or_else(String::new, |c| c.page.clone())
            };
            let promises: Vec<&super::ledger::Promise> = week
                .promises
                .iter()
                .filter(|p| p.client == g.client)
                .collect();
            ClientView {
                heading: g
                    .client
                    .clone()
                    .unwrap_or_else(|| words.word("week-no-client-heading")),
                summary: g.tally(words),
                calls: g.calls.iter().map(|id| (id.clone(), page(id))).collect(),
                promises: promise_views(&promises, words),
            }
        })
        .collect()
}

fn promise_views(promises: &[&super::ledger::Promise], words: Lang) -> Vec<PromiseView> {
    promises
        .iter()
        .map(|p| PromiseView {
            since: match (&p.untrackable, p.later_calls) {
                (Some(why), _) => t!(words, "week-untrackable", why = why),
                (None, 0) => words.word("week-no-later-call"),
                (None, n) => t!(words, "week-not-mentioned-in", n = n),
            },
            status: if p.trackable || p.status == Status::Overdue {
                p.status.label(words)
            } else {
                words.word("status-open-untrackable")
            },
            class: match p.status {
                Status::FollowedUp => "good",
                Status::Open => "none",
                Status::Overdue | Status::NotMentioned => "poor",
            },
            due: match (&p.due, &p.when) {
                (Some(due), Some(when)) => format!("{due} ({when})"),
                (None, Some(when)) => when.clone(),
                _ => words.word("week-no-time"),
            },
            owner: p.owner.clone(),
            what: if p.what.is_empty() {
                p.quote.clone()
            } else {
                p.what.clone()
            },
            call: format!("{} {}", p.call, timestamp(p.at)),
            link: p.link.clone(),
            follow_up: p.follow_up.as_ref().map(|m| {
                (
                    format!("{} {}: “{}”", m.call, timestamp(m.at), m.quote),
                    m.link.clone(),
                )
            }),
        })
        .collect()
}

fn moment_views(moments: &[super::Moment], words: Lang) -> Vec<MomentView> {
    moments
        .iter()
        .map(|m| MomentView {
            when: format!("{} {}", date_text(m.date, words), timestamp(m.at)),
            call: m.call.clone(),
            link: m.link.clone(),
            speaker: m.speaker.clone(),
            what: format!("{} / {}", words.signal(&m.signal), words.kind(&m.kind)),
            quote: m.quote.clone(),
        })
        .collect()
}
