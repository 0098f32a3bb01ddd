//! `rapport review`: a page on the coach's own machine to listen to a call,
//! read it, and label its moments into the call's annotations sidecar.
//!
//! Nothing leaves the machine, and nothing else on it gets in:
//! - the server listens on 127.0.0.1 only;
//! - every request carries the session's random token (the page and the
//!   audio in the URL, the labelling API in an `x-rapport-token` header,
//!   which a page from elsewhere cannot send without the browser asking
//!   the server first, and this server answers no such request);
//! - the `Host` must be the loopback address itself, so a web page that
//!   points a domain of its own at 127.0.0.1 is turned away;
//! - responses forbid caching, framing, referrers and every load from
//!   elsewhere (a content security policy with a per-session nonce for the
//!   page's one script); the page is rendered by askama, which escapes
//!   what was said, and its script writes text with `textContent` only.

use crate::Analysis;
use crate::annotations::{self, Action, AnnotationError, Label, Rating, Sidecar, Target};
use crate::eval;
use crate::l10n::Lang;
use crate::report::{html, speaker_label, timestamp};
use crate::speakers::Role;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;
use tower_http::services::ServeFile;

/// How the call's decoded audio is named in the temporary folder while a
/// review server runs: `rapport-review-PID-….wav`.
const AUDIO_PREFIX: &str = "rapport-review-";
/// Audio from a server whose process cannot be checked (no `/proc`, or a
/// name without a process id) is stale after a day.
const STALE_AUDIO: std::time::Duration = std::time::Duration::from_hours(24);

/// The prefix for this server's temporary audio file.
pub fn audio_prefix() -> String {
    format!("{AUDIO_PREFIX}{}-", std::process::id())
}

/// Removes the decoded audio that review servers no longer running left in
/// `dir`: a killed server's clean-up never ran, and the file is a client's
/// call. A file whose process is alive is another server's, and stays.
/// Returns how many were removed.
pub fn remove_stale_audio(dir: &std::path::Path) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let processes = std::path::Path::new("/proc/self").exists();
    let mut removed = 0;
    for item in listing.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(AUDIO_PREFIX) else {
            continue;
        };
        let pid = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let stale = match pid {
            Some(pid) if processes => !std::path::Path::new("/proc").join(pid.to_string()).exists(),
            _ => item
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_AUDIO),
        };
        if stale && std::fs::remove_file(item.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[derive(Debug, Error)]
pub enum ReviewError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("the review server stopped: {0}")]
    Serve(std::io::Error),
    #[error("cannot render the review page: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Annotations(#[from] AnnotationError),
}

/// What the page shows and where its labels go.
#[derive(Debug)]
pub struct Session {
    pub analysis: Analysis,
    pub sidecar: Sidecar,
    /// The key of the transcript in the sidecar (see [`Sidecar::record_call`]).
    pub call_key: String,
    pub coach: String,
    /// The call's audio, every track mixed, as a WAV file (none for a call
    /// read from a transcript).
    pub audio: Option<PathBuf>,
}

/// A bound, not yet serving, review server.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    token: String,
}

impl Server {
    /// Listens on 127.0.0.1 (port 0: any free port).
    pub fn bind(port: u16) -> Result<Self, ReviewError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .map_err(|source| ReviewError::Bind { port, source })?;
        Ok(Self {
            listener,
            token: annotations::random_id(16)?,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map_or(0, |a| a.port())
    }

    /// The address to open, token included.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port(), self.token)
    }

    /// Serves until `shutdown` completes.
    pub fn run(
        self,
        session: Session,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ReviewError> {
        let nonce = annotations::random_id(16)?;
        let html = render(&session, &self.token, &nonce)?;
        let state = Arc::new(AppState {
            host: format!("127.0.0.1:{}", self.port()),
            token: self.token,
            nonce,
            page: html,
            session,
        });
        let mut app = Router::new()
            .route("/", get(page))
            .route("/api/labels", get(list_labels).post(add_label));
        if let Some(audio) = &state.session.audio {
            app = app.route_service("/audio.wav", ServeFile::new(audio));
        }
        let app = app
            .fallback(|| async { (StatusCode::NOT_FOUND, "no such page") })
            .layer(middleware::from_fn_with_state(state.clone(), guard))
            .with_state(state);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ReviewError::Serve)?;
        self.listener
            .set_nonblocking(true)
            .map_err(ReviewError::Serve)?;
        runtime.block_on(async move {
            let listener =
                tokio::net::TcpListener::from_std(self.listener).map_err(ReviewError::Serve)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(ReviewError::Serve)
        })
    }
}

