//! Nothing leaves the machine, shown rather than claimed: every command
//! that reads a client's call runs in a network namespace that has only a
//! loopback interface (`unshare -rn`), where any attempt to reach another
//! machine fails, and still does its work; and the release dependency tree
//! holds no HTTP client and no TLS. Model installation, the one step that
//! downloads, is not run here.

use std::path::Path;
use std::process::Command;

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs in the namespace: brings loopback up, checks that the world is
/// out of reach, then analyses, batches, evaluates, exports and reviews
/// (the page fetched over loopback). Any failure stops it.
const SCRIPT: &str = r#"
set -euo pipefail
ip link set lo up
if python3 -c 'import socket; socket.create_connection(("1.1.1.1", 53), timeout=3)' 2>/dev/null; then
  echo "the namespace reaches another machine" >&2; exit 1
fi
"$BIN" analyze samples/call.wav --model "$MODEL" --format json -o "$OUT/analysis.json"
mkdir -p "$OUT/week"
cp tests/fixtures/call.zoom.vtt tests/fixtures/call.teams.vtt "$OUT/week/"
"$BIN" batch "$OUT/week" -o "$OUT/batch" --model "$MODEL" > /dev/null
"$BIN" eval samples/call.annotations.jsonl > "$OUT/eval.txt"
"$BIN" export samples/call.annotations.jsonl --format jsonl --clips "$OUT/clips" > "$OUT/export.jsonl"
"$BIN" review tests/fixtures/call.zoom.vtt --annotations "$OUT/review.jsonl" --coach ns > "$OUT/review.out" 2>/dev/null &
server=$!
for _ in $(seq 100); do grep -q '^open ' "$OUT/review.out" && break; sleep 0.1; done
url=$(sed -n 's/^open //p' "$OUT/review.out")
python3 -c 'import sys, urllib.request; page = urllib.request.urlopen(sys.argv[1], timeout=10).read(); sys.exit(0 if b"call.zoom.vtt" in page else 1)' "$url"
kill "$server"
"#;

#[test]
fn every_command_works_with_no_network_but_loopback() {
    if !Command::new("unshare")
        .args(["-rn", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        // Containers without user namespaces; CI has them (it runs as root).
        eprintln!(
            "skipped: unshare -rn is not available here, so no network namespace can be made"
        );
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let model = project().join("models/ggml-tiny.en-q8_0.bin");
    assert!(
        model.is_file(),
        "{} is missing: run scripts/test",
        model.display()
    );
    let run = Command::new("unshare")
        .args(["-rn", "bash", "-c", SCRIPT])
        .current_dir(project())
        .env("BIN", env!("CARGO_BIN_EXE_rapport"))
        .env("MODEL", &model)
        .env("OUT", out.path())
        .env("RAPPORT_CACHE", cache.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let analysis = std::fs::read_to_string(out.path().join("analysis.json")).unwrap();
    assert!(analysis.contains("\"overall\""));
    for made in ["batch/summary.json", "eval.txt", "export.jsonl"] {
        let len = std::fs::metadata(out.path().join(made)).unwrap().len();
        assert!(len > 0, "{made} is empty");
    }
    assert!(std::fs::read_dir(out.path().join("clips")).unwrap().count() > 0);
}

#[test]
fn the_release_build_holds_no_http_client_and_no_tls() {
    let tree = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal,features",
            "--prefix",
            "none",
        ])
        .current_dir(project())
        .output()
        .unwrap();
    assert!(
        tree.status.success(),
        "{}",
        String::from_utf8_lossy(&tree.stderr)
    );
    let tree = String::from_utf8(tree.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for banned in [
        "reqwest",
        "ureq",
        "isahc",
        "surf",
        "attohttpc",
        "curl",
        "curl-sys",
        "rustls",
        "native-tls",
        "openssl",
        "openssl-sys",
        "tokio-rustls",
        "hyper-rustls",
        "hyper-tls",
        "ring",
        "webpki",
        "h2",
    ] {
        assert!(
            !crates.contains(&banned),
            "{banned} is in the release build"
        );
    }
    // The review server's HTTP stack serves; it cannot make requests.
    for client in ["hyper feature \"client\"", "hyper-util feature \"client\""] {
        assert!(!tree.contains(client), "{client} is enabled");
    }
    assert!(
        tree.contains("hyper feature \"server\""),
        "the check reads the tree it means to"
    );
}
