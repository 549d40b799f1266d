//! `--interactive` driven through a real pseudo-terminal, as a person would type: every
//! answer checked at a local HTTP server, invalid answers asked again, cancelling sending
//! nothing, and the refusal to ask without a terminal.

use crate::common;

use common::{ACCESS_TOKEN, API_KEY, PEER, POST, TestServer, USER, kenar};
use predicates::prelude::*;

#[cfg(unix)]
mod pty {
    use std::process::Command;
    use std::time::{Duration, Instant};

    use expectrl::process::unix::WaitStatus;
    use expectrl::session::OsSession;
    use expectrl::{Eof, Expect as _, Session};

    use super::common::kenar_process;

    pub const DOWN: &str = "\x1b[B";
    pub const ENTER: &str = "\r";
    pub const ESC: &str = "\x1b";
    pub const CTRL_C: &str = "\x03";

    /// How long to wait for the program, generous for a busy machine.
    const TIMEOUT: Duration = Duration::from_secs(60);

    /// kenar-chat on a pseudo-terminal, colours off.
    pub struct Terminal {
        session: OsSession,
        /// Everything the program wrote so far.
        pub screen: String,
    }

    impl Terminal {
        /// Starts kenar-chat on a terminal that echoes, as a person's does. Then "echo off"
        /// tells when the program reads: it turns echo off while it reads a key (raw mode)
        /// or a hidden answer, and back on in between.
        pub fn start(args: &[&str], env: &[(&str, &str)]) -> Terminal {
            let kenar = kenar_process();
            let mut command = Command::new("sh");
            command
                .args(["-c", "stty echo && exec \"$0\" \"$@\""])
                .arg(kenar.get_program())
                .args(args);
            for (name, value) in kenar.get_envs() {
                match value {
                    Some(value) => command.env(name, value),
                    None => command.env_remove(name),
                };
            }
            // The test's own variables last, so that it may set another TERM.
            command
                .env("NO_COLOR", "1")
                .env("TERM", "dumb")
                .envs(env.iter().copied());
            let mut session = Session::spawn(command).expect("start on a pseudo-terminal");
            session.set_expect_timeout(Some(TIMEOUT));
            Terminal {
                session,
                screen: String::new(),
            }
        }

        /// Waits until the program has written `text`.
        pub fn expect(&mut self, text: &str) {
            match self.session.expect(text) {
                Ok(found) => {
                    self.screen
                        .push_str(&String::from_utf8_lossy(found.before()));
                    self.screen.push_str(text);
                }
                Err(e) => panic!("waiting for {text:?}: {e}; screen so far:\n{}", self.screen),
            }
        }

        /// Types `keys` once the program reads them. Keys typed earlier, while the terminal
        /// is still in line mode between two reads, would be handled by the terminal
        /// instead (a backspace erased there, never seen by the program), or thrown away:
        /// a hidden question discards what was typed before it was asked.
        pub fn send(&mut self, keys: &str) {
            let deadline = Instant::now() + TIMEOUT;
            while self
                .session
                .get_process()
                .get_echo()
                .expect("terminal settings")
            {
                assert!(
                    Instant::now() < deadline,
                    "the program never read {keys:?}; screen so far:\n{}",
                    self.screen
                );
                std::thread::sleep(Duration::from_millis(2));
            }
            self.session.send(keys).expect("type");
        }

        /// Types Ctrl-C now, whether or not the program reads: the terminal makes it a
        /// SIGINT.
        pub fn interrupt(&mut self) {
            self.session.send(CTRL_C).expect("type");
        }

        /// Answers the question that shows `prompt`.
        pub fn answer(&mut self, prompt: &str, keys: &str) {
            self.expect(prompt);
            self.send(keys);
        }

        /// Reads the rest of the output and returns the exit code.
        pub fn finish(mut self) -> (i32, String) {
            // At the end of the output, the match is all that was left unread.
            if let Ok(found) = self.session.expect(Eof) {
                self.screen
                    .push_str(&String::from_utf8_lossy(found.as_bytes()));
            }
            match self.session.get_process().wait() {
                Ok(WaitStatus::Exited(_, code)) => (code, self.screen),
                other => panic!("unexpected end {other:?}; screen:\n{}", self.screen),
            }
        }
    }
}