#[derive(Debug)]
struct AppState {
    /// The one `Host` accepted.
    host: String,
    token: String,
    nonce: String,
    page: String,
    session: Session,
}

/// Turns away requests without the token or for another host, and puts
/// the security headers on every response.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host_ok = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == state.host);
    let header_token = headers.get("x-rapport-token").and_then(|h| h.to_str().ok());
    let query_token = request
        .uri()
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("token="));
    // Only reads may carry the token in the URL: a change needs the header.
    let given = match *request.method() {
        Method::GET | Method::HEAD => header_token.or(query_token),
        _ => header_token,
    };
    let mut response = if !host_ok {
        (
            StatusCode::FORBIDDEN,
            "rapport review answers 127.0.0.1 only",
        )
            .into_response()
    } else if !given.is_some_and(|t| same(t.as_bytes(), state.token.as_bytes())) {
        (
            StatusCode::FORBIDDEN,
            "open the address rapport review printed: it carries this session's token",
        )
            .into_response()
    } else {
        next.run(request).await
    };
    secure(response.headers_mut(), &state.nonce);
    response
}

/// Compares in time that does not depend on where the strings differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn secure(headers: &mut HeaderMap, nonce: &str) {
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; \
         media-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

async fn page(State(state): State<Arc<AppState>>) -> Html<String> {
    Html(state.page.clone())
}

#[derive(Debug, Serialize)]
struct LabelList<'a> {
    coach: &'a str,
    labels: Vec<Label>,
    /// Lines of the sidecar that could not be read.
    skipped: Vec<annotations::Skipped>,
}

