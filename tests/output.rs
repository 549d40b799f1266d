//! Output that cannot be written: a full disk (`/dev/full`) or a closed pipe as stdout or
//! stderr. The process never panics, and its exit code says whether the work was done.

use crate::common;

use std::fs::File;
use std::process::{Command, Stdio};

use common::{ACCESS_TOKEN, API_KEY, POST, TestServer, kenar_process};

fn full() -> Stdio {
    File::options()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

fn sender(server: &TestServer) -> Command {
    let mut cmd = kenar_process();
    cmd.arg("send")
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(common::CHAT_IDS)
        .args(["--message", "hi"]);
    cmd
}

#[test]
fn a_sent_message_whose_confirmation_cannot_be_written_exits_7() {
    let server = TestServer::success();
    let output = sender(&server).stdout(full()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(
        stderr.contains("error: the message was sent, but saying so failed: cannot write to"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_full_or_closed_stderr_changes_nothing_but_what_is_said() {
    let server = TestServer::success();
    // A warning (the key on the command line) and an answer, with stderr full.
    let output = sender(&server)
        .args(["--api-key", "visible-key"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("sent: "));
    // An error, with stderr a pipe whose reader is gone.
    let mut child = kenar_process()
        .args(["scope", "post", "--post-token", "a b"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(2));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn output_that_cannot_be_written_exits_1_and_a_closed_pipe_is_quiet() {
    for args in [
        &["scope", "post", "--post-token", POST][..],
        &["--help"],
        &["man"],
    ] {
        let output = kenar_process().args(args).stdout(full()).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{stderr}"
        );
    }
    let mut child = kenar_process()
        .args(["man"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty());
}

/// A batch whose stderr is full and whose summary cannot be written still sends every
/// valid line once and journals it, and its exit code says the batch ran.
#[test]
fn a_batch_with_nowhere_to_write_still_journals_what_it_sent() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.jsonl");
    let line = |peer: &str| {
        serde_json::json!({"user_id": "u1", "post_token": POST, "peer_id": peer, "message": "m"})
            .to_string()
    };
    std::fs::write(&file, [line("p1"), "{".into(), line("p2")].join("\n")).unwrap();
    let journal = dir.path().join("journal");
    let batch = || {
        let mut cmd = kenar_process();
        cmd.args(["send", "--base-url", &server.url(), "--batch"])
            .arg(&file)
            .arg("--journal")
            .arg(&journal)
            .env("KENAR_API_KEY", API_KEY)
            .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN);
        cmd
    };
    let status = batch().stdout(full()).stderr(full()).status().unwrap();
    assert_eq!(status.code(), Some(7));
    assert_eq!(server.requests().len(), 2);
    let records = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        records.lines().filter(|r| r.starts_with("S ")).count(),
        2,
        "{records}"
    );
    // The re-run knows both were sent.
    let output = batch().arg("-q").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("already sent   2"));
    assert_eq!(server.requests().len(), 2);
}