#[cfg(unix)]
use pty::{CTRL_C, DOWN, ENTER, ESC, Terminal};

#[cfg(unix)]
fn api(server: &TestServer) -> [(&'static str, String); 1] {
    [("KENAR_API_URL", server.url())]
}

#[cfg(unix)]
#[test]
fn a_whole_message_answered_at_the_prompts_is_sent_exactly() {
    let server = TestServer::success();
    let env = api(&server);
    let mut term = Terminal::start(
        &["send", "--interactive"],
        &[("KENAR_API_URL", env[0].1.as_str())],
    );
    term.answer("Send to", &format!("{DOWN}{ENTER}"));
    term.answer("User ID", &format!("{USER}\r"));
    term.answer("Post token", &format!("{POST}\r"));
    term.answer("Peer ID", &format!("{PEER}\r"));
    term.answer("Message", "Your order has shipped\r");
    // The sender gets a LINK button, the receiver a DIRECT_LINK one.
    term.answer("Button shown to the sender", &format!("{DOWN}{ENTER}"));
    term.answer("Caption of the sender's button", "Details\r");
    term.answer("Icon name of the sender's button", "info\r");
    term.answer("JSON object", "{\"order\": 42}\r");
    term.answer(
        "Button shown to the receiver",
        &format!("{DOWN}{DOWN}{ENTER}"),
    );
    term.answer("Caption of the receiver's button", "Track it\r");
    term.answer("Icon name of the receiver's button", "truck\r");
    term.answer(
        "URL the receiver's button opens",
        "https://shop.example/track/42\r",
    );
    term.answer("API key (hidden)", &format!("{API_KEY}\r"));
    term.answer("Access token (hidden)", &format!("{ACCESS_TOKEN}\r"));
    term.expect("x-api-key: ***");
    term.expect("x-access-token: ***");
    assert!(server.requests().is_empty(), "sent before confirmation");
    term.answer("Send this message?", "y");
    term.expect("sent: message from");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains(API_KEY), "API key shown:\n{screen}");
    assert!(
        !screen.contains(ACCESS_TOKEN),
        "access token shown:\n{screen}"
    );

    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v2/open-platform/chat/conversation");
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert_eq!(request.header("x-access-token"), Some(ACCESS_TOKEN));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let expected = format!(
        r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"Your order has shipped","sender_btn":{{"action":"LINK","data":{{"icon_name":"info","extra_data":{{"order":42}},"caption":"Details"}}}},"receiver_btn":{{"action":"DIRECT_LINK","data":{{"icon_name":"truck","direct_link":"https://shop.example/track/42","caption":"Track it"}}}}}}"#
    );
    assert_eq!(String::from_utf8_lossy(&request.body), expected);
}

