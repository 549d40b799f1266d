//! `kenar-chat send --batch` against a server that misbehaves on purpose (429s without
//! `Retry-After`, dropped and hanging connections, `Retry-After` values that overflow the
//! clock, signals while requests hang): the batch always ends, with a summary that
//! accounts for every line of its input.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{ACCESS_TOKEN, API_KEY, Reply, TestServer};
use serde_json::{Value, json};

/// Longer than any of these batches takes, shorter than a hang: a run killed at this bound
/// fails its test rather than holding up the suite.
const BOUND: Duration = Duration::from_secs(60);

fn lines(count: usize) -> Vec<String> {
    (1..=count)
        .map(|i| {
            json!({"user_id": "u1", "post_token": "AZf3Uqr3", "peer_id": format!("p{i}"),
                   "message": "Shipped"})
            .to_string()
        })
        .collect()
}

fn batch_file(dir: &Path, count: usize) -> std::path::PathBuf {
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, lines(count).join("\n") + "\n").unwrap();
    path
}

/// The batch at `file` against `server`, its summary as JSON on stdout.
fn batch(server: &TestServer, file: &Path) -> assert_cmd::Command {
    let mut cmd = common::kenar();
    cmd.env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &server.url(), "-o", "json", "--batch"])
        .arg(file)
        .timeout(BOUND);
    cmd
}

fn summary(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no summary ({e}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn count(summary: &Value, field: &str) -> u64 {
    summary[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field}: {summary}"))
}

/// Every line read lands in exactly one count.
fn assert_accounted(summary: &Value, lines: u64) {
    assert_eq!(count(summary, "lines"), lines, "{summary}");
    let failed = &summary["failed"];
    let total = [
        "sent",
        "already_sent",
        "invalid",
        "duplicates",
        "in_doubt",
        "not_attempted",
    ]
    .iter()
    .map(|field| count(summary, field))
    .sum::<u64>()
        + ["refused", "rate_limited", "unavailable"]
            .iter()
            .map(|field| count(failed, field))
            .sum::<u64>();
    assert_eq!(total, lines, "{summary}");
}

#[test]
fn a_probe_whose_connection_drops_hands_its_turn_on_and_the_batch_ends() {
    // Two 429s without Retry-After make the batch probe one request at a time; every
    // probe then meets a dropped connection.
    let server = TestServer::script(
        vec![Reply::status(429), Reply::status(429)],
        Reply::dropped(),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 3);
    let out = batch(&server, &file).assert().code(6);
    let summary = summary(out.get_output());
    assert_accounted(&summary, 3);
    // A dropped connection may have delivered its message: each line is in doubt, and no
    // request was sent twice for one line after a drop.
    assert_eq!(count(&summary, "in_doubt"), 3, "{summary}");
    assert_eq!(server.requests().len(), 5, "{summary}");
}

#[test]
fn a_server_that_answers_every_request_429_without_retry_after_stops_the_batch() {
    let server = TestServer::start(|_, _| Reply::status(429));
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 20);
    // Probes go at a growing interval for as long as may be waited, then it stops.
    let out = batch(&server, &file)
        .args(["--max-wait", "2"])
        .assert()
        .code(6);
    let summary = summary(out.get_output());
    assert_accounted(&summary, 20);
    assert_eq!(count(&summary, "sent"), 0, "{summary}");
    assert!(count(&summary["failed"], "rate_limited") >= 1, "{summary}");
    let stopped = summary["stopped"].as_str().unwrap();
    assert!(
        stopped.ends_with("its quota may be spent for the day"),
        "{summary}"
    );
    assert_eq!(summary["learned_quota"], Value::Null, "{summary}");
}

#[test]
fn a_pipe_left_unread_is_said_to_be() {
    let closed = format!("http://127.0.0.1:{}", common::free_port());
    let input = lines(5000).join("\n") + "\n";
    let out = common::kenar()
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["send", "--base-url", &closed, "--retries", "0"])
        .args([
            "--concurrency",
            "1",
            "--unreachable-limit",
            "1",
            "--batch",
            "-",
        ])
        .write_stdin(input)
        .timeout(BOUND)
        .assert()
        .code(6);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(
        stdout.contains("not read       the rest of the input (not a file: not counted)"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("lines not sent; the rest of the input was not read"),
        "{stderr}"
    );
}

#[test]
fn duplicates_of_sent_lines_are_not_counted_as_unsent() {
    // Line 1 is sent, line 2 repeats it, line 3 is refused.
    let server = TestServer::script(vec![Reply::success()], Reply::status(403));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.jsonl");
    let all = lines(2);
    std::fs::write(
        &file,
        [&all[0], &all[0], &all[1]].map(String::as_str).join("\n"),
    )
    .unwrap();
    let out = batch(&server, &file)
        .args(["--concurrency", "1"])
        .assert()
        .code(6);
    let summary = summary(out.get_output());
    assert_eq!(count(&summary, "duplicates"), 1, "{summary}");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("batch incomplete: 1 of 3 lines not sent"),
        "{stderr}"
    );
}

