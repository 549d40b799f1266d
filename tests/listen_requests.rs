//! `kenar-chat listen` with each kind of request Divar sends, in its documented shape or
//! off it: what reaches the app, what is said (JSON and text lines), what is recorded,
//! and what goes back.

use serde_json::{Value, json};

use crate::common::listen::{KEY, Listen, fixture};
use crate::common::{Reply, TestServer, agent};

/// The NEW_MESSAGE sample with `message` merged into its `new_message`.
fn new_message(message: Value) -> Vec<u8> {
    let mut body: Value = serde_json::from_slice(&fixture("NEW_MESSAGE")).unwrap();
    let Value::Object(fields) = message else {
        unreachable!()
    };
    let object = body["new_message"].as_object_mut().unwrap();
    object.remove("text");
    object.extend(fields);
    serde_json::to_vec(&body).unwrap()
}

#[test]
fn every_kind_of_message_and_post_change_reaches_the_app_re_keyed_and_is_said() {
    let app = TestServer::success();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("app-key");
    std::fs::write(&key_file, "local-app-key\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let listen = Listen::start(&[
        "-f",
        &app.url(),
        "--forward-key-file",
        key_file.to_str().unwrap(),
    ]);
    let post_update = |kind: &str| {
        json!({"type": "POST_UPDATE", "post_update": {"type": kind, "post": {"token": "gZd7omnS"}}})
            .to_string()
            .into_bytes()
    };
    let cases: [(Vec<u8>, &str, Option<&str>, &str); 9] = [
        (
            new_message(
                json!({"type": "FILE", "sender": {"side": "BUYER", "type": "USER"},
                "file_data": {"link": "https://x/f.pdf", "name": "invoice.pdf", "size_bytes": "2048"}}),
            ),
            "NEW_MESSAGE",
            Some("BUYER/USER"),
            "(file invoice.pdf, 2048 bytes)",
        ),
        (
            new_message(
                json!({"type": "VOICE", "voice_data": {"link": "https://x/v.ogg", "size_bytes": 512}}),
            ),
            "NEW_MESSAGE",
            Some("SELLER/BOT"),
            "(voice https://x/v.ogg, 512 bytes)",
        ),
        (
            new_message(
                json!({"type": "LOCATION", "location_data": {"latitude": 35.7, "longitude": "51.4"}}),
            ),
            "NEW_MESSAGE",
            Some("SELLER/BOT"),
            "(location 35.7, 51.4)",
        ),
        (
            new_message(
                json!({"type": "VIDEO", "video_data": {"link": "https://x/v.mp4",
                "thumbnail_link": "https://x/t.jpg", "size_bytes": "4096"}}),
            ),
            "NEW_MESSAGE",
            Some("SELLER/BOT"),
            "(video https://x/v.mp4, 4096 bytes)",
        ),
        (
            new_message(
                json!({"type": "CONTACT", "contact_data": {"name": "Ali", "phone": "09120000000"}}),
            ),
            "NEW_MESSAGE",
            Some("SELLER/BOT"),
            "(contact 09120000000)",
        ),
        // The chatbot's user has a type and no side.
        (
            fixture("NEW_CHATBOT_MESSAGE"),
            "NEW_CHATBOT_MESSAGE",
            Some("HUMAN"),
            "hello world",
        ),
        (
            post_update("RETIRE"),
            "POST_UPDATE",
            None,
            "RETIRE post gZd7omnS",
        ),
        (
            post_update("ARCHIVE"),
            "POST_UPDATE",
            None,
            "ARCHIVE post gZd7omnS",
        ),
        (
            fixture("USER_ACCESS_REVOCATION"),
            "USER_ACCESS_REVOCATION",
            None,
            "user 6GqmD76dle5NpJySqnBX8seTpt6uVtzqaNTNJU1ettI=",
        ),
    ];
    for (index, (body, name, side, excerpt)) in cases.iter().enumerate() {
        assert_eq!(listen.deliver(body).0, 200, "{name} {excerpt}");
        let received = &app.requests()[index];
        assert_eq!(&received.body, body);
        assert_eq!(received.header("authorization"), Some("local-app-key"));
        let came = listen.next_line();
        assert_eq!(
            (
                came["name"].as_str(),
                came["side"].as_str(),
                came["excerpt"].as_str()
            ),
            (Some(*name), *side, Some(*excerpt)),
            "{came}"
        );
        assert_eq!(came.get("problem"), None, "{came}");
        assert_eq!(listen.next_line()["status"], 200);
    }
}