#[cfg(unix)]
#[test]
fn a_conversation_message_with_grids_is_asked_button_by_button() {
    let server = TestServer::success();
    let url = server.url();
    let mut term = Terminal::start(
        &["send", "-i"],
        &[
            ("KENAR_API_URL", url.as_str()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_ACCESS_TOKEN", ACCESS_TOKEN),
        ],
    );
    term.answer("Send to", ENTER);
    term.answer("Conversation ID", &format!("{}\r", common::CONVERSATION));
    term.answer("Message", "Your order has shipped\r");
    // The sender gets one server-link button.
    term.answer(
        "Buttons shown to the sender",
        &format!("{DOWN}{DOWN}{ENTER}"),
    );
    term.answer("Caption of the sender's button 1", "Details\r");
    term.answer("Icon of the sender's button 1", "REAL_STATE\r");
    term.expect("did you mean REAL_ESTATE?");
    term.send(&format!("{}REAL_ESTATE\r", "\x7f".repeat(10)));
    term.answer("JSON object the sender's button 1 hands the app", "[1]\r");
    term.expect("open_server_link.data: must be a JSON object, not an array");
    term.send("\x7f\x7f\x7f{\"order\": 42}\r");
    term.answer("Another button for the sender (1 so far)", ENTER);
    // The receiver gets two direct links.
    for (number, caption) in [(1, "Track it"), (2, "Invoice")] {
        let prompt = if number == 1 {
            "Buttons shown to the receiver".to_owned()
        } else {
            format!("Another button for the receiver ({} so far)", number - 1)
        };
        term.answer(&prompt, &format!("{DOWN}{ENTER}"));
        term.answer(
            &format!("Caption of the receiver's button {number}"),
            &format!("{caption}\r"),
        );
        term.answer(
            &format!("Icon of the receiver's button {number}"),
            "LOCAL_SHIPPING\r",
        );
        term.answer(
            &format!("URL the receiver's button {number} opens"),
            &format!("https://shop.example/{number}\r"),
        );
    }
    term.answer("Another button for the receiver (2 so far)", ENTER);
    term.expect("authorization: Bearer ***");
    assert!(server.requests().is_empty(), "sent before confirmation");
    term.answer("Send this message?", "y");
    term.expect("sent: message in conversation");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains(ACCESS_TOKEN), "{screen}");
    let request = server.only_request();
    assert_eq!(
        request.path,
        format!(
            "/v2/open-platform/conversations/{}/messages",
            common::CONVERSATION
        )
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        String::from_utf8_lossy(&request.body),
        r#"{"type":"TEXT","message":"Your order has shipped","sender_buttons":{"rows":[{"buttons":[{"action":{"open_server_link":{"data":{"order":42}}},"icon":"REAL_ESTATE","caption":"Details"}]}]},"receiver_buttons":{"rows":[{"buttons":[{"action":{"open_direct_link":"https://shop.example/1"},"icon":"LOCAL_SHIPPING","caption":"Track it"},{"action":{"open_direct_link":"https://shop.example/2"},"icon":"LOCAL_SHIPPING","caption":"Invoice"}]}]}}"#
    );
}

