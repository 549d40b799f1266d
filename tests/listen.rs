//! `kenar-chat listen`: what Divar sends reaches the app exactly, the app's answer comes
//! back, strangers are refused, and hostile or slow callers and apps break nothing.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use predicates::prelude::*;

use crate::common::listen::{KEY, Listen, answer, fixture};
use crate::common::{Reply, TestServer, agent, free_port, kenar};

#[test]
fn an_event_reaches_the_app_exactly_and_its_answer_comes_back() {
    let app = TestServer::start(|_, _| Reply::json(200, r#"{"seen":true}"#));
    let listen = Listen::start(&["--forward-to", &format!("{}/hook", app.url())]);
    let body = fixture("NEW_MESSAGE");
    let (status, answer) = listen.deliver(&body);
    assert_eq!((status, answer.as_str()), (200, r#"{"seen":true}"#));
    let received = app.only_request();
    assert_eq!(
        (received.method.as_str(), received.path.as_str()),
        ("POST", "/hook")
    );
    assert_eq!(received.body, body);
    assert_eq!(received.header("authorization"), Some(KEY));
    assert_eq!(received.header("content-type"), Some("application/json"));
    let came = listen.next_line();
    assert_eq!(came["direction"], "in");
    assert_eq!(came["name"], "NEW_MESSAGE");
    assert_eq!(came["conversation"], "edbb9499-cccc-4d35-b21f-621fa95f2b3e");
    assert_eq!(came["side"], "SELLER/BOT");
    assert_eq!(came["excerpt"], "Hello!");
    let went = listen.next_line();
    assert_eq!(went["direction"], "out");
    assert_eq!(went["status"], 200);
    assert_eq!(went["to"], format!("{}/hook", app.url()));
    assert_eq!(went["id"], came["id"]);
    let records = listen.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], came["id"]);
    assert_eq!(records[0]["body"].as_str().unwrap().as_bytes(), body);
    assert!(
        !serde_json::to_string(&records[0]).unwrap().contains(KEY),
        "the log keeps the key: {}",
        records[0]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&listen.log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_nothing_is_forwarded() {
    let app = TestServer::success();
    let listen = Listen::start(&["--forward-to", &app.url()]);
    let body = fixture("NEW_MESSAGE");
    for headers in [
        vec![("authorization", "not-the-key")],
        vec![("authorization", &*format!("Bearer {KEY}"))],
        vec![],
    ] {
        let (status, answer) = listen.post("/divar/events", &headers, &body);
        assert_eq!(status, 401, "{headers:?}: {answer}");
        assert!(answer.contains("identification key"), "{answer}");
        let line = listen.next_line();
        assert_eq!(
            (line["direction"].as_str(), line["status"].as_u64()),
            (Some("out"), Some(401))
        );
    }
    assert!(app.requests().is_empty(), "forwarded: {:?}", app.requests());
    assert!(
        listen.records().is_empty(),
        "recorded: {:?}",
        listen.records()
    );
}

#[test]
fn calls_go_to_their_own_target_re_keyed_and_the_url_comes_back() {
    let events = TestServer::success();
    let actions =
        TestServer::start(|_, _| Reply::json(200, r#"{"url":"https://app.example/landing?x=1"}"#));
    let listen = Listen::start_with(
        &[
            "-f",
            &events.url(),
            "--forward-actions-to",
            &format!("{}/divar/session", actions.url()),
            "-H",
            "X-Stage: local",
        ],
        &[
            ("KENAR_IDENTIFICATION_KEY", KEY),
            ("KENAR_FORWARD_KEY", "local-app-key"),
        ],
    );
    let body = fixture("SERVER_LINK");
    let (status, answer) = listen.post(
        "/divar/server-link",
        &[
            ("content-type", "application/json"),
            ("authorization", KEY),
            ("API_VERSION", "2"),
        ],
        &body,
    );
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"url":"https://app.example/landing?x=1"}"#)
    );
    assert!(events.requests().is_empty());
    let received = actions.only_request();
    assert_eq!(received.path, "/divar/session");
    assert_eq!(received.body, body);
    assert_eq!(received.header("authorization"), Some("local-app-key"));
    assert_eq!(received.header("api_version"), Some("2"));
    assert_eq!(received.header("x-stage"), Some("local"));
    let came = listen.next_line();
    assert_eq!(
        (came["name"].as_str(), came["api_version"].as_str()),
        (Some("SERVER_LINK"), Some("2"))
    );
    let dynamic = fixture("DYNAMIC_ACTION");
    listen.deliver(&dynamic);
    assert_eq!(actions.requests()[1].body, dynamic);
}

#[test]
fn events_not_asked_for_are_recorded_and_answered_but_not_forwarded() {
    let app = TestServer::success();
    let listen = Listen::start(&[
        "-f",
        &app.url(),
        "--events",
        "NEW_CHATBOT_MESSAGE,POST_UPDATE",
    ]);
    assert_eq!(
        listen.deliver(&fixture("NEW_MESSAGE")),
        (200, "{}".to_owned())
    );
    assert!(app.requests().is_empty());
    assert_eq!(listen.deliver(&fixture("POST_UPDATE")).0, 200);
    assert_eq!(app.only_request().body, fixture("POST_UPDATE"));
    assert_eq!(listen.records().len(), 2);
}

#[test]
fn hostile_input_gets_a_clear_answer_and_listen_goes_on() {
    let app = TestServer::success();
    let listen = Listen::start(&[
        "-f",
        &app.url(),
        "--max-body",
        "1000",
        "--read-timeout",
        "1",
    ]);
    // Too large, said ahead or found while reading.
    let (status, answer) = listen.deliver(&vec![b' '; 1001]);
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("larger than 1000 bytes"), "{answer}");
    let chunked = listen.raw(
        format!(
            "POST / HTTP/1.1\r\nhost: x\r\nauthorization: {KEY}\r\nconnection: close\r\n\
             transfer-encoding: chunked\r\n\r\n\
             3e8\r\n{}\r\n3e8\r\n{}\r\n0\r\n\r\n",
            "a".repeat(1000),
            "b".repeat(1000)
        )
        .as_bytes(),
    );
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");
    // Not JSON: refused with where and why.
    let (status, answer) = listen.deliver(b"{\"type\": NEW_MESSAGE}");
    assert_eq!(status, 400);
    assert!(
        answer.contains("not JSON: expected value at line 1 column 10"),
        "{answer}"
    );
    assert!(app.requests().is_empty());
    // An event type Divar may add later still reaches the app, and is named so.
    let unknown = br#"{"type":"NEW_REACTION","new_reaction":{}}"#;
    assert_eq!(listen.deliver(unknown).0, 200);
    assert_eq!(app.only_request().body, unknown);
    // Each was logged (the refused with what arrived of them) and said, with its
    // problem, as it came.
    let records = listen.records();
    let bodies: Vec<Option<&str>> = records.iter().map(|r| r["body"].as_str()).collect();
    let chunk = "a".repeat(1000);
    assert_eq!(
        bodies,
        [
            None,
            Some(chunk.as_str()),
            Some("{\"type\": NEW_MESSAGE}"),
            Some(std::str::from_utf8(unknown).unwrap()),
        ]
    );
    let said: Vec<serde_json::Value> = (0..20)
        .map(|_| listen.next_line())
        .take_while(|line| line["id"] != records[3]["id"] || line["direction"] != "out")
        .filter(|line| line["direction"] == "in")
        .collect();
    assert!(
        said[0]["problem"].as_str().unwrap().contains("not JSON"),
        "{said:?}"
    );
    assert_eq!(said[1]["name"], "NEW_REACTION", "{said:?}");
    // Not a POST.
    let get = listen.raw(
        format!("GET / HTTP/1.1\r\nhost: x\r\nauthorization: {KEY}\r\nconnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(get.starts_with("HTTP/1.1 405"), "{get}");
    // A caller that stops halfway through its body is answered 408, and another is
    // served meanwhile.
    let url = listen.url.clone();
    let slow = thread::spawn(move || {
        let address = url.trim_start_matches("http://").to_owned();
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        std::io::Write::write_all(
            &mut stream,
            format!("POST / HTTP/1.1\r\nhost: x\r\nauthorization: {KEY}\r\ncontent-length: 100\r\n\r\n{{\"type\"").as_bytes(),
        )
        .unwrap();
        let mut answer = String::new();
        let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
        answer
    });
    assert_eq!(listen.deliver(&fixture("NEW_CHATBOT_MESSAGE")).0, 200);
    let slow = slow.join().unwrap();
    assert!(slow.starts_with("HTTP/1.1 408"), "{slow}");
    assert!(slow.contains("did not arrive within 1s"), "{slow}");
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    // What listen refused itself is recorded with its answer and what arrived of it.
    let refused: Vec<(String, String, Option<String>, u64, String)> = listen
        .records()
        .into_iter()
        .filter(|r| r.get("refused").is_some())
        .map(|r| {
            let text = |value: &serde_json::Value| value.as_str().map(str::to_owned);
            (
                text(&r["method"]).unwrap(),
                text(&r["path"]).unwrap(),
                text(&r["body"]).map(|body| body.chars().take(7).collect()),
                r["refused"]["status"].as_u64().unwrap(),
                text(&r["refused"]["reason"]).unwrap(),
            )
        })
        .collect();
    let large = "the body is larger than 1000 bytes".to_owned();
    assert_eq!(
        refused,
        [
            (
                "POST".into(),
                "/divar/events".into(),
                None,
                413,
                large.clone()
            ),
            (
                "POST".into(),
                "/".into(),
                Some("aaaaaaa".into()),
                413,
                large
            ),
            (
                "POST".into(),
                "/divar/events".into(),
                Some("{\"type\"".into()),
                400,
                "not JSON: expected value at line 1 column 10".into()
            ),
            (
                "GET".into(),
                "/".into(),
                None,
                405,
                "Divar's requests are POSTs; this one is not".into()
            ),
            (
                "POST".into(),
                "/".into(),
                Some("{\"type\"".into()),
                408,
                "the body did not arrive within 1s".into()
            ),
        ]
    );
}

/// Writes `bytes` to `stream` one at a time, 100 ms apart; how many went before the
/// connection was closed, or `None` when all did.
fn dribble(stream: &mut TcpStream, bytes: &[u8]) -> Option<usize> {
    for (sent, byte) in bytes.iter().enumerate() {
        if stream.write_all(&[*byte]).is_err() {
            return Some(sent);
        }
        thread::sleep(Duration::from_millis(100));
    }
    None
}

#[test]
fn callers_that_dribble_or_say_nothing_are_closed_while_others_are_served() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &app.url(), "--read-timeout", "1"]);
    let address = listen.url.trim_start_matches("http://").to_owned();
    let connect = || {
        let stream = TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    };
    // Connects and sends nothing: closed without an answer.
    let mut silent = connect();
    let idle = thread::spawn(move || {
        let mut answer = Vec::new();
        silent.read_to_end(&mut answer).map(|_| answer)
    });
    // Sends its headers a byte at a time, for 30 s if let.
    let mut slow_head = connect();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: x\r\nauthorization: {KEY}\r\nx-pad: {}",
        "a".repeat(300)
    );
    let headers = thread::spawn(move || dribble(&mut slow_head, head.as_bytes()));
    // Sends its body a byte at a time: answered 408 once the read timeout is over.
    let mut slow_body = connect();
    let mut reader = slow_body.try_clone().unwrap();
    let body = thread::spawn(move || {
        let head = format!(
            "POST / HTTP/1.1\r\nhost: x\r\nauthorization: {KEY}\r\ncontent-length: 300\r\n\r\n"
        );
        slow_body.write_all(head.as_bytes()).unwrap();
        dribble(&mut slow_body, &[b' '; 300])
    });
    let mut answer = Vec::new();
    let _ = reader.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 1s"), "{answer}");
    // Meanwhile, and after, a caller that sends its request is served.
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    assert!(
        body.join().unwrap().is_some(),
        "the slow body was read to its end"
    );
    assert!(
        headers.join().unwrap().is_some(),
        "the slow headers were read to their end"
    );
    let idle = idle.join().unwrap();
    assert!(
        idle.as_ref().is_ok_and(Vec::is_empty),
        "the silent connection was not closed: {idle:?}"
    );
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    assert_eq!(app.requests().len(), 2);
}

#[test]
fn a_slow_or_dead_app_never_holds_up_the_next_request() {
    let app = TestServer::start(|index, _| match index {
        0 => Reply::Hang(Duration::from_secs(5)),
        _ => Reply::json(200, r#"{"n":2}"#),
    });
    let listen = Listen::start(&["-f", &app.url(), "--forward-timeout", "1"]);
    let first = {
        let url = listen.url.clone();
        thread::spawn(move || {
            let request = agent()
                .post(format!("{url}/e"))
                .header("authorization", KEY);
            answer(request.send(&fixture("NEW_MESSAGE")[..]))
        })
    };
    while app.requests().is_empty() {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        listen.deliver(&fixture("NEW_MESSAGE")),
        (200, r#"{"n":2}"#.to_owned())
    );
    let (status, said) = first.join().unwrap();
    assert_eq!(status, 504, "{said}");
    assert!(said.contains("no whole answer within 1s"), "{said}");

    let nobody = format!("http://127.0.0.1:{}/hook", free_port());
    let listen = Listen::start(&["-f", &nobody]);
    let (status, answer) = listen.deliver(&fixture("NEW_MESSAGE"));
    assert_eq!(status, 502);
    assert!(answer.contains("the app cannot be reached"), "{answer}");
}

#[test]
fn a_busy_listen_says_so_at_once() {
    let app = TestServer::start(|index, _| match index {
        0 => Reply::Hang(Duration::from_secs(3)),
        _ => Reply::success(),
    });
    let listen = Listen::start(&["-f", &app.url(), "--max-concurrent", "1"]);
    let url = listen.url.clone();
    let first = thread::spawn(move || {
        let request = agent()
            .post(format!("{url}/e"))
            .header("authorization", KEY);
        answer(request.send(&fixture("NEW_MESSAGE")[..])).0
    });
    while app.requests().is_empty() {
        thread::sleep(Duration::from_millis(10));
    }
    let mut busy = agent()
        .post(format!("{}/e", listen.url))
        .header("authorization", KEY)
        .send(&fixture("NEW_MESSAGE")[..])
        .unwrap();
    assert_eq!(busy.status(), 503);
    assert_eq!(
        busy.headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("1")
    );
    let answer = busy.body_mut().read_to_string().unwrap();
    assert!(answer.contains("busy: 1 requests"), "{answer}");
    assert_eq!(first.join().unwrap(), 502);
}

#[test]
fn only_divar_s_addresses_pass_when_asked() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &app.url(), "--divar-sources-only"]);
    let body = fixture("NEW_MESSAGE");
    let (status, answer) = listen.deliver(&body);
    assert_eq!(status, 403, "{answer}");
    let through = |address: &str| {
        listen.post(
            "/e",
            &[("authorization", KEY), ("x-forwarded-for", address)],
            &body,
        )
    };
    assert_eq!(through("78.111.6.41, 203.0.113.7").0, 403);
    assert_eq!(through("203.0.113.7, 31.214.250.140").0, 200);
    assert_eq!(app.requests().len(), 1);
}