async fn list_labels(State(state): State<Arc<AppState>>) -> Response {
    let session = &state.session;
    match session.sidecar.load() {
        Ok(all) => Json(LabelList {
            coach: &session.coach,
            labels: all
                .labels
                .into_iter()
                .filter(|l| l.call == session.call_key)
                .collect(),
            skipped: all.skipped,
        })
        .into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

/// A label as the page sends it; the server adds who, when and the id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLabel {
    action: Action,
    label: String,
    #[serde(default)]
    previous: Option<String>,
    target: Target,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    rating: Option<Rating>,
}

async fn add_label(State(state): State<Arc<AppState>>, Json(new): Json<NewLabel>) -> Response {
    let session = &state.session;
    let id = match annotations::random_id(8) {
        Ok(id) => id,
        Err(err) => return (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    };
    let mut label = Label {
        id,
        at: jiff::Timestamp::now(),
        coach: session.coach.clone(),
        call: session.call_key.clone(),
        action: new.action,
        label: new.label.trim().to_string(),
        previous: new.previous.map(|p| p.trim().to_string()),
        target: new.target,
        comment: new.comment.trim().to_string(),
        rating: new.rating,
    };
    if let Err(err) = annotations::check(&mut label, &session.analysis.call) {
        return (StatusCode::BAD_REQUEST, err.to_string()).into_response();
    }
    match session.sidecar.record_label(&label) {
        Ok(()) => (StatusCode::CREATED, Json(label)).into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    title: String,
    subtitle: String,
    coach: &'a str,
    sidecar: String,
    token: &'a str,
    nonce: &'a str,
    has_audio: bool,
    timeline_height: f64,
    rows: Vec<html::Row>,
    utterances: Vec<UtteranceView>,
    vocabulary: &'static [&'static str],
}

struct UtteranceView {
    index: usize,
    start: String,
    end: String,
    when: String,
    speaker: String,
    role: &'static str,
    text: String,
    /// Labels the detectors put here (the coach can confirm or reject them).
    detected: Vec<&'static str>,
    /// Evidence on it that gives no label (a monologue, a quick reply),
    /// `signal/kind`.
    other: Vec<String>,
}

fn render(session: &Session, token: &str, nonce: &str) -> Result<String, ReviewError> {
    let analysis = &session.analysis;
    let call = &analysis.call;
    let detected = eval::labels_from(&analysis.signals, call.utterances.len());
    let (rows, _) = html::timeline(analysis, &[], Lang::En);
    let utterances = call
        .utterances
        .iter()
        .enumerate()
        .map(|(i, u)| UtteranceView {
            index: i,
            start: format!("{:.2}", u.start),
            end: format!("{:.2}", u.end),
            when: timestamp(u.start),
            speaker: speaker_label(call, &u.speaker, Lang::En),
            role: match call.participant(&u.speaker).map(|p| p.person.role) {
                Some(Role::Consultant) => "consultant",
                Some(Role::Client) => "client",
                _ => "other",
            },
            text: u.text.clone(),
            detected: detected[i].iter().copied().collect(),
            other: analysis
                .signals
                .iter()
                .flat_map(|s| {
                    s.evidence
                        .iter()
                        .filter(move |e| e.utterance == i && eval::labels_of(&s.id, e).is_empty())
                        .map(move |e| format!("{}/{}", s.id, e.kind))
                })
                .collect(),
        })
        .collect();
    let page = ReviewPage {
        title: call.recording.inputs.join(", "),
        subtitle: format!(
            "{} · score {}",
            timestamp(call.duration),
            crate::report::score_text(analysis.score.overall, Lang::En)
        ),
        coach: &session.coach,
        sidecar: session.sidecar.path().display().to_string(),
        token,
        nonce,
        has_audio: session.audio.is_some(),
        timeline_height: call.participants.len().max(1) as f64 * html::ROW_HEIGHT + 6.0,
        rows,
        utterances,
        vocabulary: &annotations::VOCABULARY,
    };
    Ok(page.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Rubric;
    use crate::signals::testing;

    fn session(dir: &std::path::Path) -> Session {
        let call = testing::call(&[
            (
                Role::Client,
                0.0,
                "</script><script>alert(1)</script> & more",
            ),
            (
                Role::Consultant,
                4.0,
                "What worries you most about the move?",
            ),
        ]);
        let sidecar = Sidecar::new(dir.join("c.annotations.jsonl"));
        let call_key = sidecar.record_call(&call, vec![], vec![]).unwrap();
        Session {
            analysis: crate::analyze(
                call,
                &Rubric::default_rubric(),
                &crate::detectors::Detectors::Rules,
                crate::l10n::ReportLanguage::Auto,
            ),
            sidecar,
            call_key,
            coach: "dana".into(),
            audio: None,
        }
    }

    #[test]
    fn what_was_said_cannot_become_script() {
        let dir = tempfile::tempdir().unwrap();
        let page = render(&session(dir.path()), "tok", "nonce1").unwrap();
        assert!(!page.contains("<script>alert"), "unescaped transcript");
        assert_eq!(page.matches("<script").count(), 1, "one script, ours");
        assert!(page.contains("<script nonce=\"nonce1\">"));
        for external in ["http://", "https://", "src=\"/", "@import", "url("] {
            assert!(!page.contains(external), "the page loads {external}");
        }
        // The detected open question is offered for confirmation.
        assert!(page.contains("data-label=\"question.open\""), "{page}");
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }

    #[test]
    fn the_server_binds_loopback_only() {
        let server = Server::bind(0).unwrap();
        let addr = server.listener.local_addr().unwrap();
        assert!(addr.ip().is_loopback());
        assert!(server.url().starts_with("http://127.0.0.1:"));
        assert_eq!(server.token.len(), 32);
    }

    #[test]
    fn audio_left_by_servers_no_longer_running_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join(format!("{}abc.wav", audio_prefix()));
        // No process has this id: Linux ids stop at 2^22.
        let killed = dir.path().join(format!("{AUDIO_PREFIX}99999999-abc.wav"));
        let old_unnamed = dir.path().join(format!("{AUDIO_PREFIX}xyz.wav"));
        let new_unnamed = dir.path().join(format!("{AUDIO_PREFIX}uvw.wav"));
        let other = dir.path().join("someone-else.wav");
        for path in [&mine, &killed, &old_unnamed, &new_unnamed, &other] {
            std::fs::write(path, b"RIFF").unwrap();
        }
        std::fs::File::options()
            .write(true)
            .open(&old_unnamed)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - STALE_AUDIO * 2)
            .unwrap();
        assert_eq!(remove_stale_audio(dir.path()), 2);
        assert!(mine.exists() && new_unnamed.exists() && other.exists());
        assert!(!killed.exists() && !old_unnamed.exists());
    }
}
