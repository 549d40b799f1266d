//! Errors about input a user can act on: the same bad line worded the same, with a real
//! column, as a message file and as a batch line; and a long value quoted as an excerpt,
//! never whole. Nothing is sent in any of these cases.

use std::path::Path;

use crate::common::{self, CONVERSATION, TestServer, args, send_to};

/// The error `send` prints for the message file `path`, and the one `send --batch` prints
/// for the same text as its only line, each as (column, problem).
fn both_ways(server: &TestServer, path: &Path) -> [(String, String); 2] {
    let name = path.display().to_string();
    let run = |flag: &str, code: i32| {
        let output = send_to(&server.url()).arg(flag).arg(path).output().unwrap();
        assert_eq!(output.status.code(), Some(code), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        stderr.lines().next().unwrap_or_default().to_owned()
    };
    let file = run("--file", 2);
    let (column, problem) = file
        .strip_prefix(&format!("error: {name}: line 1 column "))
        .and_then(|rest| rest.split_once(": "))
        .unwrap_or_else(|| panic!("no line and column in {file:?}"));
    let batch = run("--batch", 6);
    let (batch_column, batch_problem) = batch
        .strip_prefix(&format!("error: {name} line 1: column "))
        .and_then(|rest| rest.split_once(": "))
        .unwrap_or_else(|| panic!("no column in {batch:?}"));
    [
        (column.to_owned(), problem.to_owned()),
        (batch_column.to_owned(), batch_problem.to_owned()),
    ]
}

#[test]
fn a_bad_line_reads_the_same_in_a_message_file_and_a_batch() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("message.json");
    let start = format!(r#"{{"conversation_id":"{CONVERSATION}","#);
    // Each line, where its problem is (the column of the last character of `at`, from
    // the right), and the problem.
    for (text, at, problem) in [
        (
            format!(r#"{start}"message":5}}"#),
            r#""message":5"#,
            "message: invalid type: integer `5`, expected a string",
        ),
        (
            r#"["a"]"#.to_owned(),
            "[",
            "must be a JSON object with named fields, not an array",
        ),
        (
            r#""hello""#.to_owned(),
            r#""hello""#,
            "invalid type: string \"hello\", expected a JSON object",
        ),
        (
            format!(r#"{start}"message":"m","message":"n"}}"#),
            r#""message""#,
            "the key \"message\" appears twice in one object",
        ),
        (
            format!(r#"{start}"message":"m","sender_buttons":{{"rows":[["x"]]}}}}"#),
            "[[",
            "sender_buttons.rows[0]: must be a JSON object with named fields, not an array",
        ),
        (
            format!(r#"{start}"message":"m","#),
            r#""m","#,
            "EOF while parsing a value",
        ),
        (
            format!(r#"{start}"message":"m","colour":1}}"#),
            r#""colour""#,
            "colour: unknown field `colour`, expected one of",
        ),
    ] {
        // A file ends with a line break, which is not where it ends too early.
        std::fs::write(&path, format!("{text}\n")).unwrap();
        let [file, batch] = both_ways(&server, &path);
        assert_eq!(file, batch, "{text}");
        let column = text.rfind(at).unwrap() + at.len();
        assert_eq!(file.0, column.to_string(), "{text}: {file:?}");
        assert!(file.1.starts_with(problem), "{text}: {file:?}");
    }
    assert!(server.requests().is_empty());
}

/// A value of 100 KB, with a recognisable start and end.
fn huge(start: &str) -> String {
    format!("{start}{}END", "a".repeat(100_000))
}

#[test]
fn errors_quote_an_excerpt_of_a_long_value() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let conversation = ["--conversation-id", CONVERSATION, "--message", "m"];
    let grid_link = |link: &str| {
        format!(
            r#"{{"conversation_id":"{CONVERSATION}","message":"m","receiver_buttons":{{"rows":[{{"buttons":[{{"icon":"INFO","caption":"c","action":{{"open_direct_link":"{link}"}}}}]}}]}}}}"#
        )
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            args(&[
                &conversation,
                &["--sender-button", &format!("c|INFO|{}", huge("ftp://"))],
            ]),
            "must be an http or https URL, not \"ftp://aaa",
        ),
        (
            args(&[
                &common::CHAT_IDS,
                &[
                    "--message",
                    "m",
                    "--sender-caption",
                    "c",
                    "--sender-icon",
                    "i",
                    "--sender-direct-link",
                    &huge("https://a.example/ "),
                ],
            ]),
            "must not contain whitespace",
        ),
        (
            vec![
                "--file".into(),
                file("link.json", grid_link(&huge("https:///"))),
            ],
            "does not name its host",
        ),
        (
            vec![
                "--file".into(),
                file("key.json", format!(r#"{{"{}":1}}"#, huge("k"))),
            ],
            "unknown field `kaaa",
        ),
        (
            vec![
                "--file".into(),
                file(
                    "type.json",
                    format!(
                        r#"{{"conversation_id":"{CONVERSATION}","message":"m","type":"{}"}}"#,
                        huge("T")
                    ),
                ),
            ],
            "type: must be \"TEXT\", not \"Taaa",
        ),
        (
            vec![
                "--file".into(),
                file(
                    "string.json",
                    format!(r#"{{"sender_buttons":"{}"}}"#, huge("s")),
                ),
            ],
            "invalid type: string \"saaa",
        ),
    ];
    for (args, expected) in cases {
        let output = send_to(&server.url()).args(&args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let shown: String = stderr.chars().take(300).collect();
        assert_eq!(output.status.code(), Some(2), "{shown}");
        assert!(stderr.contains(expected), "{expected:?} not in {shown}");
        assert!(stderr.contains('…') && stderr.contains("aaEND"), "{shown}");
        assert!(stderr.len() < 1000, "{} bytes: {shown}", stderr.len());
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_file_named_in_a_message_file_is_not_blamed_on_a_flag_and_a_long_icon_filter_is_cut() {
    let server = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "plain words").unwrap();
    let message = dir.path().join("message.json");
    let body = serde_json::json!({"conversation_id": CONVERSATION, "image": text});
    std::fs::write(&message, body.to_string()).unwrap();
    let output = send_to(&server.url())
        .arg("--file")
        .arg(&message)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: image: "), "{stderr}");
    let output = send_to(&server.url())
        .args(["--conversation-id", CONVERSATION, "--image"])
        .arg(&text)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .starts_with("error: --image: "),
        "flag"
    );
    assert!(server.requests().is_empty());

    let output = common::kenar()
        .args(["icons", &huge("x")])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        &stderr[..stderr.len().min(300)]
    );
    assert!(stderr.len() < 300 && stderr.contains("aaEND"), "{stderr}");
}

/// Environment variables a case sets, as (name, value).
type Environment = Vec<(&'static str, String)>;

#[test]
fn errors_about_settings_and_flag_values_quote_an_excerpt_of_a_long_value() {
    let server = TestServer::success();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        format!("[profiles.default]\n{} = 1\n", huge("bogus")),
    )
    .unwrap();
    let send = ["send", "--conversation-id", CONVERSATION, "--message", "m"];
    let oauth_url = ["oauth-url", "--client-id", "c", "--post-chats", "p"];
    let owned = |args: &[&str]| args.iter().map(ToString::to_string).collect::<Vec<_>>();
    let with = |args: &[&str], more: &[&str]| owned(&[args, more].concat());
    let cases: Vec<(Environment, Vec<String>, &str)> = vec![
        (
            vec![],
            with(&send, &["--base-url", &format!("http://{}/", huge("h"))]),
            "--base-url: \"http://haaa",
        ),
        (
            vec![("KENAR_API_URL", format!("http://{}/", huge("h")))],
            owned(&send),
            "KENAR_API_URL: \"http://haaa",
        ),
        (
            vec![],
            with(
                &oauth_url,
                &["--redirect-uri", &format!("https://x/{}?", huge("r"))],
            ),
            "--redirect-uri: \"https://x/raaa",
        ),
        (
            vec![],
            with(
                &send,
                &["--base-url", &server.url(), "--resolve", &huge("r")],
            ),
            "is not HOST:PORT:ADDR",
        ),
        (
            vec![("HTTPS_PROXY", format!("gopher://u:pw@{}", huge("p")))],
            with(&send, &["--base-url", "https://example.invalid"]),
            "a proxy URL must be http://",
        ),
        (
            vec![("KENAR_PLATFORM", huge("p"))],
            owned(&["scope", "post", "--post-token", "p"]),
            "KENAR_PLATFORM: must be \"legacy\" or \"current\", not \"paaa",
        ),
        (
            vec![("KENAR_CONFIG_DIR", config.path().display().to_string())],
            owned(&[
                "oauth-url",
                "--post-chats",
                "p",
                "--redirect-uri",
                "https://x/cb",
            ]),
            "TOML parse error at line 2, column 1: unknown field `bogusaaa",
        ),
    ];
    for (env, args, expected) in cases {
        let mut cmd = common::with_credentials();
        for (name, value) in env {
            cmd.env(name, value);
        }
        let output = cmd.args(&args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let shown: String = stderr.chars().take(300).collect();
        assert_eq!(output.status.code(), Some(2), "{shown}");
        assert!(stderr.contains(expected), "{expected:?} not in {shown}");
        // A URL's host is shown lower-cased, as it is sent.
        let end = stderr.to_ascii_lowercase().contains("aaend");
        assert!(stderr.contains('…') && end, "{shown}");
        assert!(stderr.len() < 1000, "{} bytes: {shown}", stderr.len());
    }
    assert!(server.requests().is_empty());
}