#[test]
fn the_key_comes_from_a_variable_or_a_file_and_never_shows() {
    kenar()
        .arg("listen")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "identification key: missing (set KENAR_IDENTIFICATION_KEY or give --identification-key-file); or give --accept-any-key",
        ));
    kenar()
        .args([
            "listen",
            "--events",
            "NEW_MESAGE",
            "-f",
            "http://example.com/hook",
        ])
        .env("KENAR_IDENTIFICATION_KEY", KEY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--events: \"NEW_MESAGE\" is none of",
        ))
        .stderr(predicate::str::contains(
            "--forward-to: \"http://example.com/hook\" must be an https URL",
        ));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    std::fs::write(&file, format!("{KEY}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let listen = Listen::start_with(&["--identification-key-file", file.to_str().unwrap()], &[]);
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    assert!(
        listen.ready.iter().all(|line| !line.contains(KEY)),
        "{:?}",
        listen.ready
    );
    for _ in 0..2 {
        let line = listen.next_line().to_string();
        assert!(!line.contains(KEY), "{line}");
    }
}

#[test]
fn a_header_that_frames_forwarded_requests_is_refused_at_start() {
    kenar()
        .args(["listen", "--port", "0", "-H", "Content-Length: 2"])
        .env("KENAR_IDENTIFICATION_KEY", KEY)
        // Before the check, listen started and served.
        .timeout(Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'Content-Length: 2' for '--header <NAME: VALUE>'",
        ));
}