#[test]
fn a_request_off_its_documented_shape_still_reaches_the_app_with_its_problem_said() {
    let app = TestServer::success();
    let listen = Listen::start(&["-f", &app.url()]);
    let cases: [(Vec<u8>, &str, &str); 6] = [
        (
            br#"{"type":"NEW_MESSAGE","new_message":{"id":7}}"#.to_vec(),
            "NEW_MESSAGE",
            "new_message.id: invalid type",
        ),
        (
            br#"{"type":"NEW_MESSAGE","new_message":{"id":"m","conversation":{"id":"c"},"type":"TEXT","text":"x"}}"#.to_vec(),
            "NEW_MESSAGE",
            "new_message: missing field `sender`",
        ),
        (
            new_message(json!({"type": "FILE", "file_data": {"link": "https://x/f"}})),
            "NEW_MESSAGE",
            "new_message.file_data: missing field `name`",
        ),
        (
            new_message(json!({"type": "TEXT", "text": "x", "sent_at": 1_729_429_926_140_000.5})),
            "NEW_MESSAGE",
            "new_message.sent_at: 1729429926140000.5 is not a time in microseconds",
        ),
        (
            br#"{"touchpoint":["CHAT"]}"#.to_vec(),
            "DYNAMIC_ACTION",
            "touchpoint: invalid type",
        ),
        (
            br#"{"hello":1}"#.to_vec(),
            "",
            "neither an event (no \"type\")",
        ),
    ];
    for (index, (body, name, problem)) in cases.iter().enumerate() {
        assert_eq!(listen.deliver(body).0, 200, "{problem}");
        assert_eq!(&app.requests()[index].body, body);
        let came = listen.next_line();
        assert_eq!(came["name"], *name, "{came}");
        assert!(
            came["problem"].as_str().unwrap().contains(problem),
            "{problem:?} not in {came}"
        );
        assert_eq!(listen.next_line()["status"], 200);
        let record = &listen.records()[index];
        assert_eq!(record["body"].as_str().unwrap().as_bytes(), body);
        assert_eq!(record.get("refused"), None);
    }
    // A refund's negative rials read as they are.
    let refund = br#"{"type":"PAYMENT_TRANSACTION","payment_transaction":{"id":"t","cost_rials":"-250000","state":"TRANSACTION_STATE_REFUNDED"}}"#;
    assert_eq!(listen.deliver(refund).0, 200);
    let came = listen.next_line();
    assert_eq!(
        came["excerpt"],
        "transaction t TRANSACTION_STATE_REFUNDED -250000 rials"
    );
    assert_eq!(came.get("problem"), None, "{came}");
}

