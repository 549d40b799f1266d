//! A catalogue of malformed input to `kenar-chat send`: message files, flags, IDs, URLs,
//! JSON types, sizes and encodings. Each must exit 2 with a message naming the problem,
//! without panicking and without sending anything. (The basic cases live in
//! tests/send.rs; these are the rest.)

use crate::common;

use std::path::Path;

use common::{ACCESS_TOKEN, API_KEY, PEER, POST, TestServer, USER, kenar};

/// One malformed input: extra arguments, what standard input holds, environment
/// variables to set, and a piece of the expected error.
struct Case {
    args: Vec<String>,
    stdin: Vec<u8>,
    env: Vec<(&'static str, String)>,
    expected: String,
}

fn case(args: &[&str], expected: &str) -> Case {
    Case {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        stdin: Vec::new(),
        env: Vec::new(),
        expected: expected.to_owned(),
    }
}

impl Case {
    fn stdin(mut self, bytes: &[u8]) -> Case {
        self.stdin = bytes.to_vec();
        self
    }

    fn env(mut self, name: &'static str, value: &str) -> Case {
        self.env.push((name, value.to_owned()));
        self
    }
}

/// Writes `content` to `name` in `dir` and returns its path as an argument.
fn file(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

/// A complete message file, with `field` set to the raw JSON `value`.
fn message_with(field: &str, value: &str) -> Vec<u8> {
    format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","message":"hi","{field}":{value}}}"#
    )
    .into_bytes()
}

fn link_button(data: &str) -> String {
    format!(r#"{{"action":"LINK","data":{data}}}"#)
}

#[test]
fn malformed_input_exits_2_names_the_problem_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = format!(
        r#"{{"icon_name":"i","caption":"c","extra_data":{{"k":{}{}}}}}"#,
        "[".repeat(300),
        "]".repeat(300)
    );
    let cases = vec![
        // Message files: encodings and syntax.
        case(
            &["--file", &file(d, "bom.json", b"\xEF\xBB\xBF{}")],
            "byte-order mark",
        ),
        case(
            &[
                "--file",
                &file(d, "latin1.json", b"{\"message\":\"caf\xe9\"}"),
            ],
            "latin1.json: not UTF-8 text (invalid byte at offset 15)",
        ),
        case(
            &["--file", &file(d, "empty.json", b"")],
            "empty.json: line 1 column 0: EOF while parsing",
        ),
        case(
            &["--file", &file(d, "trailing.json", b"{} x")],
            "trailing characters",
        ),
        case(
            &[
                "--file",
                &file(d, "duplicate.json", br#"{"message":"a","message":"b"}"#),
            ],
            "duplicate.json: line 1 column 24: the key \"message\" appears twice in one object",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "deep.json",
                    &message_with("sender_btn", &link_button(&deep)),
                ),
            ],
            "recursion limit exceeded",
        ),
        case(&["--file", d.to_str().unwrap()], "cannot read"),
        // Message files: JSON types and shapes.
        case(
            &["--file", &file(d, "null.json", b"null")],
            "invalid type: null",
        ),
        case(
            &["--file", &file(d, "array.json", b"[]")],
            "array.json: line 1 column 2: must be a JSON object with named fields, not an array",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "button_array.json",
                    &message_with(
                        "sender_btn",
                        r#"["LINK",{"icon_name":"i","caption":"c","extra_data":{}}]"#,
                    ),
                ),
            ],
            "sender_btn: must be a JSON object with named fields, not an array",
        ),
        case(
            &["--file", &file(d, "number_id.json", br#"{"user_id":42}"#)],
            "user_id: invalid type: integer `42`, expected a string",
        ),
        case(
            &[
                "--file",
                &file(d, "object_text.json", br#"{"message":{"text":"x"}}"#),
            ],
            "message: invalid type: map",
        ),
        case(
            &[
                "--file",
                &file(d, "image.json", &message_with("type", r#""IMAGE""#)),
            ],
            r#"type: must be "TEXT", not "IMAGE""#,
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "button_string.json",
                    &message_with("sender_btn", r#""click""#),
                ),
            ],
            "sender_btn: invalid type: string",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "button_field.json",
                    &message_with(
                        "receiver_btn",
                        &link_button(
                            r#"{"icon_name":"i","caption":"c","extra_data":{},"colour":"red"}"#,
                        ),
                    ),
                ),
            ],
            "unknown field `colour`",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "both_links.json",
                    &message_with(
                        "sender_btn",
                        r#"{"data":{"icon_name":"i","caption":"c","extra_data":{},"direct_link":"https://a.example/"}}"#,
                    ),
                ),
            ],
            "sender_btn.data: give either extra_data (LINK) or direct_link (DIRECT_LINK), not both",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "action.json",
                    &message_with(
                        "sender_btn",
                        r#"{"action":"POPUP","data":{"icon_name":"i","caption":"c","extra_data":{}}}"#,
                    ),
                ),
            ],
            "sender_btn.action",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "link_without_data.json",
                    &message_with(
                        "receiver_btn",
                        &link_button(
                            r#"{"icon_name":"i","caption":"c","direct_link":"https://a.example/"}"#,
                        ),
                    ),
                ),
            ],
            "receiver_btn.data.extra_data: missing",
        ),
        case(
            &[
                "--file",
                &file(
                    d,
                    "extra_string.json",
                    &message_with(
                        "sender_btn",
                        &link_button(r#"{"icon_name":"i","caption":"c","extra_data":"x"}"#),
                    ),
                ),
            ],
            "sender_btn.data.extra_data: must be a JSON object, not a string",
        ),
        case(&["--file", "-"], "standard input: not UTF-8 text").stdin(b"{\"message\":\"\xff\"}"),
        case(
            &["--file", "-", "--message-file", "-"],
            "--file and --message-file cannot both read standard input",
        ),
        // Message text files.
        case(
            &["--message-file", &file(d, "text.bin", b"caf\xe9\n")],
            "not UTF-8 text (invalid byte at offset 3)",
        ),
        case(
            &["--message-file", &file(d, "blank.txt", b"\n")],
            "message: must not be blank",
        ),
        case(
            &[
                "--message-file",
                &file(d, "huge.txt", &vec![b'a'; 1024 * 1024 + 1]),
            ],
            "--message-file ",
        ),
        case(
            &["--message-file", "/nonexistent/text.txt"],
            "--message-file /nonexistent/text.txt: cannot open",
        ),
        // IDs and buttons given as flags.
        case(&["--user-id", ""], "user_id: must not be empty"),
        case(
            &["--post-token", "AZf\u{7}3"],
            "post_token: must not contain whitespace or control characters",
        ),
        case(
            &["--peer-id", "peer\nid"],
            "peer_id: must not contain whitespace or control characters",
        ),
        case(
            &[
                "--receiver-caption",
                "c",
                "--receiver-icon",
                "i",
                "--receiver-direct-link",
                "/track/42",
            ],
            "receiver_btn.data.direct_link",
        ),
        case(
            &[
                "--sender-caption",
                "c",
                "--sender-icon",
                "  ",
                "--sender-extra-data",
                "{}",
            ],
            "sender_btn.data.icon_name: must not be blank",
        ),
        case(
            &[
                "--sender-caption",
                "c",
                "--sender-icon",
                "i",
                "--sender-extra-data",
                r#""text""#,
            ],
            "sender_btn.data.extra_data: must be a JSON object, not a string",
        ),
        case(
            &[
                "--sender-direct-link",
                "https://a.example/",
                "--sender-extra-data",
                "{}",
            ],
            "cannot be used with",
        ),
        case(
            &["--message-file", "-", "--message", "x"],
            "cannot be used with",
        ),
        // Connection flags and URLs.
        case(&["--timeout=-1"], "--timeout: must be a positive number"),
        case(
            &["--timeout", "NaN"],
            "--timeout: must be a positive number",
        ),
        case(
            &["--timeout", "soon"],
            "--timeout: must be a positive number of seconds (not \"soon\")",
        ),
        case(
            &["--connect-timeout", "0"],
            "--connect-timeout: must be a positive number",
        ),
        case(
            &["--max-wait=-5"],
            "--max-wait: must be a number of seconds, 0 or more",
        ),
        case(&["--retries=-1"], "invalid value '-1' for '--retries"),
        case(
            &["--cacert", "/nonexistent/ca.pem"],
            "/nonexistent/ca.pem: cannot open",
        ),
        case(
            &["--cacert", &file(d, "ca.pem", b"not a certificate\n")],
            "holds no PEM certificate",
        ),
        case(
            &["--base-url", "ftp://api.divar.ir"],
            "must be an http or https URL",
        ),
        case(
            &["--base-url", "http://api.divar.ir"],
            "--base-url: \"http://api.divar.ir/\" must be an https URL",
        ),
        case(
            &["--base-url", "http://10.0.0.1:8080"],
            "must be an https URL",
        ),
        case(&[], "must be an https URL").env("KENAR_API_URL", "http://example.com"),
        // Credentials.
        case(&[], "KENAR_API_KEY: contains a space").env("KENAR_API_KEY", "two words"),
        case(&["--api-key", ""], "--api-key: must not be empty"),
        case(
            &["--api-key-file", &file(d, "empty-key", b"")],
            "API key file",
        ),
        case(
            &["--access-token-file", "/nonexistent/token"],
            "access token file /nonexistent/token: cannot read",
        ),
        // Usage.
        case(&["--show-secrets"], "--dry-run"),
        case(&["--colour", "red"], "unexpected argument '--colour'"),
        case(&["-o", "yaml"], "invalid value 'yaml'"),
        case(&["-q", "-v"], "cannot be used with"),
    ];
    assert!(cases.len() >= 30);

    let server = TestServer::success();
    let mut failures = Vec::new();
    for case in cases {
        let mut cmd = kenar();
        cmd.arg("send")
            .env("KENAR_API_URL", server.url())
            .env("KENAR_API_KEY", API_KEY)
            .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN);
        for (name, value) in &case.env {
            cmd.env(name, value);
        }
        // Valid values for every flag the case does not set itself.
        let sets = |flag: &str| case.args.iter().any(|a| a == flag);
        for (flag, value) in [
            ("--user-id", USER),
            ("--post-token", POST),
            ("--peer-id", PEER),
            ("--message", "hello"),
        ] {
            let given = sets(flag) || (flag == "--message" && sets("--message-file"));
            if !given {
                cmd.args([flag, value]);
            }
        }
        cmd.args(&case.args).write_stdin(case.stdin.clone());
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() != Some(2)
            || !stderr.contains(&case.expected)
            || stderr.contains("panicked")
        {
            failures.push(format!(
                "{:?}: exit {:?}, expected {:?} in: {stderr}",
                case.args,
                output.status.code(),
                case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(server.requests().is_empty());
}

/// Runs `send` with valid values for the flags `args` leaves out, and checks that it exits
/// 2 with `expected` in its error, without a panic and without sending anything.
fn assert_refused(args: &[&str], env: &[(&str, &str)], expected: &str) {
    let server = TestServer::success();
    let mut cmd = kenar();
    cmd.arg("send")
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN);
    for (name, value) in env {
        cmd.env(name, value);
    }
    for (flag, value) in [
        ("--user-id", USER),
        ("--post-token", POST),
        ("--peer-id", PEER),
    ] {
        if !args.contains(&flag) && !args.contains(&"--file") {
            cmd.args([flag, value]);
        }
    }
    if !args
        .iter()
        .any(|a| a.starts_with("--message") || *a == "--file")
    {
        cmd.args(["--message", "hello"]);
    }
    let output = cmd.args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{args:?}: {expected:?} not in {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(server.requests().is_empty(), "{args:?} sent a request");
}

#[test]
fn direct_links_are_taken_only_as_written() {
    for (link, expected) in [
        ("https:///x", "\"https:///x\" does not name its host"),
        ("https:x", "does not name its host"),
        (" https://a.example/x", "(found U+0020 space)"),
        ("https://a.example/x\n", "(found U+000A line feed)"),
        ("https://a.example/a b", "(found U+0020 space)"),
        ("https://a.example/\u{202E}x", "(found U+202E bidi control)"),
    ] {
        let args = [
            "--receiver-caption",
            "c",
            "--receiver-icon",
            "i",
            "--receiver-direct-link",
            link,
        ];
        assert_refused(&args, &[], "receiver_btn.data.direct_link: ");
        assert_refused(&args, &[], expected);
    }
}

#[test]
fn invisible_characters_in_ids_are_refused_by_name() {
    for (flag, value, expected) in [
        ("--user-id", "e9ba8a81\u{200B}", "user_id: "),
        (
            "--post-token",
            "AZf3\u{202E}Uqr3",
            "(found U+202E bidi control)",
        ),
        (
            "--peer-id",
            "\u{FEFF}1697004f",
            "(found U+FEFF byte-order mark)",
        ),
        ("--peer-id", "a\u{2066}b", "(found U+2066 bidi control)"),
        ("--peer-id", "a b", "(found U+0020 space)"),
    ] {
        assert_refused(&[flag, value], &[], expected);
    }
    let output = kenar()
        .args(["scope", "post", "--post-token", "AZf3\u{200B}Uqr3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("U+200B zero-width space"));
}

#[test]
fn a_byte_order_mark_is_refused_with_one_message_wherever_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let bom = "starts with a UTF-8 byte-order mark; save it as plain UTF-8 without BOM";
    let text = file(dir.path(), "text.txt", b"\xEF\xBB\xBFhello\n");
    assert_refused(&["--message-file", &text], &[], bom);
    let message = file(
        dir.path(),
        "m.json",
        &[
            b"\xEF\xBB\xBF".as_slice(),
            &message_with("type", r#""TEXT""#),
        ]
        .concat(),
    );
    assert_refused(&["--file", &message], &[], bom);
    let key = file(dir.path(), "key", b"\xEF\xBB\xBFkey\n");
    assert_refused(&["--api-key-file", &key], &[], bom);
}

#[test]
fn errors_name_where_the_value_came_from() {
    assert_refused(
        &[],
        &[("KENAR_API_URL", "http://example.com")],
        "KENAR_API_URL: \"http://example.com/\" must be an https URL",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[profiles.default]\napi_url = \"https:///x\"\n",
    )
    .unwrap();
    let output = kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .arg("send")
        .args(common::CHAT_IDS)
        .args(["--message", "m"])
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("api_url under [profiles.default] in the config file"),
        "{stderr}"
    );
    assert_refused(
        &["--sender-caption", "c", "--sender-extra-data", "{}"],
        &[],
        "sender_btn.data.icon_name: missing (give --sender-icon, or set it in --file)",
    );
    assert_refused(
        &["--receiver-icon", "i", "--receiver-caption", "c"],
        &[],
        "(give --receiver-extra-data or --receiver-direct-link, or set it in --file)",
    );
    let string = file(dir.path(), "string.json", br#""hello""#);
    assert_refused(
        &["--file", &string],
        &[],
        "string.json: line 1 column 7: invalid type: string \"hello\", expected a JSON object",
    );
    let truncated = file(dir.path(), "truncated.json", br#"{"user_id": "u", "mess"#);
    assert_refused(
        &["--file", &truncated],
        &[],
        "truncated.json: line 1 column 22: EOF while parsing a string",
    );
    let output = kenar()
        .args(["send", "--timeout", "18446744073709551616", "--dry-run"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "--timeout: must be at most 18446744073709551615 seconds (not \"18446744073709551616\")"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("e19"), "{stderr}");
}