#[test]
fn the_caller_is_the_last_address_of_every_forwarded_for_line() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &app.url(), "--divar-sources-only"]);
    let body = fixture("NEW_MESSAGE");
    let through = |lines: &[&str]| {
        let mut headers = vec![("authorization", KEY)];
        headers.extend(lines.iter().map(|line| ("x-forwarded-for", *line)));
        listen.post("/e", &headers, &body).0
    };
    // A tunnel that adds its own line puts the caller it saw last; a forged line before it
    // claims nothing.
    assert_eq!(through(&["78.111.6.41", "203.0.113.9"]), 403);
    assert_eq!(
        through(&["78.111.6.41, 31.214.250.140", "203.0.113.9"]),
        403
    );
    assert_eq!(through(&["78.111.6.41", "203.0.113.9, "]), 403);
    assert_eq!(through(&["203.0.113.9", "10.0.0.1, 78.111.6.42"]), 200);
    assert_eq!(app.requests().len(), 1);
}

#[test]
fn a_key_with_inner_spaces_is_checked_and_a_bad_one_is_one_problem() {
    let key = "the Divar identification key\tset in the Kenar panel";
    let app = TestServer::success();
    let listen = Listen::start_with(&["-f", &app.url()], &[("KENAR_IDENTIFICATION_KEY", key)]);
    let body = fixture("NEW_MESSAGE");
    assert_eq!(listen.post("/e", &[("authorization", key)], &body).0, 200);
    assert_eq!(app.only_request().header("authorization"), Some(key));
    assert_eq!(listen.post("/e", &[("authorization", "the")], &body).0, 401);
    for bad in ["kéy", "line\nbreak", " leading", "trailing\t"] {
        let output = kenar()
            .args(["listen", "--port", "0"])
            .env("KENAR_IDENTIFICATION_KEY", bad)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(
            stderr.starts_with("error: KENAR_IDENTIFICATION_KEY: ") && stderr.lines().count() == 1,
            "{bad:?}: {stderr}"
        );
    }
}