#[cfg(unix)]
#[test]
fn only_missing_values_are_asked_and_invalid_ones_asked_again() {
    let server = TestServer::success();
    let url = server.url();
    let mut term = Terminal::start(
        &["send", "-i", "--post-token", POST, "--peer-id", PEER],
        &[
            ("KENAR_API_URL", url.as_str()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_ACCESS_TOKEN", ACCESS_TOKEN),
        ],
    );
    term.answer("User ID", "has:colon\r");
    term.expect("user_id: must not contain ':'");
    term.send("\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f");
    term.send(&format!("{USER}\r"));
    term.answer("Message", "   \r");
    term.expect("message: must not be blank");
    term.send("\x7f\x7f\x7fhello\r");
    term.answer("Button shown to the sender", ENTER);
    term.answer(
        "Button shown to the receiver",
        &format!("{DOWN}{DOWN}{ENTER}"),
    );
    term.answer("Caption of the receiver's button", "Open\r");
    term.answer("Icon name of the receiver's button", "link\r");
    term.answer("URL the receiver's button opens", "ftp://files.example\r");
    term.expect("receiver_btn.data.direct_link: must be an http or https URL");
    term.send(&"\x7f".repeat(19));
    term.send("https://files.example/a\r");
    term.answer("Send this message?", "y");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    let body = server.only_request().json();
    assert_eq!(body["user_id"], USER);
    assert_eq!(body["post_token"], POST);
    assert_eq!(body["message"], "hello");
    assert_eq!(
        body["receiver_btn"]["data"]["direct_link"],
        "https://files.example/a"
    );
    assert!(body.get("sender_btn").is_none(), "{body}");
}

#[cfg(unix)]
fn assert_cancelled(term: Terminal, server: &TestServer) {
    let (code, screen) = term.finish();
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("cancelled; nothing was sent"), "{screen}");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[cfg(unix)]
fn send_with_ids(server: &TestServer) -> Terminal {
    let url = server.url();
    Terminal::start(
        &[["send", "-i"].as_slice(), &common::CHAT_IDS].concat(),
        &[("KENAR_API_URL", url.as_str())],
    )
}

/// `send -i` with the chat's IDs given, `extra` flags, and credentials in the environment.
#[cfg(unix)]
fn send_with_credentials(server: &TestServer, extra: &[&str]) -> Terminal {
    let url = server.url();
    let mut args = vec!["send", "-i"];
    args.extend(common::CHAT_IDS);
    args.extend_from_slice(extra);
    Terminal::start(
        &args,
        &[
            ("KENAR_API_URL", url.as_str()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_ACCESS_TOKEN", ACCESS_TOKEN),
        ],
    )
}

#[cfg(unix)]
#[test]
fn ctrl_c_at_a_question_cancels_and_sends_nothing() {
    let server = TestServer::success();
    let mut term = send_with_ids(&server);
    term.answer("Message", CTRL_C);
    assert_cancelled(term, &server);
}

#[cfg(unix)]
#[test]
fn ctrl_c_at_the_hidden_prompt_cancels_and_sends_nothing() {
    let server = TestServer::success();
    let mut term = send_with_ids(&server);
    term.answer("Message", "hi\r");
    term.answer("Button shown to the sender", ENTER);
    term.answer("Button shown to the receiver", ENTER);
    term.answer("API key (hidden)", CTRL_C);
    assert_cancelled(term, &server);
}

#[cfg(unix)]
#[test]
fn ctrl_c_at_a_list_shows_the_cursor_again() {
    let server = TestServer::success();
    let mut term = send_with_ids(&server);
    term.answer("Message", "hi\r");
    // The list hides the cursor while it is shown.
    term.expect("\x1b[?25lButton shown to the sender");
    term.send(CTRL_C);
    term.expect("\x1b[?25h");
    assert_cancelled(term, &server);
}

#[cfg(unix)]
#[test]
fn esc_at_a_choice_cancels_and_sends_nothing() {
    let server = TestServer::success();
    let mut term = send_with_ids(&server);
    term.answer("Message", "hi\r");
    term.answer("Button shown to the sender", ESC);
    assert_cancelled(term, &server);
}

#[cfg(unix)]
#[test]
fn esc_at_the_confirmation_or_the_scope_list_cancels() {
    let server = TestServer::success();
    let mut term = send_with_credentials(&server, &[]);
    term.answer("Message", "hi\r");
    term.answer("Button shown to the sender", ENTER);
    term.answer("Button shown to the receiver", ENTER);
    term.answer("Send this message?", ESC);
    assert_cancelled(term, &server);

    let mut term = Terminal::start(
        &["oauth-url", "-i", "--client-id", "my-app"],
        &[("KENAR_REDIRECT_URI", "https://app.example/callback")],
    );
    term.answer("Scopes to request", ESC);
    let (code, screen) = term.finish();
    assert_eq!(code, 130, "{screen}");
    assert!(!screen.contains("https://"), "{screen}");
}

#[cfg(unix)]
#[test]
fn no_at_the_confirmation_sends_nothing() {
    let server = TestServer::success();
    let mut term = send_with_credentials(&server, &["--message", "hi"]);
    term.answer("Button shown to the sender", ENTER);
    term.answer("Button shown to the receiver", ENTER);
    term.expect(r#""message":"hi""#);
    term.answer("Send this message?", "n");
    assert_cancelled(term, &server);
}

/// After the last question, the message is on its way: Ctrl-C then cannot say nothing was
/// sent. The request gets a short grace; when it does not end, the message is in doubt.
#[cfg(unix)]
#[test]
fn ctrl_c_while_the_message_is_on_its_way_says_it_may_have_been_delivered() {
    let server = TestServer::start(|_, _| common::Reply::hang());
    let mut term = send_with_credentials(&server, &["--message", "hi"]);
    term.answer("Button shown to the sender", ENTER);
    term.answer("Button shown to the receiver", ENTER);
    term.answer("Send this message?", "y");
    let started = std::time::Instant::now();
    while server.requests().is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "nothing sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    term.interrupt();
    let (code, screen) = term.finish();
    assert_eq!(code, 130, "{screen}");
    assert!(!screen.contains("nothing was sent"), "{screen}");
    assert!(
        screen.contains("error: interrupted by SIGINT; the message (or its file) was on its way and may have been delivered"),
        "{screen}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[cfg(unix)]
#[test]
fn oauth_url_asks_for_the_scopes_and_their_ids() {
    let mut term = Terminal::start(
        &["oauth-url", "-i", "--state", "s1"],
        &[("KENAR_REDIRECT_URI", "https://app.example/callback")],
    );
    term.answer("Client ID", " \r");
    term.expect("client_id: must not be empty");
    term.send("\x7fmy-app\r");
    // One chat and every chat of a post.
    term.answer("Scopes to request", &format!(" {DOWN} {ENTER}"));
    term.answer("User ID", &format!("{USER}\r"));
    term.answer("Post token", &format!("{POST}\r"));
    term.answer("Peer ID", &format!("{PEER}\r"));
    term.answer("Post token (all its chats)", &format!("{POST}\r"));
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    let resource = common::RESOURCE_ID
        .replace('=', "%3D")
        .replace('+', "%2B")
        .replace('/', "%2F");
    assert!(
        screen.contains(&format!(
            "https://open-platform-redirect.divar.ir/oauth?response_type=code&client_id=my-app\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback\
             &scope=CHAT_SEND_MESSAGE_OAUTH__{resource}+CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}\
             &state=s1"
        )),
        "{screen}"
    );
}

#[cfg(unix)]
#[test]
fn oauth_url_asks_for_the_current_platforms_scopes() {
    let mut term = Terminal::start(
        &[
            "oauth-url",
            "-i",
            "--platform",
            "current",
            "--client-id",
            "my-app",
            "--state",
            "s1",
        ],
        &[("KENAR_REDIRECT_URI", "https://app.example/callback")],
    );
    // One conversation, the seller's conversations and a refresh token.
    term.answer(
        "Scopes to request",
        &format!(" {DOWN}{DOWN} {DOWN} {ENTER}"),
    );
    term.answer("Conversation ID", "c-1\r");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(
            "https://oauth.divar.ir/oauth2/auth?response_type=code&client_id=my-app\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback\
             &scope=CONVERSATION_SEND_MESSAGE.c-1+CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND+offline_access\
             &state=s1"
        ),
        "{screen}"
    );
}

#[cfg(unix)]
#[test]
fn scope_asks_for_the_kind_and_its_ids() {
    let mut term = Terminal::start(&["scope", "--interactive", "-o", "json"], &[]);
    term.answer("Scope to compute", ENTER);
    term.answer("User ID", "a:b\r");
    term.expect("user_id: must not contain ':'");
    term.send(&format!("\x7f\x7f\x7f{USER}\r"));
    term.answer("Post token", &format!("{POST}\r"));
    term.answer("Peer ID", &format!("{PEER}\r"));
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!(
            r#""scope":"CHAT_SEND_MESSAGE_OAUTH__{}""#,
            common::RESOURCE_ID
        )),
        "{screen}"
    );

    let mut term = Terminal::start(&["scope", "-i", "-o", "scope"], &[]);
    term.answer("Scope to compute", &format!("{DOWN}{ENTER}"));
    term.answer("Post token (all its chats)", &format!("{POST}\r"));
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}")),
        "{screen}"
    );

    // The current platform's kinds follow the legacy ones.
    let mut term = Terminal::start(&["scope", "-i", "-o", "scope"], &[]);
    term.answer("Scope to compute", &format!("{DOWN}{DOWN}{ENTER}"));
    term.answer("Conversation ID", "c 1\r");
    term.expect("conversation_id: must not contain whitespace");
    term.send("\x7f\x7f\x7fc-1\r");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("CONVERSATION_SEND_MESSAGE.c-1"), "{screen}");

    let mut term = Terminal::start(&["scope", "-i"], &[]);
    term.answer("Scope to compute", ESC);
    let (code, screen) = term.finish();
    assert_eq!(code, 130, "{screen}");
}

