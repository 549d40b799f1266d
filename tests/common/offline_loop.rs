//! The offline loop as a developer runs it, with the real binaries: the test's app (a
//! [`TestServer`] that records what it receives), `listen` forwarding to it, and the
//! sandbox calling `listen` (events, server links, dynamic actions) with an
//! identification key.

use serde_json::{Value, json};

use super::listen::{KEY, Listen};
use super::sandbox::Sandbox;
use super::{POST, Recorded, Reply, TestServer};

/// The sandbox's demo conversation: the demo user sells the demo post to the demo peer.
pub const DEMO_CONVERSATION: &str = "5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2";
/// The scope that lets a subscription watch the demo post's new messages.
pub const POST_READ_SCOPE: &str = "CHAT_POST_CONVERSATIONS_READ.AZf3Uqr3";

/// The three processes, each ended when this is dropped.
pub struct OfflineLoop {
    pub app: TestServer,
    pub listen: Listen,
    pub sandbox: Sandbox,
}

impl OfflineLoop {
    /// The loop with the sandbox sending `sandbox_key` (listen checks [`KEY`]) and given
    /// `sandbox_args` besides its URLs.
    pub fn start(sandbox_key: &str, sandbox_args: &[&str]) -> Self {
        let app = TestServer::start(app);
        let listen = Listen::start(&[
            "--forward-to",
            &format!("{}/divar/events", app.url()),
            "--forward-actions-to",
            &format!("{}/divar/actions", app.url()),
        ]);
        let at = |path: &str| format!("{}{path}", listen.url);
        let (events, session, dynamic) = (
            at("/divar/events"),
            at("/divar/session"),
            at("/divar/dynamic"),
        );
        let mut args = vec![
            "--events-url",
            &events,
            "--session-init-url",
            &session,
            "--dynamic-action-url",
            &dynamic,
        ];
        args.extend_from_slice(sandbox_args);
        let sandbox = Sandbox::start_with(&args, &[("KENAR_IDENTIFICATION_KEY", sandbox_key)]);
        OfflineLoop {
            app,
            listen,
            sandbox,
        }
    }

    /// The loop whose sandbox sends listen's key.
    pub fn keyed() -> Self {
        Self::start(KEY, &[])
    }

    /// Subscribes to new messages on the demo post, with `metadata`, as an app does: with
    /// a token of the post's read scope (and `more` scopes) that the demo user granted.
    /// Returns the token endpoint's answer.
    pub fn subscribe(&self, more: &str, metadata: &Value) -> Value {
        let answer = self
            .sandbox
            .current_token(&format!("{POST_READ_SCOPE} {more}"));
        self.subscribe_with(answer["access_token"].as_str().unwrap(), metadata);
        answer
    }

    /// Subscribes to new messages on the demo post with `token`.
    pub fn subscribe_with(&self, token: &str, metadata: &Value) {
        let body = json!({
            "event_type": "NEW_MESSAGE_ON_POST",
            "event_resource_id": POST,
            "metadata": metadata,
        });
        let (status, said) = self.sandbox.subscribe(token, &body);
        assert_eq!((status, &said), (200, &json!({})));
    }

    /// The app sends `text` in the demo conversation, with the sandbox's demo token.
    pub fn send(&self, text: &str) {
        self.sandbox
            .kenar()
            .args(["send", "--conversation-id", DEMO_CONVERSATION])
            .args(["--message", text])
            .assert()
            .success();
    }

    /// What the app received at `path`.
    pub fn received(&self, path: &str) -> Vec<Recorded> {
        self.app
            .requests()
            .into_iter()
            .filter(|request| request.path == path)
            .collect()
    }
}

/// The test's app: events are answered `{"ok":true}`; a server-link call with a page of
/// its own for the one who clicked; a dynamic-action call with the answer its button's
/// data asks for; anything else is one of its pages.
fn app(_: usize, request: &Recorded) -> Reply {
    let host = request.header("host").unwrap_or_default();
    match request.path.as_str() {
        "/divar/events" => Reply::json(200, r#"{"ok":true}"#),
        "/divar/actions" => {
            let call = request.json();
            let answer = if call.get("touchpoint").is_some() {
                match call["extra_data"]["answer"].as_str() {
                    Some("link") => json!({
                        "action": {"open_direct_link": format!("http://{host}/app/landing")},
                        "text_message": "opening",
                    }),
                    _ => json!({"text_message": "سفارش شما ثبت شد"}),
                }
            } else {
                let clicker = call["user_id"].as_str().unwrap_or_default();
                json!({"url": format!("http://{host}/app/start?clicker={clicker}")})
            };
            Reply::json(200, &answer.to_string())
        }
        path => Reply::Respond {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: format!("<!DOCTYPE html><title>app</title><p>app page {path}</p>").into_bytes(),
        },
    }
}