#[test]
fn verbose_logs_each_forwarded_request_with_its_key_masked() {
    let app = TestServer::success();
    let to = format!("{}/hook", app.url());
    let listen = Listen::start(&["-f", &to, "-v"]);
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    let said = listen.notes_until("< HTTP 200 after ").join("\n");
    for line in [
        format!("> POST {to} ["),
        "> authorization: ***".to_owned(),
        "> content-type: application/json".to_owned(),
        format!("> ({} bytes of body)", fixture("NEW_MESSAGE").len()),
    ] {
        assert!(said.contains(&line), "{line:?} not in {said}");
    }
    assert!(!said.contains(KEY), "{said}");
    // stdout keeps its one line in and one out.
    assert_eq!(listen.next_line()["direction"], "in");
    assert_eq!(listen.next_line()["direction"], "out");
}

#[test]
fn a_time_with_a_utc_offset_is_read_and_the_event_forwarded() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &app.url()]);
    let body = br#"{"type":"NEW_MESSAGE","new_message":{"id":"m","conversation":{"id":"c"},"sender":{"side":"BUYER","type":"HUMAN"},"type":"TEXT","sent_at":"2025-07-16T10:41:42+03:30","text":"hi"}}"#;
    let (status, answer) = listen.deliver(body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(app.only_request().body, body);
    let came = listen.next_line();
    assert_eq!(came["name"], "NEW_MESSAGE");
    assert!(came.get("problem").is_none(), "{came}");
}

