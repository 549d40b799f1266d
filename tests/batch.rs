//! `kenar-chat send --batch`: the real binary against a local server, checking what the
//! server received, what the summary says, and what the journal lets a re-run do.

use crate::common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ACCESS_TOKEN, API_KEY, Reply, TestServer, kenar};
use serde_json::{Value, json};

const LINE_TOKEN: &str = "line-token-3c9a1f";

/// A batch line for the chat with peer `peer`.
fn line(peer: &str) -> String {
    json!({"user_id": "u1", "post_token": "AZf3Uqr3", "peer_id": peer, "message": "Shipped"})
        .to_string()
}

fn batch_file(dir: &Path, lines: &[String]) -> std::path::PathBuf {
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn batch(server: &TestServer, file: &Path) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(file);
    cmd
}

fn peers(server: &TestServer) -> Vec<String> {
    let mut peers: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.json()["peer_id"].as_str().unwrap().to_owned())
        .collect();
    peers.sort();
    peers
}

fn summary(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).expect("the summary is one JSON object")
}

/// Starts a batch with a journal in the background, its output discarded: for tests
/// that stop it midway.
fn spawn_journaled(
    server: &TestServer,
    file: &Path,
    journal: &Path,
    concurrency: u16,
) -> std::process::Child {
    common::kenar_process()
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(file)
        .arg("--concurrency")
        .arg(concurrency.to_string())
        .arg("--journal")
        .arg(journal)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn every_line_is_sent_with_its_own_token_or_the_default_one() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let with_button = json!({
        "user_id": "u1", "post_token": "AZf3Uqr3", "peer_id": "p3", "type": "TEXT",
        "message": "Track it",
        "receiver_btn": {"action": "DIRECT_LINK", "data": {"icon_name": "truck",
            "direct_link": "https://shop.example/t/3", "caption": "Track"}},
        "access_token": LINE_TOKEN,
    });
    let file = batch_file(
        dir.path(),
        &[
            line("p1"),
            String::new(),
            line("p2"),
            with_button.to_string(),
        ],
    );
    let out = batch(&server, &file)
        .args(["-o", "json"])
        .assert()
        .success();
    let out = out.get_output();
    assert_eq!(
        summary(&out.stdout),
        json!({"lines": 3, "sent": 3, "already_sent": 0, "invalid": 0, "duplicates": 0,
               "failed": {"refused": 0, "refused_by_recipient": 0, "rate_limited": 0, "unavailable": 0},
               "in_doubt": 0, "in_doubt_lines": [], "not_attempted": 0, "input_unread": false, "learned_quota": null, "stopped": null})
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v2/open-platform/chat/conversation");
        assert_eq!(request.header("x-api-key"), Some(API_KEY));
        let token = if request.json()["peer_id"] == "p3" {
            LINE_TOKEN
        } else {
            ACCESS_TOKEN
        };
        assert_eq!(request.header("x-access-token"), Some(token));
    }
    let p3 = requests
        .iter()
        .find(|r| r.json()["peer_id"] == "p3")
        .unwrap();
    let mut expected = with_button;
    expected.as_object_mut().unwrap().remove("access_token");
    assert_eq!(
        String::from_utf8(p3.body.clone()).unwrap(),
        expected.to_string()
    );
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(LINE_TOKEN) && !text.contains(ACCESS_TOKEN),
            "{text}"
        );
    }
}

#[test]
fn standard_input_works_and_the_text_summary_counts_lines() {
    let server = TestServer::success();
    let input = format!("{}\n{}", line("p1"), line("p2"));
    kenar()
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &server.url(), "--batch", "-"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "lines          2\nsent           2\n",
        ));
    assert_eq!(peers(&server), ["p1", "p2"]);
}