#[test]
fn text_lines_say_each_request_and_answer_as_the_readme_shows_them() {
    let app = TestServer::success();
    let hook = format!("{}/divar/events", app.url());
    let listen = Listen::start_as(
        "text",
        &["-f", &hook],
        &[("KENAR_IDENTIFICATION_KEY", KEY)],
        &[],
    );
    let body = new_message(json!({"type": "TEXT", "text": "Hello!",
        "sender": {"side": "BUYER", "type": "HUMAN"}}));
    assert_eq!(listen.deliver(&body).0, 200);
    assert_eq!(
        listen
            .post("/divar/events", &[("authorization", "not-the-key")], &body)
            .0,
        401
    );
    assert_eq!(
        listen
            .deliver(br#"{"type":"NEW_MESSAGE","new_message":{"id":7}}"#)
            .0,
        200
    );
    let id = |index: usize| listen.records()[index]["id"].as_str().unwrap().to_owned();
    // Each line starts with the time to the second, then two spaces.
    let line = || {
        let line = listen.next_text();
        let (time, rest) = line.split_once("  ").unwrap();
        humantime::parse_rfc3339(time).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(time.len(), 20, "{line}");
        rest.to_owned()
    };
    assert_eq!(
        line(),
        format!(
            "--> NEW_MESSAGE [{}] conversation edbb9499-cccc-4d35-b21f-621fa95f2b3e BUYER/HUMAN \"Hello!\"",
            id(0)
        )
    );
    let answered = line();
    let (head, tail) = answered.split_once(" (").unwrap();
    assert_eq!(head, format!("<-- [200] POST {hook}"));
    let (ms, tail) = tail.split_once(" ms) ").unwrap();
    ms.parse::<u64>().unwrap();
    assert_eq!(tail, format!("[{}]", id(0)));
    assert_eq!(
        line(),
        "<-- [401] POST /divar/events: the Authorization header is not the app's \
         identification key"
    );
    // A body that does not read as its type is named by its type, with why.
    let off = line();
    assert!(
        off.starts_with(&format!(
            "--> NEW_MESSAGE [{}] (not a webhook event as Divar sends it: new_message.id: \
             invalid type",
            id(1)
        )),
        "{off}"
    );
}

#[test]
fn accept_any_key_wins_over_a_key_that_is_set_and_says_so() {
    let app = TestServer::success();
    let body = fixture("NEW_MESSAGE");
    for (env, passed_over) in [
        (&[("KENAR_IDENTIFICATION_KEY", KEY)][..], true),
        (&[][..], false),
    ] {
        let listen = Listen::start_with(&["-f", &app.url(), "--accept-any-key"], env);
        let warning = listen
            .ready
            .iter()
            .find(|line| line.starts_with("warning: accepting every request"))
            .unwrap_or_else(|| panic!("{:?}", listen.ready));
        assert_eq!(
            warning.contains("--accept-any-key wins over the identification key that is set"),
            passed_over,
            "{warning}"
        );
        assert!(
            !listen
                .ready
                .iter()
                .any(|line| line.contains("checking Authorization")),
            "{:?}",
            listen.ready
        );
        for headers in [vec![], vec![("authorization", "not-the-key")]] {
            assert_eq!(listen.post("/divar/events", &headers, &body).0, 200);
        }
    }
    let received = app.requests();
    assert_eq!(received.len(), 4);
    assert_eq!(received[0].header("authorization"), None);
    assert_eq!(received[1].header("authorization"), Some("not-the-key"));
}

#[test]
fn a_compressed_answer_goes_back_byte_for_byte_with_its_encoding() {
    const GZIPPED: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x2a\x2d\xca\x51\xb2\x52\xca\x28\x29\x29\x28\xb6\xd2\xd7\x4f\x2c\x28\xd0\x4b\xad\x48\xcc\x2d\xc8\x49\xd5\xcf\x49\xcc\x4b\xc9\xcc\x4b\x57\xaa\x05\x00\x1b\xef\xb4\xa6\x25\x00\x00\x00";
    let app = TestServer::start(|_, request| {
        assert_eq!(request.header("accept-encoding"), Some("gzip"));
        Reply::Respond {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("content-encoding".into(), "gzip".into()),
                ("x-app".into(), "1".into()),
            ],
            body: GZIPPED.to_vec(),
        }
    });
    let listen = Listen::start(&["-f", &app.url()]);
    let mut answer = agent()
        .post(format!("{}/divar/session", listen.url))
        .header("authorization", KEY)
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip")
        .send(&fixture("SERVER_LINK")[..])
        .unwrap();
    assert_eq!(answer.status(), 200);
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    assert_eq!(header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    assert_eq!(header("x-app"), None);
    assert_eq!(answer.body_mut().read_to_vec().unwrap(), GZIPPED);
    assert_eq!(app.only_request().body, fixture("SERVER_LINK"));
}