#[cfg(unix)]
#[test]
fn a_signal_stops_listen_whatever_its_callers_hold() {
    for signal in ["INT", "TERM"] {
        let app = TestServer::start(|_, _| Reply::hang());
        let mut listen = Listen::start(&[
            "-f",
            &app.url(),
            "--read-timeout",
            "3600",
            "--forward-timeout",
            "3600",
        ]);
        // One caller holds a request head it never finishes, another waits for an app that
        // never answers.
        let address = listen.url.trim_start_matches("http://").to_owned();
        let mut half = std::net::TcpStream::connect(&address).unwrap();
        std::io::Write::write_all(&mut half, b"POST /x HTTP/1.1\r\nHost: a\r\n").unwrap();
        let url = listen.url.clone();
        let waiting = thread::spawn(move || {
            agent()
                .post(format!("{url}/e"))
                .header("authorization", KEY)
                .send(&fixture("NEW_MESSAGE")[..])
                .map(|response| response.status().as_u16())
        });
        crate::common::wait_for_requests(&app, 1);
        crate::common::signal(&listen.child, signal);
        let said = listen.notes_until("listen stopped").join("\n");
        assert!(said.contains("cut short"), "{signal}: {said}");
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = listen.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{signal}: listen is still running"
            );
            thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(0), "{signal}");
        // The caller of the hung app got no answer; nothing was sent to the app again.
        assert!(waiting.join().unwrap().is_err());
        assert_eq!(app.requests().len(), 1);
        drop(half);
    }
}

