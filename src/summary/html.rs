//! The week on one self-contained page: scores over the week, the trends,
//! every call linked to its own page, the best and worst moments, the
//! promise ledger and the failures. Like a call's page it loads nothing,
//! and its template engine escapes every value.

use super::{CallRow, Week, ledger::Status};
use crate::report::{class_of, score_text, timestamp};
use askama::Template;

/// Trend lines drawn: the signal, its heading, and how its value reads.
const TRENDS: [(&str, &str, f64, &str); 4] = [
    ("talk-share", "consultant talk share", 100.0, " %"),
    ("questions", "consultant questions", 1.0, ""),
    ("options-offered", "options offered", 1.0, ""),
    ("promises", "promises made", 1.0, ""),
];

#[derive(Template)]
#[template(path = "summary.html")]
struct Page {
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
    as_of: String,
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
    status: &'static str,
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

fn date_text(date: Option<jiff::civil::Date>) -> String {
    date.map_or_else(|| "undated".into(), |d| d.to_string())
}

/// Scores as bars, one per call in date order, on a 0–100 scale.
fn score_bars(calls: &[CallRow]) -> Vec<ScoreBar> {
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
                label: c
                    .date
                    .map_or_else(String::new, |d| d.strftime("%a %d").to_string()),
                title: format!("{} · {}: {}", date_text(c.date), c.id, score_text(c.score)),
                page: c.page.clone(),
            }
        })
        .collect()
}

fn trend(calls: &[CallRow], (id, heading, scale, unit): (&str, &str, f64, &str)) -> Trend {
    let values: Vec<(usize, f64)> = calls
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.number(id).map(|v| (i, v * scale)))
        .collect();
    let top = values.iter().map(|v| v.1).fold(1.0, f64::max);
    let step = 280.0 / calls.len().saturating_sub(1).max(1) as f64;
    let show = |v: Option<f64>| v.map_or_else(|| "–".into(), |v| format!("{v:.0}{unit}"));
    let mean =
        (!values.is_empty()).then(|| values.iter().map(|v| v.1).sum::<f64>() / values.len() as f64);
    Trend {
        heading: heading.into(),
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

/// The page for a week.
pub fn week_html(week: &Week) -> Result<String, askama::Error> {
    let dated: Vec<_> = week.calls.iter().filter_map(|c| c.date).collect();
    let title = match (dated.iter().min(), dated.iter().max()) {
        (Some(first), Some(last)) if first != last => format!("Calls of {first} to {last}"),
        (Some(day), _) => format!("Calls of {day}"),
        _ => "Calls".into(),
    };
    let minutes = (week.calls.iter().map(|c| c.duration).sum::<f64>() / 60.0).round() as u64;
    let length = match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    };
    let average = week.averages.get("score").copied();
    let page = Page {
        title,
        subtitle: format!(
            "{} call{} · {length} of calls{}",
            week.calls.len(),
            if week.calls.len() == 1 { "" } else { "s" },
            if week.failures.is_empty() {
                String::new()
            } else {
                format!(" · {} failed", week.failures.len())
            }
        ),
        average: score_text(average),
        average_class: class_of(average),
        bars: score_bars(&week.calls),
        trends: TRENDS.iter().map(|t| trend(&week.calls, *t)).collect(),
        dimension_names: week
            .calls
            .first()
            .map(|c| c.dimensions.iter().map(|(d, _)| d.clone()).collect())
            .unwrap_or_default(),
        calls: week
            .calls
            .iter()
            .map(|c| CallView {
                date: date_text(c.date),
                id: c.id.clone(),
                page: c.page.clone(),
                length: timestamp(c.duration),
                participants: c.participants.clone(),
                client: c.client.clone().unwrap_or_else(|| "–".into()),
                score: score_text(c.score),
                class: class_of(c.score),
                dimensions: c
                    .dimensions
                    .iter()
                    .map(|(_, s)| (score_text(*s), class_of(*s)))
                    .collect(),
                numbers: TRENDS
                    .iter()
                    .map(|(id, _, scale, unit)| {
                        c.number(id)
                            .map_or_else(|| "–".into(), |v| format!("{:.0}{unit}", v * scale))
                    })
                    .collect(),
            })
            .collect(),
        best: moment_views(&week.best_moments),
        worst: moment_views(&week.worst_moments),
        promises_made: week.promises.len(),
        clients: client_views(week),
        failures: week
            .failures
            .iter()
            .map(|f| (f.id.clone(), f.error.clone()))
            .collect(),
        as_of: week.as_of.to_string(),
    };
    page.render()
}

fn client_views(week: &Week) -> Vec<ClientView> {
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
                    .unwrap_or_else(|| "Calls that name no client".into()),
                summary: g.tally(),
                calls: g.calls.iter().map(|id| (id.clone(), page(id))).collect(),
                promises: promise_views(&promises),
            }
        })
        .collect()
}

fn promise_views(promises: &[&super::ledger::Promise]) -> Vec<PromiseView> {
    promises
        .iter()
        .map(|p| PromiseView {
            since: match (&p.untrackable, p.later_calls) {
                (Some(why), _) => format!("cannot be followed: {why}"),
                (None, 0) => "no later call with this client yet".into(),
                (None, n) => format!(
                    "not mentioned in {n} later call{}",
                    if n == 1 { "" } else { "s" }
                ),
            },
            status: if p.trackable || p.status == Status::Overdue {
                p.status.label()
            } else {
                "open (cannot be followed)"
            },
            class: match p.status {
                Status::FollowedUp => "good",
                Status::Open => "none",
                Status::Overdue | Status::NotMentioned => "poor",
            },
            due: match (&p.due, &p.when) {
                (Some(due), Some(when)) => format!("{due} ({when})"),
                (None, Some(when)) => when.clone(),
                _ => "no time said".into(),
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

fn moment_views(moments: &[super::Moment]) -> Vec<MomentView> {
    moments
        .iter()
        .map(|m| MomentView {
            when: format!("{} {}", date_text(m.date), timestamp(m.at)),
            call: m.call.clone(),
            link: m.link.clone(),
            speaker: m.speaker.clone(),
            what: format!("{} / {}", m.signal, m.kind),
            quote: m.quote.clone(),
        })
        .collect()
}