#[test]
fn invalid_lines_are_reported_by_number_and_skipped() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let too_long = format!(
        r#"{{"user_id":"u1","post_token":"T","peer_id":"p9","message":"{}"}}"#,
        "x".repeat(1024 * 1024)
    );
    let file = batch_file(
        dir.path(),
        &[
            r#"{"user_id": "u1","#.into(),
            json!({"user_id": "u1", "post_token": "T", "peer_id": "p2", "message": "m",
                   "colour": "red"})
            .to_string(),
            too_long,
            json!({"user_id": "u1", "post_token": "T", "peer_id": "p4", "message": " ",
                   "access_token": LINE_TOKEN})
            .to_string(),
            line("p5"),
        ],
    );
    let out = batch(&server, &file).assert().code(6);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let name = file.display();
    for expected in [
        format!("{name} line 1: column 17: EOF while parsing a value"),
        format!("{name} line 2: column 70: colour: unknown field `colour`"),
        format!("{name} line 3: longer than 1048576 bytes"),
        format!("{name} line 4: message: must not be blank"),
        "batch incomplete: 4 of 5 lines not sent".into(),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} not in {stderr}");
    }
    assert!(!stderr.contains(LINE_TOKEN), "{stderr}");
    assert_eq!(peers(&server), ["p5"]);
}