/// `listen` with `args` (its log among them) and `env` besides the key: it ends at once
/// with exit 2 and an error on stderr that says `says`, having listened to nothing.
fn refused_before_listening(args: &[&str], env: &[(&str, &str)], says: &str) {
    kenar()
        .args(["listen", "--port", "0"])
        .args(args)
        .env("KENAR_IDENTIFICATION_KEY", KEY)
        .envs(env.iter().copied())
        .timeout(Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(says));
}

/// A FIFO as the log would take listen's writes until its buffer is full, and then hold
/// every request and the stop for good: it is refused before listen listens, naming the
/// flag, as a device and a directory are.
#[cfg(unix)]
#[test]
fn a_log_that_is_not_a_regular_file_is_refused_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = crate::common::fifo(dir.path());
    for log in [
        fifo.as_path(),
        std::path::Path::new("/dev/null"),
        dir.path(),
    ] {
        let log = log.to_str().unwrap();
        let says = format!("--log: event log {log}: not a regular file");
        refused_before_listening(&["--log", log], &[], &says);
    }
}

/// A forward URL on a port other than the one `--resolve` gives its host is refused before
/// listen listens, as `send` refuses it, not reached through the given address.
#[test]
fn a_forward_to_an_address_given_for_another_port_is_refused_before_listening() {
    let app = TestServer::success();
    let other = free_port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    let forward = format!("https://app.test:{}/", app.port);
    let resolve = format!("app.test:{other}:127.0.0.1");
    let args = [
        "-f",
        &forward,
        "--resolve",
        &resolve,
        "--log",
        log.to_str().unwrap(),
    ];
    let says = format!(
        "--resolve: app.test is given for port {other}, but the request goes to port {}",
        app.port
    );
    refused_before_listening(&args, &[], &says);
    assert_eq!(app.connections(), 0);
}

/// A subscription `--resolve` cannot route is a setting at fault, refused before listen
/// listens rather than tried again for ever.
#[test]
fn a_subscription_to_an_address_given_for_another_port_is_refused_before_listening() {
    let api = TestServer::success();
    let other = free_port();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.jsonl");
    let base = format!("https://api.test:{}", api.port);
    let resolve = format!("api.test:{other}:127.0.0.1");
    let args = [
        "--subscribe",
        "--post-token",
        "AZf3Uqr3",
        "--base-url",
        &base,
        "--resolve",
        &resolve,
        "--log",
        log.to_str().unwrap(),
    ];
    let env = [
        ("KENAR_CONFIG_DIR", dir.path().to_str().unwrap()),
        ("KENAR_API_KEY", "api-key"),
        ("KENAR_ACCESS_TOKEN", "access-token"),
    ];
    let says = format!(
        "--resolve: api.test is given for port {other}, but the request goes to port {}",
        api.port
    );
    refused_before_listening(&args, &env, &says);
    assert_eq!(api.connections(), 0);
}

/// A port in use, or an address this machine does not have, is named by the flag that
/// gave it, as the sandbox names its own.
#[test]
fn a_port_in_use_or_an_address_not_here_is_named_by_its_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for (args, says) in [
        (
            vec!["--port", port.as_str()],
            format!("error: --port {port}: cannot listen on 127.0.0.1:{port} ("),
        ),
        (
            vec!["--port", "0", "--bind", "192.0.2.1"],
            "error: --bind 192.0.2.1: cannot listen on 192.0.2.1:0 (".to_owned(),
        ),
        // A multicast address is refused as an argument, not as a port.
        (
            vec!["--port", "0", "--bind", "ff02::1"],
            "error: --bind ff02::1: cannot listen on [ff02::1]:0 (".to_owned(),
        ),
    ] {
        kenar()
            .arg("listen")
            .args(&args)
            .env("KENAR_IDENTIFICATION_KEY", KEY)
            .timeout(Duration::from_secs(30))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with(says));
    }
}
