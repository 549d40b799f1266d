//! The sandbox's pages as a person uses them: in headless Chromium, driven over WebDriver
//! by chromedriver, against the real binary on 127.0.0.1. Without chromedriver and a
//! browser these tests say so on stderr and pass (`.ci/run` installs Debian's).

use crate::common;
#[cfg(feature = "listen")]
#[path = "browser/offline_loop.rs"]
mod offline_loop;

use std::future::Future;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::sandbox::Sandbox;
use common::{PEER, POST, Recorded, Reply, TestServer, USER, free_port};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHAT: &str =
    "e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff";
/// Room for the chat view of the README's picture, which shows one conversation whole.
const WINDOW: (u32, u32) = (1100, 900);

/// A WebDriver session in headless Chromium, handed to a test by [`in_browser`].
struct Browser {
    client: Client,
}

impl Browser {
    /// Waits until the browser is on a page whose URL starts with `prefix`, and returns it.
    async fn wait_for_url(&self, prefix: &str) -> url::Url {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.client.current_url().await.unwrap();
            if url.as_str().starts_with(prefix) {
                return url;
            }
            assert!(Instant::now() < deadline, "still on {url}, not {prefix}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element that `selector` finds.
    async fn click(&self, selector: &str) {
        let element = self.client.find(Locator::Css(selector)).await.unwrap();
        element.click().await.unwrap();
    }

    /// Waits for a tab other than `from` to open, as a link with a target does, and
    /// switches to it; `what` names what should have opened it.
    async fn switch_to_new_tab(&self, from: &fantoccini::wd::WindowHandle, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let opened = loop {
            let windows = self.client.windows().await.unwrap();
            if let Some(tab) = windows.into_iter().find(|w| w != from) {
                break tab;
            }
            assert!(Instant::now() < deadline, "{what} opened no tab");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        self.client.switch_to_window(opened).await.unwrap();
    }

    /// The page's text; read again when the page was replaced between finding its body
    /// and reading it (a click's navigation lands at any moment).
    async fn body_text(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let read = match self.client.find(Locator::Css("body")).await {
                Ok(body) => body.text().await,
                Err(e) => Err(e),
            };
            match read {
                Ok(text) => return text,
                Err(e) => assert!(Instant::now() < deadline, "the page's text: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Taken by each test while its browser runs.
static BROWSERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// chromedriver, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `test` in a fresh headless Chromium, through a chromedriver of its own; both end
/// when the test does, whether it passes or fails. Without chromedriver on this machine
/// it says so on stderr, past the test harness's capture, and returns false.
async fn in_browser<F, Fut>(name: &str, test: F) -> bool
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(chromedriver) = chromedriver() else {
        let _ = writeln!(
            std::io::stderr(),
            "{name}: skipped: no chromedriver on PATH or in $CHROMEWEBDRIVER \
             (install Debian's chromium and chromium-driver, as .ci/run does)"
        );
        return false;
    };
    // One browser at a time: on a small machine, several starting at once time out.
    let _turn = BROWSERS.lock().await;
    let profile = tempfile::tempdir().unwrap();
    // The machine's network is closed to everything but loopback: without these flags
    // Chromium keeps trying to reach Google's services.
    let args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--hide-scrollbars".into(),
        format!("--window-size={},{}", WINDOW.0, WINDOW.1),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut options = json!({ "args": args });
    if let Some(chromium) = chromium() {
        options["binary"] = chromium.display().to_string().into();
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    // A port picked free may be taken before chromedriver binds it, and a driver that has
    // just started may drop the first connection: such a start is tried again.
    let mut attempts = 0;
    let (_driver, client) = loop {
        attempts += 1;
        let port = free_port();
        let driver = Driver(
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start chromedriver"),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let session = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match session {
            Ok(client) => break (driver, client),
            Err(e) if attempts < 3 => {
                let _ = writeln!(std::io::stderr(), "{name}: starting the browser again: {e}");
            }
            Err(e) => panic!("a WebDriver session in Chromium: {e}"),
        }
    };
    // In a task of its own, so that a failing test still ends the session, which is what
    // makes chromedriver stop Chromium.
    let outcome = tokio::spawn(test(Browser {
        client: client.clone(),
    }))
    .await;
    let closed = client.close().await;
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
    closed.expect("end the WebDriver session");
    true
}

/// Debian's chromium-driver puts chromedriver on PATH; GitHub's runners keep theirs in
/// $CHROMEWEBDRIVER.
fn chromedriver() -> Option<PathBuf> {
    let name = format!("chromedriver{}", std::env::consts::EXE_SUFFIX);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let from_runner = std::env::var_os("CHROMEWEBDRIVER").map(PathBuf::from);
    std::env::split_paths(&path)
        .chain(from_runner)
        .map(|dir| dir.join(&name))
        .find(|candidate| candidate.is_file())
}

/// Debian's Chromium when it is on PATH; otherwise chromedriver looks for Chrome itself.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// What `oauth login` asks for, where the consent page is, and what it must then say.
struct Asking {
    args: Vec<String>,
    /// The path of the platform's authorization endpoint.
    auth_path: &'static str,
    says: String,
}

/// The demo chat's scope, on the legacy platform.
fn the_demo_chat() -> Asking {
    Asking {
        args: vec!["--chat".into(), CHAT.into()],
        auth_path: "/oauth",
        says: format!(
            "send messages, as user {USER}, in the chat between user {USER} and user {PEER} about post {POST}"
        ),
    }
}

/// Consent in the browser for `oauth login` asking for `asking`: the consent page,
/// `decision` clicked, and the browser's landing on kenar-chat's loopback page. Returns
/// login's exit code, what it printed, the loopback page's text and the config directory.
async fn login_with(
    browser: &Browser,
    decision: &str,
    asking: &Asking,
) -> (Option<i32>, String, String, tempfile::TempDir) {
    let sandbox = Sandbox::start(&[]);
    let config = tempfile::tempdir().unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", free_port());
    let auth_url = format!("{}{}", sandbox.url, asking.auth_path);
    let mut args: Vec<&str> = asking.args.iter().map(String::as_str).collect();
    args.extend(["--auth-url", &auth_url]);
    let (login, url, mut said) = sandbox.start_login_asking(config.path(), &args, &redirect_uri);

    browser.client.goto(&url).await.unwrap();
    let consent = browser.body_text().await;
    assert!(
        consent.contains("The app sandbox-app asks to:"),
        "{consent}"
    );
    assert!(consent.contains(&asking.says), "{consent}");
    browser.click(&format!("button.{decision}")).await;
    browser.wait_for_url(&redirect_uri).await;
    let landed = browser.body_text().await;

    let output = login.wait_with_output().unwrap();
    let mut stderr = String::new();
    said.read_to_string(&mut stderr).unwrap();
    let printed = format!("{}{stderr}", String::from_utf8_lossy(&output.stdout));
    for name in ["KENAR_API_KEY", "KENAR_CLIENT_SECRET"] {
        assert!(!printed.contains(sandbox.var(name)), "{printed}");
    }
    (output.status.code(), printed, landed, config)
}

/// The tokens `oauth login` stored in `config`.
fn stored_tokens(config: &tempfile::TempDir) -> Vec<Value> {
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(config.path().join("credentials.json")).unwrap(),
    )
    .unwrap();
    stored["profiles"]["default"].as_array().unwrap().clone()
}

#[tokio::test]
async fn approving_on_the_consent_page_stores_the_token_of_oauth_login() {
    in_browser("approve", |browser| async move {
        let (code, printed, landed, config) =
            login_with(&browser, "approve", &the_demo_chat()).await;
        assert!(landed.contains("You can close this tab"), "{landed}");
        assert_eq!(code, Some(0), "{printed}");
        assert!(printed.starts_with("stored the access token"), "{printed}");
        let tokens = stored_tokens(&config);
        assert_eq!(tokens.len(), 1, "{tokens:?}");
        assert_eq!(
            tokens[0]["scopes"],
            json!([format!("CHAT_SEND_MESSAGE_OAUTH__{}", common::RESOURCE_ID)])
        );
        assert!(tokens[0]["access_token"].is_string(), "{tokens:?}");
    })
    .await;
}

#[tokio::test]
async fn denying_on_the_consent_page_ends_oauth_login_with_the_refusal() {
    in_browser("deny", |browser| async move {
        let (code, printed, landed, config) = login_with(&browser, "deny", &the_demo_chat()).await;
        assert!(landed.contains("Access was not granted"), "{landed}");
        assert_eq!(code, Some(3), "{printed}");
        assert!(
            printed.contains("the user did not grant access"),
            "{printed}"
        );
        assert!(!config.path().join("credentials.json").exists());
    })
    .await;
}

#[tokio::test]
async fn approving_the_current_platforms_consent_page_stores_a_refreshable_token() {
    in_browser("approve, current platform", |browser| async move {
        let asking = Asking {
            args: [
                "--platform",
                "current",
                "--conversation",
                DEMO_CONVERSATION,
                "--offline",
            ]
            .map(String::from)
            .to_vec(),
            auth_path: "/oauth2/auth",
            says: format!("send messages in conversation {DEMO_CONVERSATION}"),
        };
        let (code, printed, landed, config) = login_with(&browser, "approve", &asking).await;
        assert!(landed.contains("You can close this tab"), "{landed}");
        assert_eq!(code, Some(0), "{printed}");
        let tokens = stored_tokens(&config);
        assert_eq!(tokens.len(), 1, "{tokens:?}");
        assert_eq!(
            tokens[0]["scopes"],
            json!([
                format!("CONVERSATION_SEND_MESSAGE.{DEMO_CONVERSATION}"),
                "offline_access"
            ])
        );
        for (field, prefix) in [("access_token", "ory_at_"), ("refresh_token", "ory_rt_")] {
            let token = tokens[0][field].as_str().unwrap();
            assert!(token.starts_with(prefix), "{field}: {token}");
            assert!(!printed.contains(token), "{printed}");
        }
    })
    .await;
}

/// The README's two messages in the demo chat, each with a button for each side: the
/// first a LINK for the sender and a DIRECT_LINK to `track` for the receiver, the second
/// (in Persian) the other way round.
fn send_the_two_messages(sandbox: &Sandbox, track: &str) {
    sandbox
        .send("Hello! Your order #42 has shipped and should arrive on Tuesday.")
        .args(["--sender-caption", "Order details", "--sender-icon", "info"])
        .args(["--sender-extra-data", r#"{"order":42}"#])
        .args(["--receiver-caption", "Track the parcel"])
        .args(["--receiver-icon", "truck", "--receiver-direct-link", track])
        .assert()
        .success();
    sandbox
        .send("سلام! سفارش شما ارسال شد و سه‌شنبه به دستتان می‌رسد.")
        .args([
            "--sender-caption",
            "پیگیری مرسوله",
            "--sender-icon",
            "truck",
        ])
        .args(["--sender-direct-link", track])
        .args(["--receiver-caption", "نظر شما", "--receiver-icon", "star"])
        .args(["--receiver-extra-data", r#"{"survey":"سفارش ۴۲"}"#])
        .assert()
        .success();
}

/// The buttons in the pane of the `nth` side (1: the sender) as shown: each one's caption
/// and the smaller note of its icon and kind after it.
async fn buttons(browser: &Browser, nth: usize) -> Vec<(String, String)> {
    let selector = format!("section.pane:nth-of-type({nth}) .button");
    let mut shown = Vec::new();
    for button in browser
        .client
        .find_all(Locator::Css(&selector))
        .await
        .unwrap()
    {
        let text = button.text().await.unwrap();
        let kind = button.find(Locator::Css(".kind")).await.unwrap();
        let kind = kind.text().await.unwrap();
        let caption = text.strip_suffix(&kind).unwrap_or(&text).trim().to_owned();
        shown.push((caption, kind));
    }
    shown
}

/// Which way the bubble's text runs, as rendered: its computed direction, and whether
/// its first letter is drawn right of its last.
async fn direction(browser: &Browser, bubble: &str) -> (String, bool) {
    let element = browser
        .client
        .find(Locator::Css(&format!("#{bubble}")))
        .await
        .unwrap();
    let computed = element.css_value("direction").await.unwrap();
    let first_right_of_last = browser
        .client
        .execute(
            "const text = arguments[0].firstChild;
             const at = (i) => { const r = document.createRange(); r.setStart(text, i);
                                 r.setEnd(text, i + 1); return r.getBoundingClientRect().x; };
             return at(0) > at(text.length - 1);",
            vec![serde_json::to_value(&element).unwrap()],
        )
        .await
        .unwrap();
    (computed, first_right_of_last == json!(true))
}

/// The test's app: its session initialization URL answers with a page of its own, which
/// it also serves, as do the DIRECT_LINK's tracking page.
fn app() -> TestServer {
    TestServer::start(|_, request: &Recorded| match request.path.as_str() {
        "/divar/session" => {
            let clicked = request.json()["user_id"].as_str().unwrap().to_owned();
            let url = format!(
                "http://{}/app/start?clicker={clicked}",
                request.header("host").unwrap()
            );
            Reply::json(
                200,
                &json!({"status": "200", "message": "success", "url": url}).to_string(),
            )
        }
        _ => Reply::Respond {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: format!(
                "<!DOCTYPE html><title>app</title><p>app page {}</p>",
                request.path
            )
            .into_bytes(),
        },
    })
}

#[tokio::test]
async fn the_chat_view_shows_each_side_its_buttons_and_they_open_what_divar_opens() {
    in_browser("chat view", |browser| async move {
    let app = app();
    let sandbox = Sandbox::for_app(&app, &[]);
    let track = format!("{}/track/42", app.url());
    send_the_two_messages(&sandbox, &track);
    browser.client.goto(&sandbox.url).await.unwrap();

    let shown = |pairs: [(&str, &str); 2]| pairs.map(|(c, k)| (c.to_owned(), k.to_owned()));
    assert_eq!(
        buttons(&browser, 1).await,
        shown([
            ("Order details", "info · LINK"),
            ("پیگیری مرسوله", "truck · DIRECT_LINK")
        ])
    );
    assert_eq!(
        buttons(&browser, 2).await,
        shown([
            ("Track the parcel", "truck · DIRECT_LINK"),
            ("نظر شما", "star · LINK")
        ])
    );
    for side in ["sender", "receiver"] {
        assert_eq!(
            direction(&browser, &format!("m1-{side}")).await,
            ("ltr".into(), false)
        );
        assert_eq!(
            direction(&browser, &format!("m2-{side}")).await,
            ("rtl".into(), true)
        );
    }

    // LINK, clicked by the sender and then by the receiver: the sandbox asks the app for a
    // session, exactly as Divar does, and the browser goes where the app says.
    let clicks = [
        ("m1-sender", USER, PEER, r#"{"order":42}"#),
        ("m2-receiver", PEER, USER, r#"{"survey":"سفارش ۴۲"}"#),
    ];
    for (index, (bubble, clicker, other, data)) in clicks.into_iter().enumerate() {
        browser.client.goto(&sandbox.url).await.unwrap();
        browser.click(&format!("#{bubble} button.button")).await;
        let landed = browser
            .wait_for_url(&format!("{}/app/start?clicker={clicker}", app.url()))
            .await;
        assert_eq!(
            landed.as_str(),
            format!("{}/app/start?clicker={clicker}", app.url())
        );
        assert!(browser.body_text().await.contains("app page /app/start"));
        let sessions: Vec<Recorded> = app
            .requests()
            .into_iter()
            .filter(|r| r.path == "/divar/session")
            .collect();
        assert_eq!(sessions.len(), index + 1);
        let request = &sessions[index];
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.header("authorization"),
            Some("app-identification-key")
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            format!(
                r#"{{"extra_data":{{"provider_data":{data}}},"callback_url":"{}/#{bubble}","post_token":"{POST}","user_id":"{clicker}","peer_id":"{other}","Supplier":{{"id":"{USER}"}},"demand":{{"id":"{PEER}"}}}}"#,
                sandbox.url
            )
        );
    }

    // DIRECT_LINK: the link opens in a tab of its own, without asking the app.
    browser.client.goto(&sandbox.url).await.unwrap();
    let chat_view = browser.client.window().await.unwrap();
    browser.click("#m1-receiver a.button").await;
    browser.switch_to_new_tab(&chat_view, "the DIRECT_LINK").await;
    assert_eq!(browser.wait_for_url(&track).await.as_str(), track);
    assert!(browser.body_text().await.contains("app page /track/42"));
    let sessions = app
        .requests()
        .iter()
        .filter(|r| r.path == "/divar/session")
        .count();
    assert_eq!(sessions, 2);
    })
    .await;
}

/// Writes docs/chat-view.png, the README's picture of the chat view (the two legacy
/// messages and the grid message), from what the code serves now:
/// `cargo test --test browser -- --ignored`. Persian needs a font with its letters, such as
/// Debian's fonts-noto-core.
#[tokio::test]
#[ignore = "writes docs/chat-view.png"]
async fn chat_view_picture_for_the_readme() {
    let ran = in_browser("picture", |browser| async move {
        let sandbox = Sandbox::start(&[]);
        send_the_two_messages(&sandbox, "https://shop.example/track/42");
        send_the_grid_message(
            &sandbox,
            "https://shop.example/track/42",
            "https://shop.example/",
        );
        browser.client.goto(&sandbox.url).await.unwrap();
        let page = browser.client.find(Locator::Css("main")).await.unwrap();
        let picture = page.screenshot().await.unwrap();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/chat-view.png");
        std::fs::write(&path, picture).unwrap();
        let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    })
    .await;
    assert!(ran, "no browser to take the picture with");
}

/// The demo chat as a conversation of the current platform.
const DEMO_CONVERSATION: &str = "5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2";

/// A current-platform message in the demo conversation, sent with `send --conversation-id`
/// from a message file, with a grid for each side: the sender's two rows (two buttons,
/// then one), the receiver's two (one, then two).
fn send_the_grid_message(sandbox: &Sandbox, track: &str, shop: &str) {
    let server = |data: Value, icon: &str, caption: &str| json!({"action": {"open_server_link": {"data": data}}, "icon": icon, "caption": caption});
    let direct = |url: &str, icon: &str, caption: &str| json!({"action": {"open_direct_link": url}, "icon": icon, "caption": caption});
    let body = json!({
        "type": "TEXT",
        "message": "سلام! سفارش ۴۲ ارسال شد.",
        "sender_buttons": {"rows": [
            {"buttons": [server(json!({"order": 42}), "INFO", "جزئیات سفارش"),
                         direct(track, "LOCAL_SHIPPING", "Track")]},
            {"buttons": [server(json!({"step": "invoice"}), "PAYMENT", "Invoice")]},
        ]},
        "receiver_buttons": {"rows": [
            {"buttons": [server(json!({"survey": "سفارش ۴۲"}), "STAR", "نظر شما")]},
            {"buttons": [direct(track, "LOCAL_SHIPPING", "پیگیری"),
                         direct(shop, "STORE", "Shop")]},
        ]},
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), body.to_string()).unwrap();
    sandbox
        .kenar()
        .args(["send", "--conversation-id", DEMO_CONVERSATION, "--file"])
        .arg(file.path())
        .assert()
        .success();
}

/// The rows of buttons under `bubble`, each button's caption and the note of its icon and
/// kind.
async fn grid(browser: &Browser, bubble: &str) -> Vec<Vec<(String, String)>> {
    let rows = browser
        .client
        .find_all(Locator::Css(&format!("#{bubble} .row")))
        .await
        .unwrap();
    let mut shown = Vec::new();
    for row in rows {
        let mut buttons = Vec::new();
        for button in row.find_all(Locator::Css(".button")).await.unwrap() {
            let text = button.text().await.unwrap();
            let kind = button.find(Locator::Css(".kind")).await.unwrap();
            let kind = kind.text().await.unwrap();
            let caption = text.strip_suffix(&kind).unwrap_or(&text).trim().to_owned();
            buttons.push((caption, kind));
        }
        shown.push(buttons);
    }
    shown
}

fn rows(rows: &[&[(&str, &str)]]) -> Vec<Vec<(String, String)>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|(caption, kind)| ((*caption).to_owned(), (*kind).to_owned()))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_conversations_grids_show_each_side_its_rows_and_open_what_divar_opens() {
    in_browser("grid", |browser| async move {
        let app = app();
        let sandbox = Sandbox::for_app(&app, &[]);
        let track = format!("{}/track/42", app.url());
        let shop = format!("{}/shop", app.url());
        send_the_grid_message(&sandbox, &track, &shop);
        browser.client.goto(&sandbox.url).await.unwrap();

        let sender = rows(&[
            &[
                ("جزئیات سفارش", "INFO · open_server_link"),
                ("Track", "LOCAL_SHIPPING · open_direct_link"),
            ],
            &[("Invoice", "PAYMENT · open_server_link")],
        ]);
        let receiver = rows(&[
            &[("نظر شما", "STAR · open_server_link")],
            &[
                ("پیگیری", "LOCAL_SHIPPING · open_direct_link"),
                ("Shop", "STORE · open_direct_link"),
            ],
        ]);
        assert_eq!(grid(&browser, "m1-sender").await, sender);
        assert_eq!(grid(&browser, "m1-receiver").await, receiver);
        // Each side's pane holds its own copy and only its own buttons.
        let pane = |nth: usize| format!("section.pane:nth-of-type({nth}) .button");
        for (nth, count) in [(1, 3), (2, 3)] {
            let found = browser.client.find_all(Locator::Css(&pane(nth))).await.unwrap();
            assert_eq!(found.len(), count);
        }
        assert!(
            browser
                .client
                .find(Locator::Css("section.pane:nth-of-type(1) #m1-sender"))
                .await
                .is_ok()
        );
        for side in ["sender", "receiver"] {
            assert_eq!(
                direction(&browser, &format!("m1-{side}")).await,
                ("rtl".into(), true)
            );
        }

        // open_server_link, clicked by the seller and then by the buyer: the sandbox
        // calls the app's server-link URL as Divar does, and the browser goes where the
        // app says.
        let clicks = [
            ("m1-sender", 1, USER, "Supply", r#"{"order":42}"#),
            ("m1-receiver", 1, PEER, "Demand", r#"{"survey":"سفارش ۴۲"}"#),
            ("m1-sender", 2, USER, "Supply", r#"{"step":"invoice"}"#),
        ];
        for (index, (bubble, row, clicker, side, data)) in clicks.into_iter().enumerate() {
            browser.client.goto(&sandbox.url).await.unwrap();
            browser
                .click(&format!("#{bubble} .row:nth-of-type({row}) button.button"))
                .await;
            let start = format!("{}/app/start?clicker={clicker}", app.url());
            assert_eq!(browser.wait_for_url(&start).await.as_str(), start);
            assert!(browser.body_text().await.contains("app page /app/start"));
            let sessions: Vec<Recorded> = app
                .requests()
                .into_iter()
                .filter(|r| r.path == "/divar/session")
                .collect();
            assert_eq!(sessions.len(), index + 1);
            let request = &sessions[index];
            assert_eq!(request.method, "POST");
            assert_eq!(
                request.header("authorization"),
                Some("app-identification-key")
            );
            assert_eq!(request.header("api-version"), Some("2"));
            assert_eq!(request.header("content-type"), Some("application/json"));
            assert_eq!(
                String::from_utf8_lossy(&request.body),
                format!(
                    r#"{{"source":"CHAT_MESSAGE_ACTION","post_token":"{POST}","conversation_id":"{DEMO_CONVERSATION}","user_side":"{side}","user_id":"{clicker}","extra_data":{data}}}"#
                )
            );
        }

        // open_direct_link: the link opens in a tab of its own, without asking the app.
        browser.client.goto(&sandbox.url).await.unwrap();
        let chat_view = browser.client.window().await.unwrap();
        browser
            .click("#m1-receiver .row:nth-of-type(2) a.button:nth-of-type(2)")
            .await;
        browser
            .switch_to_new_tab(&chat_view, "open_direct_link")
            .await;
        assert_eq!(browser.wait_for_url(&shop).await.as_str(), shop);
        assert!(browser.body_text().await.contains("app page /shop"));
        let sessions = app
            .requests()
            .iter()
            .filter(|r| r.path == "/divar/session")
            .count();
        assert_eq!(sessions, 3);
    })
    .await;
}

#[tokio::test]
async fn the_chat_view_shows_an_image_inline_and_a_document_as_a_link_on_both_sides() {
    in_browser("media", |browser| async move {
        let sandbox = Sandbox::start(&[]);
        let dir = tempfile::tempdir().unwrap();
        for (flag, name, bytes) in [
            ("--image", "a.png", common::sandbox::png()),
            ("--document", "receipt <1>.pdf", b"%PDF-1.4\n\0".to_vec()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            sandbox
                .kenar()
                .args(["send", "--conversation-id", DEMO_CONVERSATION, flag])
                .arg(&path)
                .assert()
                .success();
        }
        browser.client.goto(&sandbox.url).await.unwrap();
        for side in ["sender", "receiver"] {
            // The image is drawn: the browser loaded and decoded what the sandbox serves.
            let image = browser
                .client
                .find(Locator::Css(&format!("#m1-{side} img.media")))
                .await
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(20);
            let width = loop {
                let drawn = browser
                    .client
                    .execute(
                        "const img = arguments[0]; return img.complete ? img.naturalWidth : null;",
                        vec![serde_json::to_value(&image).unwrap()],
                    )
                    .await
                    .unwrap();
                if let Some(width) = drawn.as_u64() {
                    break width;
                }
                assert!(Instant::now() < deadline, "the image did not load");
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            assert!(width > 0, "the image did not decode");

            // The document is a link that saves it under its own name.
            let link = browser
                .client
                .find(Locator::Css(&format!("#m2-{side} a.media")))
                .await
                .unwrap();
            assert_eq!(link.text().await.unwrap(), "receipt <1>.pdf");
            assert_eq!(
                link.attr("download").await.unwrap().as_deref(),
                Some("receipt <1>.pdf")
            );
            let href = link.prop("href").await.unwrap().unwrap();
            assert!(
                href.starts_with(&format!("{}/media/", sandbox.url)),
                "{href}"
            );
        }
    })
    .await;
}