#[test]
fn a_line_without_a_token_needs_a_default_one() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &[line("p1")]);
    kenar()
        .env("KENAR_API_KEY", API_KEY)
        .args(["send", "--base-url", &server.url(), "--batch"])
        .arg(&file)
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "line 1: access_token: missing, and neither a default access token nor a stored token \
             for this chat was given",
        ));
    assert!(server.requests().is_empty());
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let server = TestServer::start(|_, request| {
        if request.json()["peer_id"] == "p2" {
            Reply::json(403, r#"{"message":"no scope for this chat"}"#)
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=6).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let out = batch(&server, &file)
        .args(["--fail-fast", "--concurrency", "1", "-o", "json"])
        .assert()
        .code(6)
        .stderr(predicates::str::contains(
            "line 2: the API refused the request (HTTP 403): no scope for this chat",
        ));
    let summary = summary(&out.get_output().stdout);
    assert_eq!(summary["stopped"], "line 2 failed (--fail-fast)");
    assert_eq!(summary["failed"]["refused"], 1);
    assert_eq!(peers(&server), ["p1", "p2"]);
}

#[test]
fn lines_read_ahead_of_an_early_stop_are_counted_as_what_they_are() {
    let server = TestServer::start(|_, request| {
        if request.json()["peer_id"] == "p0" {
            // Slow enough for the reader to queue the lines behind it.
            std::thread::sleep(Duration::from_millis(300));
            Reply::json(400, r#"{"message":"no such peer"}"#)
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let sent: Vec<String> = (1..=40).map(|i| line(&format!("p{i}"))).collect();
    let first = batch_file(dir.path(), &sent);
    batch(&server, &first)
        .arg("--journal")
        .arg(&journal)
        .assert()
        .success();

    // The new first line fails and stops the run while a second new line waits for its
    // turn; every line after those two was sent before.
    let mut lines = vec![line("p0"), line("new")];
    lines.extend(sent);
    let second = batch_file(dir.path(), &lines);
    let out = batch(&server, &second)
        .args([
            "--concurrency",
            "1",
            "--fail-fast",
            "-o",
            "json",
            "--journal",
        ])
        .arg(&journal)
        .assert()
        .code(6);
    let summary = summary(&out.get_output().stdout);
    assert_eq!(summary["failed"]["refused"], 1, "{summary}");
    assert_eq!(summary["not_attempted"], 1, "{summary}");
    assert_eq!(summary["sent"], 0, "{summary}");
    assert_eq!(
        summary["already_sent"].as_u64().unwrap() + 2,
        summary["lines"].as_u64().unwrap(),
        "{summary}"
    );
}

#[test]
fn a_rerun_with_the_journal_skips_what_was_sent_and_retries_what_failed() {
    let refuse = Arc::new(Mutex::new(true));
    let refusing = Arc::clone(&refuse);
    let server = TestServer::start(move |_, request| {
        if request.json()["peer_id"] == "p2" && *refusing.lock().unwrap() {
            Reply::json(403, r#"{"message":"no scope"}"#)
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let file = batch_file(dir.path(), &[line("p1"), line("p2"), line("p3")]);
    batch(&server, &file)
        .arg("--journal")
        .arg(&journal)
        .assert()
        .code(6);
    assert_eq!(peers(&server), ["p1", "p2", "p3"]);

    // Lines are known by content: reordered and extended, only new and failed ones go.
    *refuse.lock().unwrap() = false;
    let file = batch_file(
        dir.path(),
        &[line("p3"), line("p4"), line("p2"), line("p1")],
    );
    let out = batch(&server, &file)
        .args(["-o", "json", "--journal"])
        .arg(&journal)
        .assert()
        .success();
    let summary = summary(&out.get_output().stdout);
    assert_eq!(summary["sent"], 2);
    assert_eq!(summary["already_sent"], 2);
    assert_eq!(peers(&server), ["p1", "p2", "p2", "p3", "p4"]);

    batch(&server, &file)
        .arg("--journal")
        .arg(&journal)
        .assert()
        .success();
    assert_eq!(server.requests().len(), 5);
}

#[test]
fn a_request_without_a_clear_answer_is_held_in_doubt_until_resent_deliberately() {
    let server = TestServer::start(|index, request| {
        if request.json()["peer_id"] == "p2" && index < 3 {
            Reply::Hang(Duration::from_secs(3))
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let mut p2 = serde_json::from_str::<Value>(&line("p2")).unwrap();
    p2["access_token"] = LINE_TOKEN.into();
    let file = batch_file(dir.path(), &[line("p1"), p2.to_string(), line("p3")]);
    let run = |extra: &[&str]| {
        let out = batch(&server, &file)
            .args([
                "--concurrency",
                "1",
                "--timeout",
                "0.5",
                "-o",
                "json",
                "--journal",
            ])
            .arg(&journal)
            .args(extra)
            .assert();
        let out = out.get_output().clone();
        (out.status.code(), summary(&out.stdout))
    };

    let (code, first) = run(&[]);
    assert_eq!(code, Some(6));
    assert_eq!(first["in_doubt"], 1);
    assert_eq!(first["in_doubt_lines"], json!([2]));
    assert_eq!(peers(&server), ["p1", "p2", "p3"]);

    let (code, second) = run(&[]);
    assert_eq!(code, Some(6));
    assert_eq!(
        (
            second["already_sent"].clone(),
            second["in_doubt_lines"].clone()
        ),
        (json!(2), json!([2]))
    );
    assert_eq!(server.requests().len(), 3, "nothing is sent again");

    let (code, third) = run(&["--resend-in-doubt"]);
    assert_eq!(code, Some(0));
    assert_eq!(third["sent"], 1);
    assert_eq!(peers(&server), ["p1", "p2", "p2", "p3"]);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("x-access-token"), Some(LINE_TOKEN));

    let journal = std::fs::read_to_string(&journal).unwrap();
    assert!(!journal.contains(LINE_TOKEN) && !journal.contains(ACCESS_TOKEN));
}

#[test]
fn a_redirected_line_is_held_in_doubt_and_not_sent_again() {
    // A 303 is the usual answer to a POST that was acted on: the server had the message.
    let server = TestServer::start(|_, request| {
        if request.json()["peer_id"] == "p2" {
            Reply::json(303, "").with_header("location", "http://127.0.0.1:9/done")
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal");
    let file = batch_file(dir.path(), &[line("p1"), line("p2"), line("p3")]);
    let run = || {
        let out = batch(&server, &file)
            .args(["--retry-unsafe", "-o", "json", "--journal"])
            .arg(&journal)
            .assert();
        let out = out.get_output().clone();
        (out.status.code(), summary(&out.stdout))
    };

    let (code, first) = run();
    assert_eq!(code, Some(6));
    assert_eq!(first["in_doubt_lines"], json!([2]));
    assert_eq!(first["failed"]["unavailable"], 0);
    assert_eq!(
        peers(&server),
        ["p1", "p2", "p3"],
        "a redirect is never retried"
    );

    let (code, second) = run();
    assert_eq!(code, Some(6));
    assert_eq!(second["already_sent"], 2);
    assert_eq!(second["in_doubt_lines"], json!([2]));
    assert_eq!(server.requests().len(), 3, "nothing is sent again");
}

#[test]
fn a_429_pauses_every_request_for_its_retry_after() {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&arrivals);
    let server = TestServer::start(move |index, _| {
        seen.lock().unwrap().push(Instant::now());
        if index == 0 {
            Reply::json(429, r#"{"message":"too many"}"#).with_header("retry-after", "1")
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=8).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let out = batch(&server, &file)
        .args(["--concurrency", "2", "--rate", "6000/min"])
        .assert()
        .success();
    assert_eq!(server.requests().len(), 9);
    let limited = server.requests()[0].json()["peer_id"].clone();
    let number = limited.as_str().unwrap().trim_start_matches('p');
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains(&format!(
            "line {number}: retrying in 1.0 s (attempt 2 of 4): rate limited (HTTP 429)"
        )),
        "{stderr}"
    );
    let again = server
        .requests()
        .iter()
        .filter(|r| r.json()["peer_id"] == limited)
        .count();
    assert_eq!(again, 2, "the line that got the 429 is sent again");
    let arrivals = arrivals.lock().unwrap();
    let first = arrivals[0];
    // Only requests already on their way when the 429 came may arrive during the pause.
    let early = arrivals
        .iter()
        .filter(|at| at.duration_since(first) < Duration::from_millis(900))
        .count();
    assert!(early <= 3, "{early} requests did not wait for the pause");
}

#[test]
fn verbose_logs_every_attempt_by_line_and_quiet_says_nothing_of_retries() {
    let rate_limited_first = |index: usize, _: &_| {
        if index == 0 {
            Reply::json(429, r#"{"message":"too many"}"#).with_header("retry-after", "0")
        } else {
            Reply::success()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &[line("p1"), line("p2")]);

    let server = TestServer::start(rate_limited_first);
    let out = batch(&server, &file)
        .args(["--concurrency", "1", "-v"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    let endpoint = format!("{}/v2/open-platform/chat/conversation", server.url());
    for said in [
        format!("line 1: > POST {endpoint} (attempt 1)"),
        "line 1: > x-api-key: ***".to_owned(),
        "line 1: > x-access-token: ***".to_owned(),
        "line 1: < HTTP 429 after".to_owned(),
        "line 1: retrying in 0.0 s (attempt 2 of 4): rate limited (HTTP 429)".to_owned(),
        format!("line 1: > POST {endpoint} (attempt 2)"),
        format!("line 2: > POST {endpoint} (attempt 1)"),
        "line 2: < HTTP 200 after".to_owned(),
    ] {
        assert!(stderr.contains(&said), "{said:?} missing from:\n{stderr}");
    }
    assert!(
        !stderr.contains(API_KEY) && !stderr.contains(ACCESS_TOKEN),
        "{stderr}"
    );

    let server = TestServer::start(rate_limited_first);
    batch(&server, &file)
        .args(["--concurrency", "1", "-q"])
        .assert()
        .success()
        .stderr("");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn batch_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), &[line("p1")]);
    for args in [
        vec!["--message", "hi"],
        vec!["--dry-run"],
        vec!["--rate", "10/h"],
        vec!["--concurrency", "0"],
    ] {
        kenar()
            .args(["send", "--batch"])
            .arg(&file)
            .args(&args)
            .assert()
            .code(2);
    }
    for flag in [
        "--concurrency=2",
        "--rate=1/s",
        "--journal=j",
        "--fail-fast",
    ] {
        kenar()
            .args(["send", flag, "--message", "hi"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("cannot be used with '--message"));
        kenar()
            .args(["send", flag])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("--batch"));
    }
    kenar()
        .args(["send", "--batch"])
        .arg(&file)
        .args(["--rate", "10/h"])
        .assert()
        .stderr(predicates::str::contains("expected N/s or N/min"));
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "keep me\n").unwrap();
    kenar()
        .env("KENAR_API_KEY", API_KEY)
        .args(["send", "--batch"])
        .arg(&file)
        .arg("--journal")
        .arg(&notes)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a kenar-chat journal"));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me\n");
}

/// A second run on a journal that a run still uses is refused before it sends anything:
/// it would read the lines the first run has not journaled yet as never sent, and send
/// them too.
#[test]
fn a_journal_in_use_by_another_run_is_refused() {
    let server = TestServer::start(|_, _| Reply::Hang(Duration::from_secs(30)));
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=10).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let journal = dir.path().join("journal");
    // One request at a time: most lines are not yet journaled while the first one hangs.
    let mut first = spawn_journaled(&server, &file, &journal, 1);
    let started = Instant::now();
    while server.requests().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "no request");
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = batch(&server, &file)
        .args(["--timeout", "1", "--journal"])
        .arg(&journal)
        .output()
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("in use by another run"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(server.requests().len(), 1);
}

/// Against a server that answers nothing, a batch journals as about to be sent only the
/// lines whose requests are in flight: a process killed then leaves only those in doubt,
/// however long the input.
#[cfg(unix)]
#[test]
fn a_stalled_batch_journals_only_its_requests_in_flight() {
    let server = TestServer::start(|_, _| Reply::Hang(Duration::from_secs(30)));
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=200).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let journal = dir.path().join("journal");
    let mut child = spawn_journaled(&server, &file, &journal, 3);
    let started = Instant::now();
    while server.requests().len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(20), "no requests");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Time for anything else the batch would journal or send.
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let records = std::fs::read_to_string(&journal).unwrap();
    let intents = records.lines().filter(|r| r.starts_with("I ")).count();
    assert_eq!(intents, 3, "{records}");
    assert_eq!(server.requests().len(), 3);
}

/// Kills the sender at random points and resumes it with the same journal each time: in the
/// end every line was delivered exactly once, except lines in doubt, at most once.
#[cfg(unix)]
#[test]
fn killed_and_resumed_batches_deliver_each_line_at_most_once() {
    const LINES: usize = 300;
    let server = TestServer::start(|_, _| {
        std::thread::sleep(Duration::from_millis(3));
        Reply::success()
    });
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=LINES).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let journal = dir.path().join("journal");
    let mut seed = [0u8; 8];
    getrandom::getrandom(&mut seed).unwrap();
    let mut state = u64::from_le_bytes(seed) | 1;
    eprintln!("kill points seed: {state}");
    let mut kills = 0;
    for _ in 0..5 {
        let mut child = spawn_journaled(&server, &file, &journal, 4);
        // xorshift: a kill point between 10 and 150 ms into the run.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::thread::sleep(Duration::from_millis(10 + state % 140));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
    }
    let out = common::kenar_process()
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &server.url(), "-o", "json", "--batch"])
        .arg(&file)
        .arg("--journal")
        .arg(&journal)
        .output()
        .unwrap();
    let summary = summary(&out.stdout);
    assert!(kills > 0, "the batch finished before the first kill");
    let in_doubt: Vec<String> = summary["in_doubt_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("p{n}"))
        .collect();
    assert_eq!(summary["in_doubt"], in_doubt.len(), "{summary}");
    // A kill leaves in doubt at most the requests in flight: the concurrency. A line's
    // outcome is queued to the journal before the intents of the lines that take its place.
    assert!(in_doubt.len() <= kills * 4, "{kills} kills: {summary}");
    assert_eq!(summary["lines"], LINES);
    assert_eq!(
        summary["sent"].as_u64().unwrap()
            + summary["already_sent"].as_u64().unwrap()
            + in_doubt.len() as u64,
        LINES as u64,
        "{summary}"
    );
    let delivered = peers(&server);
    for i in 1..=LINES {
        let peer = format!("p{i}");
        let times = delivered.iter().filter(|p| **p == peer).count();
        if in_doubt.contains(&peer) {
            assert!(times <= 1, "{peer} (in doubt) delivered {times} times");
        } else {
            assert_eq!(times, 1, "{peer} delivered {times} times ({summary})");
        }
    }
}

/// The journal's intents that no outcome follows: the lines it holds in doubt.
fn open_intents(journal: &Path) -> usize {
    let records = std::fs::read_to_string(journal).unwrap();
    let mut open = std::collections::HashSet::new();
    for record in records.lines().skip(1) {
        match record.split_once(' ') {
            Some(("I", id)) => open.insert(id.to_owned()),
            Some((_, id)) => open.remove(id),
            None => false,
        };
    }
    open.len()
}

#[cfg(unix)]
#[test]
fn a_signal_lets_the_requests_in_flight_end_and_a_rerun_sends_the_rest_once() {
    for (name, code) in [("INT", 130), ("TERM", 143)] {
        let server = TestServer::start(|_, _| {
            std::thread::sleep(Duration::from_millis(20));
            Reply::success()
        });
        let dir = tempfile::tempdir().unwrap();
        let lines: Vec<String> = (1..=200).map(|i| line(&format!("p{i}"))).collect();
        let file = batch_file(dir.path(), &lines);
        let journal = dir.path().join("journal");
        let child = common::kenar_process()
            .env("KENAR_API_KEY", API_KEY)
            .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
            .args(["send", "--base-url", &server.url(), "-o", "json", "--batch"])
            .arg(&file)
            .args(["--concurrency", "4", "--journal"])
            .arg(&journal)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        common::wait_for_requests(&server, 10);
        common::signal(&child, name);
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(code), "SIG{name}");
        let first = summary(&output.stdout);
        assert_eq!(
            first["stopped"],
            format!("interrupted by SIG{name}"),
            "{first}"
        );
        assert_eq!(first["in_doubt"], 0, "{first}");
        assert!(first["not_attempted"].as_u64().unwrap() > 0, "{first}");
        assert_eq!(open_intents(&journal), 0);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("stopping: interrupted by SIG{name}")),
            "{stderr}"
        );

        let out = batch(&server, &file)
            .args(["-o", "json", "--journal"])
            .arg(&journal)
            .assert()
            .success();
        let second = summary(&out.get_output().stdout);
        assert_eq!(second["in_doubt"], 0, "{second}");
        assert_eq!(second["already_sent"], first["sent"], "{second}");
        let mut expected: Vec<String> = (1..=200).map(|i| format!("p{i}")).collect();
        expected.sort();
        assert_eq!(peers(&server), expected, "every line exactly once");
    }
}

#[cfg(unix)]
#[test]
fn a_second_signal_ends_at_once_leaving_only_the_requests_in_flight_in_doubt() {
    let server = TestServer::start(|_, _| Reply::Hang(Duration::from_secs(30)));
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=50).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let journal = dir.path().join("journal");
    let mut child = spawn_journaled(&server, &file, &journal, 3);
    common::wait_for_requests(&server, 3);
    common::signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(200));
    common::signal(&child, "INT");
    let started = Instant::now();
    let status = child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(status.code(), Some(130));
    // Given up on, the requests in flight are journaled in doubt: a re-run holds them back.
    assert_eq!(open_intents(&journal), 0);
    let records = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(records.lines().filter(|r| r.starts_with("U ")).count(), 3);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_batch_stops_when_the_api_cannot_be_reached() {
    let closed = format!("http://127.0.0.1:{}", common::free_port());
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=1000).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let out = kenar()
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args([
            "send",
            "--base-url",
            &closed,
            "-o",
            "json",
            "--retries",
            "0",
            "--batch",
        ])
        .arg(&file)
        .args(["--concurrency", "2"])
        .assert()
        .code(6);
    let summary = summary(&out.get_output().stdout);
    assert_eq!(
        summary["stopped"], "the API could not be reached for 5 lines in a row",
        "{summary}"
    );
    let failed = summary["failed"]["unavailable"].as_u64().unwrap();
    assert!((5..=6).contains(&failed), "{summary}");
    // Every line of the file is counted, those never read too.
    assert_eq!(summary["lines"], 1000, "{summary}");
    assert_eq!(
        summary["not_attempted"].as_u64().unwrap() + failed,
        1000,
        "{summary}"
    );
    assert_eq!(summary["input_unread"], false, "{summary}");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.ends_with("error: batch incomplete: 1000 of 1000 lines not sent\n"),
        "{stderr}"
    );
    assert!(stderr.lines().count() <= 20, "{stderr}");
}

#[test]
fn a_429_that_asks_for_more_than_max_wait_stops_the_batch_and_a_rerun_resumes() {
    let server = TestServer::start(|index, _| {
        if index < 3 {
            Reply::json(429, r#"{"message":"daily quota spent"}"#)
                .with_header("retry-after", "3600")
        } else {
            Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=1000).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let journal = dir.path().join("journal");
    let out = batch(&server, &file)
        .args([
            "-o",
            "json",
            "--max-wait",
            "5",
            "--concurrency",
            "3",
            "--journal",
        ])
        .arg(&journal)
        .assert()
        .code(6);
    let first = summary(&out.get_output().stdout);
    let stopped = first["stopped"].as_str().unwrap();
    assert!(
        stopped.contains("rate limited past its retries; the API asks to come back at "),
        "{first}"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "only the requests in flight reached the API"
    );
    assert_eq!(first["sent"], 0, "{first}");
    assert_eq!(open_intents(&journal), 0);
    let out = batch(&server, &file)
        .args(["-o", "json", "--journal"])
        .arg(&journal)
        .assert()
        .success();
    assert_eq!(summary(&out.get_output().stdout)["sent"], 1000);
}

#[test]
fn a_refused_default_token_stops_the_batch_but_a_refused_line_token_does_not() {
    let server = TestServer::always(401, r#"{"message":"token expired"}"#);
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=100).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let out = batch(&server, &file)
        .args(["-o", "json", "--concurrency", "1"])
        .assert()
        .code(6);
    let summary_of = |out: &assert_cmd::assert::Assert| summary(&out.get_output().stdout);
    let first = summary_of(&out);
    assert!(
        first["stopped"].as_str().unwrap().contains("HTTP 401"),
        "{first}"
    );
    assert_eq!(server.requests().len(), 1);

    // Lines with their own token: each refusal is that line's, until 5 in a row suggest
    // the API key itself is refused.
    let server = TestServer::start(|_, request| {
        if request.header("x-access-token") == Some("bad") {
            Reply::json(401, r#"{"message":"token expired"}"#)
        } else {
            Reply::success()
        }
    });
    let own: Vec<String> = (1..=20)
        .map(|i| {
            let token = if i % 2 == 0 { "bad" } else { LINE_TOKEN };
            json!({"user_id": "u1", "post_token": "AZf3Uqr3", "peer_id": format!("p{i}"),
                   "message": "Shipped", "access_token": token})
            .to_string()
        })
        .collect();
    let file = batch_file(dir.path(), &own);
    let out = batch(&server, &file).args(["-o", "json"]).assert().code(6);
    let second = summary_of(&out);
    assert_eq!(second["sent"], 10, "{second}");
    assert_eq!(second["failed"]["refused"], 10, "{second}");
    assert_eq!(second["stopped"], Value::Null, "{second}");
}

#[test]
fn fail_fast_stops_at_the_same_line_every_run_and_sends_nothing_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = (1..=30).map(|i| line(&format!("p{i}"))).collect();
    lines[9] = "{\"user_id\": \"u1\"".into();
    let file = batch_file(dir.path(), &lines);
    let mut outputs = Vec::new();
    for _ in 0..3 {
        let server = TestServer::success();
        let out = batch(&server, &file)
            .args(["-o", "json", "--fail-fast", "--concurrency", "8"])
            .assert()
            .code(6);
        let mut expected: Vec<String> = (1..=9).map(|i| format!("p{i}")).collect();
        expected.sort();
        assert_eq!(peers(&server), expected);
        outputs.push(out.get_output().clone());
    }
    let first = summary(&outputs[0].stdout);
    assert_eq!(
        first["stopped"], "line 10 is invalid (--fail-fast)",
        "{first}"
    );
    assert_eq!(first["not_attempted"], 20, "{first}");
    for output in &outputs[1..] {
        assert_eq!(output.stdout, outputs[0].stdout);
        assert_eq!(output.stderr, outputs[0].stderr);
    }

    // A failure stops it as surely: nothing after the refused line was sent.
    let server = TestServer::start(|_, request| {
        if request.json()["peer_id"] == "p4" {
            Reply::json(403, r#"{"message":"no"}"#)
        } else {
            Reply::success()
        }
    });
    let lines: Vec<String> = (1..=30).map(|i| line(&format!("p{i}"))).collect();
    let file = batch_file(dir.path(), &lines);
    let out = batch(&server, &file)
        .args(["-o", "json", "--fail-fast", "--concurrency", "8"])
        .assert()
        .code(6);
    assert_eq!(
        summary(&out.get_output().stdout)["stopped"],
        "line 4 failed (--fail-fast)"
    );
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn identical_lines_are_one_message() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(
        dir.path(),
        &[line("p1"), line("p2"), line("p1"), line("p1")],
    );
    let out = batch(&server, &file)
        .args(["-o", "json"])
        .assert()
        .success();
    let summary = summary(&out.get_output().stdout);
    assert_eq!(summary["sent"], 2, "{summary}");
    assert_eq!(summary["duplicates"], 2, "{summary}");
    assert_eq!(peers(&server), ["p1", "p2"]);
}

#[test]
fn a_directory_or_a_device_is_no_batch() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    batch(&server, dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is a directory"));
    #[cfg(unix)]
    batch(&server, Path::new("/dev/zero"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("/dev/zero: is a device"));
    batch(&server, &dir.path().join("missing.jsonl"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot open"));
    assert!(server.requests().is_empty());
}