/// How a batch whose first request meets a 429 with a `Retry-After` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// Every line sent: the value is not one (a retry after a backoff), or has passed.
    Sent,
    /// Stopped: the API asks for longer than `--max-wait`.
    Stopped,
    /// Waiting as asked, until a signal ends it.
    Waits,
}

/// Every form a `Retry-After` header can take, sane or not, with `--max-wait 5` and with
/// `--max-wait 1e19`, and how each batch ends.
const RETRY_AFTERS: [(&str, Ends, Ends); 9] = [
    ("18446744073709551615", Ends::Stopped, Ends::Stopped),
    ("99999999999999999999999", Ends::Sent, Ends::Sent),
    ("Fri, 31 Dec 9999 23:59:59 GMT", Ends::Stopped, Ends::Waits),
    ("Thu, 01 Jan 1970 00:00:00 GMT", Ends::Sent, Ends::Sent),
    ("garbage", Ends::Sent, Ends::Sent),
    ("-1", Ends::Sent, Ends::Sent),
    ("1.5", Ends::Sent, Ends::Sent),
    ("", Ends::Sent, Ends::Sent),
    ("1e400", Ends::Sent, Ends::Sent),
];

#[cfg(unix)]
#[test]
fn no_retry_after_value_or_max_wait_crashes_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 3);
    for (value, short, long) in RETRY_AFTERS {
        for (max_wait, ends) in [("5", short), ("1e19", long)] {
            // One 429 with this header, then every line gets through.
            let server = TestServer::script(
                vec![Reply::status(429).with_header("retry-after", value)],
                Reply::success(),
            );
            let mut cmd = batch(&server, &file);
            cmd.args(["--max-wait", max_wait, "--concurrency", "1", "-v"]);
            let output = if ends == Ends::Waits {
                let child = spawn(&cmd);
                common::wait_for_requests(&server, 1);
                std::thread::sleep(Duration::from_millis(200));
                common::signal(&child, "TERM");
                wait_bounded(child)
            } else {
                cmd.output().unwrap()
            };
            let summary = summary(&output);
            assert_accounted(&summary, 3);
            let code = output.status.code();
            match ends {
                Ends::Sent => {
                    assert_eq!(code, Some(0), "{value} {max_wait}: {summary}");
                    assert_eq!(count(&summary, "sent"), 3, "{summary}");
                }
                Ends::Stopped => {
                    assert_eq!(code, Some(6), "{value} {max_wait}: {summary}");
                    let stopped = summary["stopped"].as_str().unwrap();
                    assert!(
                        stopped.contains("the API asks to come back at "),
                        "{stopped}"
                    );
                }
                Ends::Waits => assert_eq!(code, Some(143), "{value} {max_wait}: {summary}"),
            }
        }
    }
}