#[test]
fn interactive_without_a_terminal_is_refused_and_sends_nothing() {
    let server = TestServer::success();
    kenar()
        .args(["send", "--interactive"])
        .env("KENAR_API_URL", server.url())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--interactive: standard input is not a terminal",
        ));
    kenar()
        .args(["oauth-url", "-i"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a terminal"));
    kenar()
        .args(["scope", "-i"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a terminal"));
    assert!(server.requests().is_empty());
}

#[test]
fn without_interactive_nothing_is_asked_and_every_missing_flag_is_listed() {
    kenar().arg("send").write_stdin("").assert().code(2).stderr(
        predicate::str::contains("--user-id")
            .and(predicate::str::contains("--post-token"))
            .and(predicate::str::contains("--peer-id"))
            .and(predicate::str::contains("--message or --message-file"))
            .and(predicate::str::contains("KENAR_API_KEY"))
            .and(predicate::str::contains("KENAR_ACCESS_TOKEN")),
    );
}

#[cfg(unix)]
#[test]
fn a_medium_is_sent_interactively_without_asking_for_text() {
    let server = TestServer::start(|_, request| {
        if request.path.ends_with("/chat/upload") {
            common::Reply::json(200, r#"{"token":"up-1"}"#)
        } else if request.path.starts_with("/upload/") {
            common::Reply::json(200, r#"{"id":"media-1"}"#)
        } else {
            common::Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("a.png");
    std::fs::write(
        &image,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0",
    )
    .unwrap();
    let url = server.url();
    let image = image.to_str().unwrap();
    let mut term = Terminal::start(
        &[
            "send",
            "-i",
            "--conversation-id",
            common::CONVERSATION,
            "--image",
            image,
        ],
        &[
            ("KENAR_API_URL", url.as_str()),
            ("KENAR_UPLOAD_URL", url.as_str()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_ACCESS_TOKEN", ACCESS_TOKEN),
        ],
    );
    term.answer("Buttons shown to the sender", ENTER);
    term.answer("Buttons shown to the receiver", ENTER);
    term.expect("/upload/image");
    term.expect("(the media token the upload answers with)");
    term.answer("Send this message?", "y");
    term.expect("sent: message in conversation");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("Message:"), "asked for text: {screen}");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[2].json(),
        serde_json::json!({"media_token": "media-1"})
    );
}

#[cfg(unix)]
#[test]
fn a_large_upload_shows_its_progress_on_a_terminal() {
    let server = TestServer::start(|_, request| {
        if request.path.ends_with("/chat/upload") {
            common::Reply::json(200, r#"{"token":"up-1"}"#)
        } else if request.path.starts_with("/upload/") {
            // The bar stays up while the answer is awaited.
            std::thread::sleep(std::time::Duration::from_millis(500));
            common::Reply::json(200, r#"{"id":"media-1"}"#)
        } else {
            common::Reply::success()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("big.mp4");
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    bytes.resize(3_000_000, 7);
    std::fs::write(&video, bytes).unwrap();
    let url = server.url();
    let video = video.to_str().unwrap();
    let mut term = Terminal::start(
        &[
            "send",
            "--conversation-id",
            common::CONVERSATION,
            "--video",
            video,
        ],
        &[
            ("KENAR_API_URL", url.as_str()),
            ("KENAR_UPLOAD_URL", url.as_str()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_ACCESS_TOKEN", ACCESS_TOKEN),
            // A terminal that draws: a dumb one gets no progress bar.
            ("TERM", "xterm"),
        ],
    );
    term.expect("uploading");
    term.expect("sent: message in conversation");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("MiB") || screen.contains("MB"), "{screen}");
}

#[cfg(unix)]
#[test]
fn a_chatbot_message_to_a_user_is_asked_with_every_action_offered() {
    let server =
        TestServer::start(|_, _| common::Reply::json(200, r#"{"conversation_id":"opened-9"}"#));
    let url = server.url();
    let mut term = Terminal::start(
        &["send", "-i"],
        &[
            ("KENAR_API_URL", url.as_str()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_ACCESS_TOKEN", ACCESS_TOKEN),
        ],
    );
    term.answer("Send to", &format!("{DOWN}{DOWN}{DOWN}{ENTER}"));
    term.answer("User ID (the token's own user)", "u-1\r");
    term.answer("Message", "سلام\r");
    term.answer(
        "Buttons shown to the user",
        &format!("{DOWN}{DOWN}{DOWN}{ENTER}"),
    );
    term.answer("Caption of the user's button 1", "Go\r");
    term.answer("Icon of the user's button 1", "INFO\r");
    term.answer(
        "JSON object the user's button 1 hands the app's dynamic-action URL",
        "{\"step\": 1}\r",
    );
    term.answer(
        "Another button for the user (1 so far)",
        &format!("{DOWN}{DOWN}{DOWN}{DOWN}{ENTER}"),
    );
    term.answer("Caption of the user's button 2", "Ad\r");
    term.answer("Icon of the user's button 2", "INFO\r");
    term.answer(
        "Post token of the post whose page the user's button 2 opens",
        " \r",
    );
    term.expect("open_post_page.post_token: must not be empty");
    term.send("\x7fAZf3Uqr3\r");
    term.answer("Another button for the user (2 so far)", ENTER);
    term.answer("Send this message?", "y");
    term.expect("sent: chatbot message in conversation opened-9");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    let request = server.only_request();
    assert_eq!(
        request.path,
        "/v1/open-platform/chat/bot/users/u-1/messages"
    );
    assert_eq!(
        String::from_utf8_lossy(&request.body),
        r#"{"text_message":"سلام","buttons":{"rows":[{"buttons":[{"action":{"get_dynamic_action":{"data":{"step":1}}},"icon":"INFO","caption":"Go"},{"action":{"open_post_page":{"post_token":"AZf3Uqr3"}},"icon":"INFO","caption":"Ad"}]}]}}"#
    );
}

/// `text` without its terminal escapes (`ESC [ ... letter`), cut into what each carriage
/// return or line feed starts.
#[cfg(unix)]
fn terminal_lines(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain.split(['\r', '\n']).map(str::to_owned).collect()
}

#[cfg(unix)]
#[test]
fn a_refresh_warning_during_a_batch_never_cuts_across_its_progress_bar() {
    use crate::oauth_current::{FAR_FUTURE, NEW_ACCESS, NEW_REFRESH, OLD_REFRESH, token_answer};
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let token = |conversation: &str, access: &str, expires: u64| {
        serde_json::json!({
            "scopes": [format!("CONVERSATION_SEND_MESSAGE.{conversation}"), "offline_access"],
            "access_token": access,
            "refresh_token": OLD_REFRESH,
            "expires": expires,
            "redirect_uri": "https://my-app.example/callback",
        })
    };
    std::fs::write(
        dir.path().join("credentials.json"),
        serde_json::json!({"profiles": {"default": [
            token("c-fresh", "ory_at_fresh-1d2e", FAR_FUTURE),
            token("c-due", "ory_at_expired-5c6d", 1000),
        ]}})
        .to_string(),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        let private = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(dir.path().join("credentials.json"), private).unwrap();
    }
    // The token endpoint fails twice before it refreshes.
    let server = TestServer::start(|index, request| match (index, request.path.as_str()) {
        (_, "/oauth2/token") if index < 3 => common::Reply::json(503, "{}"),
        (_, "/oauth2/token") => token_answer(NEW_ACCESS, NEW_REFRESH, ""),
        _ => common::Reply::success(),
    });
    // A pipe, so that the second line comes once the bar shows the first.
    let fifo = dir.path().join("lines");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let url = server.url();
    let token_url = format!("{url}/oauth2/token");
    let config = dir.path().to_str().unwrap();
    let mut term = Terminal::start(
        &[
            "send",
            "--base-url",
            &url,
            "--batch",
            fifo.to_str().unwrap(),
        ],
        &[
            ("KENAR_CONFIG_DIR", config),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_TOKEN_URL", &token_url),
            ("KENAR_CLIENT_ID", "my-app"),
            ("KENAR_CLIENT_SECRET", "current-client-secret-4b7e"),
            ("TERM", "xterm"),
        ],
    );
    let mut lines = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    writeln!(lines, r#"{{"conversation_id":"c-fresh","message":"one"}}"#).unwrap();
    term.expect("sent 1");
    writeln!(lines, r#"{{"conversation_id":"c-due","message":"two"}}"#).unwrap();
    term.expect("trying the refresh again in 1.0 s");
    drop(lines);
    term.expect("in doubt       0");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    let warnings: Vec<String> = terminal_lines(&screen)
        .into_iter()
        .filter(|line| line.contains("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{screen:?}");
    for line in warnings {
        assert!(line.starts_with("warning: "), "{line:?} in {screen:?}");
    }
}