/// Starts `cmd` (an assert_cmd command) as a child whose output is kept.
fn spawn(cmd: &assert_cmd::Command) -> std::process::Child {
    let mut process = std::process::Command::new(cmd.get_program());
    process.args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(value) => process.env(name, value),
            None => process.env_remove(name),
        };
    }
    process
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// The child's output once it ends; fails the test if it outlives [`BOUND`].
fn wait_bounded(mut child: std::process::Child) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BOUND {
            child.kill().unwrap();
            panic!("the batch did not end after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_signal_ends_a_batch_whose_requests_hang_leaving_them_in_doubt() {
    for (name, code) in [("TERM", 143), ("INT", 130)] {
        let server = TestServer::start(|_, _| Reply::hang());
        let dir = tempfile::tempdir().unwrap();
        let file = batch_file(dir.path(), 10);
        let journal = dir.path().join("journal");
        let mut cmd = batch(&server, &file);
        cmd.args(["--concurrency", "2", "--journal"]).arg(&journal);
        let child = spawn(&cmd);
        common::wait_for_requests(&server, 2);
        common::signal(&child, name);
        let output = wait_bounded(child);
        assert_eq!(output.status.code(), Some(code), "SIG{name}");
        let first = summary(&output);
        assert_accounted(&first, 10);
        assert_eq!(
            first["stopped"],
            format!("interrupted by SIG{name}"),
            "{first}"
        );
        assert_eq!(first["in_doubt"], 2, "{first}");
        assert_eq!(first["in_doubt_lines"], json!([1, 2]), "{first}");
        assert_eq!(first["not_attempted"], 8, "{first}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("line 1: the batch stopped before its request ended"),
            "{stderr}"
        );

        // The journal holds them in doubt: a re-run sends only the other eight.
        let server = TestServer::success();
        let out = batch(&server, &file)
            .arg("--journal")
            .arg(&journal)
            .assert()
            .code(6);
        let second = summary(out.get_output());
        assert_eq!(second["sent"], 8, "{second}");
        assert_eq!(second["in_doubt"], 2, "{second}");
        assert_eq!(server.requests().len(), 8);
    }
}

#[test]
fn a_fixed_window_without_retry_after_is_learned_and_every_line_sent_once() {
    // 5 sends per 0.5 s window, 429 without Retry-After past them.
    let server = TestServer::start(common::fixed_window(5, Duration::from_millis(500), 100));
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 23);
    let out = batch(&server, &file).arg("-v").assert().success();
    let summary = summary(out.get_output());
    assert_eq!(count(&summary, "sent"), 23, "{summary}");
    assert_eq!(summary["learned_quota"]["sends"], 5, "{summary}");
    assert_eq!(summary["learned_quota"]["retry_after"], false, "{summary}");
    let window = summary["learned_quota"]["window_s"].as_f64().unwrap();
    assert!((0.3..=0.7).contains(&window), "{summary}");
    // Every line reached the API once with a 200: the others were 429s, sent again.
    let delivered: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.json()["peer_id"].as_str().unwrap().to_owned())
        .collect();
    for i in 1..=23 {
        let peer = format!("p{i}");
        assert!(delivered.contains(&peer), "{peer} never sent");
    }
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("the API allowed about 5 sends per"),
        "{stderr}"
    );
}

#[test]
fn a_quota_spent_for_the_day_stops_the_batch_with_a_summary() {
    // One window of 3 sends, then nothing for the rest of the day.
    let server = TestServer::start(common::fixed_window(3, Duration::from_secs(3600), 1));
    let dir = tempfile::tempdir().unwrap();
    let file = batch_file(dir.path(), 10);
    let out = batch(&server, &file)
        .args(["--max-wait", "2"])
        .assert()
        .code(6);
    let summary = summary(out.get_output());
    assert_accounted(&summary, 10);
    assert_eq!(count(&summary, "sent"), 3, "{summary}");
    let stopped = summary["stopped"].as_str().unwrap();
    assert!(
        stopped.contains("its quota may be spent for the day"),
        "{summary}"
    );
    assert_eq!(summary["learned_quota"]["sends"], 3, "{summary}");
    let stdout = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(stdout.contains("\"sends\":3"), "{stdout}");
}
