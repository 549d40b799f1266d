//! `kenar-chat sandbox` started as a user starts it: the real binary on a free port of
//! 127.0.0.1, killed when dropped.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, Stdio};

use serde_json::{Value, json};
use ureq::unversioned::multipart::{Form, Part};
use url::Url;

pub use super::agent;
use super::{CHAT_IDS, TestServer, kenar, kenar_process};

/// A running sandbox, killed when dropped.
pub struct Sandbox {
    pub child: Child,
    /// Kept open so that the sandbox can still write to its stdout.
    _stdout: BufReader<ChildStdout>,
    pub url: String,
    pub env: HashMap<String, String>,
    /// Everything it printed before serving.
    pub printed: Vec<String>,
}

impl Sandbox {
    pub fn start(args: &[&str]) -> Self {
        Sandbox::start_with(args, &[])
    }

    /// [`Sandbox::start`] with `env` set besides.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = kenar_process();
        command
            .args(["sandbox", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("start the sandbox");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = stdout
                .read_line(&mut line)
                .expect("read the sandbox's output");
            assert!(read > 0, "the sandbox exited early after: {lines:#?}");
            let done = line.contains("Ctrl-C stops the sandbox");
            lines.push(line.trim_end().to_owned());
            if done {
                break;
            }
        }
        let url = lines[0]
            .strip_prefix("listening on ")
            .expect("the first line says where it listens")
            .to_owned();
        let env = lines
            .iter()
            .filter_map(|line| line.strip_prefix("export ")?.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        Sandbox {
            child,
            _stdout: stdout,
            url,
            env,
            printed: lines,
        }
    }

    /// A sandbox whose LINK clicks call the test's `app` at `/divar/session`, with
    /// `app-identification-key` as the authorization header.
    pub fn for_app(app: &TestServer, args: &[&str]) -> Self {
        let session_init = format!("{}/divar/session", app.url());
        let mut all = vec!["--session-init-url", &session_init];
        all.extend_from_slice(args);
        Sandbox::start_with(
            &all,
            &[("KENAR_IDENTIFICATION_KEY", "app-identification-key")],
        )
    }

    pub fn var(&self, name: &str) -> &str {
        self.env
            .get(name)
            .unwrap_or_else(|| panic!("{name} not printed"))
    }

    /// `kenar-chat` with every printed variable set, as after pasting the lines.
    pub fn kenar(&self) -> assert_cmd::Command {
        let mut cmd = kenar();
        cmd.envs(&self.env);
        cmd
    }

    /// `kenar-chat send` in the demo chat.
    pub fn send(&self, message: &str) -> assert_cmd::Command {
        let mut cmd = self.kenar();
        cmd.arg("send").args(CHAT_IDS).args(["--message", message]);
        cmd
    }

    /// `oauth login` for `chat`, with the printed settings but no ready token, storing into
    /// `config` and listening on the loopback `redirect_uri`, started in the background.
    /// Returns it once it waits for the browser, with the authorization URL it printed and
    /// the rest of what it says.
    pub fn start_login(
        &self,
        config: &Path,
        chat: &str,
        redirect_uri: &str,
    ) -> (Child, String, BufReader<ChildStderr>) {
        self.start_login_asking(config, &["--chat", chat], redirect_uri)
    }

    /// [`Sandbox::start_login`] asking with `scope_args` (`--chat ...`, or the current
    /// platform's `--platform current --conversation ...`).
    pub fn start_login_asking(
        &self,
        config: &Path,
        scope_args: &[&str],
        redirect_uri: &str,
    ) -> (Child, String, BufReader<ChildStderr>) {
        let mut login = kenar_process();
        login
            .envs(&self.env)
            .env_remove("KENAR_ACCESS_TOKEN")
            .env("KENAR_CONFIG_DIR", config)
            .args(["oauth", "login"])
            .args(scope_args)
            .args(["--redirect-uri", redirect_uri, "--wait", "60"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut login = login.spawn().expect("start oauth login");
        // What login says before it waits: the authorization URL, then that it is waiting.
        let mut said = BufReader::new(login.stderr.take().expect("piped stderr"));
        let mut url = None;
        loop {
            let mut line = String::new();
            assert!(said.read_line(&mut line).unwrap() > 0, "login ended early");
            if line.trim().starts_with(&self.url) {
                url = Some(line.trim().to_owned());
            }
            if line.starts_with("Waiting for the browser") {
                break;
            }
        }
        let url = url.expect("login printed the authorization URL");
        (login, url, said)
    }

    /// Sends "hello" in the demo chat with a LINK button for the sender: message 1.
    pub fn send_link_button(&self) {
        self.send("hello")
            .args(["--sender-caption", "Open", "--sender-icon", "open"])
            .args(["--sender-extra-data", "{}"])
            .assert()
            .success();
    }

    /// The key the chat view's click and reply forms carry.
    pub fn chat_view_key(&self) -> String {
        let (status, _, page) = self.get("/");
        assert_eq!(status, 200, "{page}");
        hidden_fields(&page)
            .into_iter()
            .find(|(name, _)| name == "key")
            .map(|(_, key)| key)
            .expect("a form with the chat view's key")
    }

    /// Posts the click `form` (which message, side, row and column) as the chat view's form
    /// does: with the click key the chat view shows.
    pub fn click(&self, form: &[(&str, &str)]) -> (u16, HashMap<String, String>, String) {
        let key = self.chat_view_key();
        let mut keyed = vec![("key", key.as_str())];
        keyed.extend_from_slice(form);
        self.post_form("/sandbox/click", &keyed)
    }

    pub fn get(&self, path: &str) -> (u16, HashMap<String, String>, String) {
        response(agent().get(format!("{}{path}", self.url)).call())
    }

    pub fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, HashMap<String, String>, String) {
        let form = form.iter().map(|(k, v)| (*k, *v));
        response(agent().post(format!("{}{path}", self.url)).send_form(form))
    }

    pub fn post_json(
        &self,
        path: &str,
        api_key: &str,
        body: &Value,
    ) -> (u16, HashMap<String, String>, Value) {
        let (status, headers, text) = response(
            agent()
                .post(format!("{}{path}", self.url))
                .header("content-type", "application/json")
                .header("x-api-key", api_key)
                .send(body.to_string()),
        );
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, headers, json)
    }

    /// Posts an events subscription `body` with the sandbox's API key and `token` as the
    /// Bearer token: the status and the answer.
    pub fn subscribe(&self, token: &str, body: &Value) -> (u16, Value) {
        response_json(
            agent()
                .post(format!(
                    "{}/v1/open-platform/events/subscriptions",
                    self.url
                ))
                .header("content-type", "application/json")
                .header("x-api-key", self.var("KENAR_API_KEY"))
                .header("authorization", format!("Bearer {token}"))
                .send(body.to_string()),
        )
    }

    /// Replies in `conversation` as user `from`, with `text` or a `picture` (its file name
    /// and bytes), as the chat view's reply form posts: with the key the chat view shows.
    pub fn reply(
        &self,
        conversation: &str,
        from: &str,
        text: &str,
        picture: Option<(&str, &[u8])>,
    ) -> (u16, HashMap<String, String>, String) {
        let key = self.chat_view_key();
        let mut form = Form::new()
            .text("key", &key)
            .text("conversation", conversation)
            .text("from", from)
            .text("text", text);
        if let Some((name, bytes)) = picture {
            form = form.part("picture", Part::bytes(bytes).file_name(name));
        }
        response(
            agent()
                .post(format!("{}/sandbox/reply", self.url))
                .send(form),
        )
    }

    pub fn messages(&self) -> Vec<Value> {
        let (status, _, body) = self.get("/sandbox/messages");
        assert_eq!(status, 200);
        let body: Value = serde_json::from_str(&body).unwrap();
        body["messages"].as_array().unwrap().clone()
    }

    /// The path and query of the sandbox's consent page for the chat's scope, as
    /// `oauth-url` prints it.
    pub fn consent_path(&self, chat: &str, state: &str) -> String {
        let url = self
            .kenar()
            .args(["oauth-url", "--chat", chat, "--state", state])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let url = String::from_utf8(url).unwrap();
        url.trim()
            .strip_prefix(&self.url)
            .expect("the sandbox's URL")
            .to_owned()
    }

    /// Asks for the chat's scope through the consent page and approves; returns where
    /// the browser is sent back to.
    pub fn approve(&self, chat: &str, state: &str) -> Url {
        let path = self.consent_path(chat, state);
        let (status, _, page) = self.get(&path);
        assert_eq!(status, 200, "{page}");
        let mut form = hidden_fields(&page);
        form.push(("decision".into(), "approve".into()));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, headers, _) = self.post_form("/oauth", &form);
        assert_eq!(status, 303);
        let location = Url::parse(&headers["location"]).unwrap();
        assert!(
            location
                .as_str()
                .starts_with(self.var("KENAR_REDIRECT_URI")),
            "{location}"
        );
        location
    }

    /// The code in a redirect back from the consent page.
    pub fn code(redirect: &Url) -> String {
        redirect
            .query_pairs()
            .find(|(name, _)| name == "code")
            .map(|(_, code)| code.into_owned())
            .expect("a code")
    }

    pub fn exchange(&self, code: &str) -> (u16, Value) {
        let (status, _, body) = self.post_json(
            "/v1/open-platform/oauth/access_token",
            self.var("KENAR_API_KEY"),
            &json!({
                "code": code,
                "client_id": self.var("KENAR_CLIENT_ID"),
                "client_secret": self.var("KENAR_CLIENT_SECRET"),
                "grant_type": "authorization_code",
            }),
        );
        (status, body)
    }
}

/// The current platform, as an app and its user's browser speak it.
impl Sandbox {
    /// Asks for `scopes` (space-separated) on the current platform's consent page and
    /// clicks `decision` ("approve" or "deny"), as a browser would; returns the consent
    /// page and where the browser is sent back to.
    pub fn consent_current(
        &self,
        scopes: &str,
        redirect_uri: &str,
        state: &str,
        decision: &str,
    ) -> (String, Url) {
        let mut asked = Url::parse(&format!("{}/oauth2/auth", self.url)).unwrap();
        asked
            .query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", self.var("KENAR_CLIENT_ID"))
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scopes)
            .append_pair("state", state);
        let (status, _, page) = response(agent().get(asked.as_str()).call());
        assert_eq!(status, 200, "{page}");
        let mut form = hidden_fields(&page);
        form.push(("decision".into(), decision.into()));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, headers, body) = self.post_form("/oauth2/auth", &form);
        assert_eq!(status, 303, "{body}");
        (page, Url::parse(&headers["location"]).unwrap())
    }

    /// A form-encoded request to the current platform's token endpoint, with the client's
    /// credentials added.
    pub fn token_request(&self, fields: &[(&str, &str)]) -> (u16, Value) {
        let client = [
            ("client_id", self.var("KENAR_CLIENT_ID")),
            ("client_secret", self.var("KENAR_CLIENT_SECRET")),
        ];
        let form = fields.iter().chain(&client).map(|(k, v)| (*k, *v));
        response_json(
            agent()
                .post(format!("{}/oauth2/token", self.url))
                .send_form(form),
        )
    }

    /// Approves `scopes` and exchanges the code: the token endpoint's answer.
    pub fn current_token(&self, scopes: &str) -> Value {
        let redirect_uri = self.var("KENAR_REDIRECT_URI").to_owned();
        let (_, back) = self.consent_current(scopes, &redirect_uri, "s", "approve");
        let code = Sandbox::code(&back);
        let (status, answer) = self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
        ]);
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// The access token of a grant of `scopes` (space-separated).
    pub fn access_token(&self, scopes: &str) -> String {
        self.current_token(scopes)["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// Refreshes the pair in `answer`, a token endpoint's answer.
    pub fn refresh(&self, answer: &Value) -> (u16, Value) {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("code", answer["access_token"].as_str().unwrap()),
            ("redirect_uri", self.var("KENAR_REDIRECT_URI")),
            ("refresh_token", answer["refresh_token"].as_str().unwrap()),
        ])
    }

    /// Posts `body` to the current platform's send endpoint for `conversation`, with the
    /// sandbox's API key and `headers` besides: the status, headers and body answered.
    pub fn post_message(
        &self,
        conversation: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> (u16, HashMap<String, String>, Value) {
        let mut request = agent()
            .post(format!(
                "{}/v2/open-platform/conversations/{conversation}/messages",
                self.url
            ))
            .header("content-type", "application/json")
            .header("x-api-key", self.var("KENAR_API_KEY"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (status, headers, text) = response(request.send(body.to_string()));
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, headers, json)
    }

    /// Posts `body` to `conversation` with `token` as the Bearer token.
    pub fn send_current(&self, conversation: &str, token: &str, body: &Value) -> (u16, Value) {
        let bearer = format!("Bearer {token}");
        let (status, _, answer) =
            self.post_message(conversation, &[("authorization", &bearer)], body);
        (status, answer)
    }
}

/// Media, as an app uploads them to the sandbox (protocol section 5, "Media").
impl Sandbox {
    /// Asks for an upload token with the demo token: the status and the answer.
    pub fn ask_upload_token(&self, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = agent().post(format!(
            "{}/experimental/open-platform/chat/upload",
            self.url
        ));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        response_json(request.send("{}"))
    }

    /// A fresh upload token, asked for as `send` asks.
    pub fn upload_token(&self) -> String {
        let bearer = format!("Bearer {}", self.var("KENAR_ACCESS_TOKEN"));
        let (status, answer) = self.ask_upload_token(&[
            ("x-api-key", self.var("KENAR_API_KEY")),
            ("authorization", &bearer),
        ]);
        assert_eq!(status, 200, "{answer}");
        answer["token"].as_str().expect("a token").to_owned()
    }

    /// Uploads `bytes` as `file_name` in the multipart field `field` to `/upload/{kind}`
    /// with `upload_token`: the status and the answer.
    pub fn upload(
        &self,
        kind: &str,
        upload_token: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> (u16, Value) {
        let form = Form::new().part(field, Part::bytes(bytes).file_name(file_name));
        response_json(
            agent()
                .post(format!("{}/upload/{kind}", self.url))
                .header("authorization", format!("Bearer {upload_token}"))
                .send(form),
        )
    }

    /// What `path` serves, as bytes.
    pub fn get_bytes(&self, path: &str) -> (u16, HashMap<String, String>, Vec<u8>) {
        let mut response = agent()
            .get(format!("{}{path}", self.url))
            .call()
            .expect("the sandbox answers");
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.body_mut().read_to_vec().unwrap();
        (response.status().as_u16(), headers, body)
    }
}

/// A PNG of one pixel that a browser draws, then bytes past its end that a PNG decoder
/// ignores: NULs, CR LF and a would-be multipart boundary.
pub fn png() -> Vec<u8> {
    let mut bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    )
    .unwrap();
    bytes.extend_from_slice(b"\0\0\r\n--boundary\r\n\xff\xfe\0");
    bytes
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn response(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> (u16, HashMap<String, String>, String) {
    let mut response = result.expect("the sandbox answers");
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), headers, body)
}

/// An answer whose body is JSON.
pub fn response_json(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> (u16, Value) {
    let (status, _, body) = response(result);
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, json)
}

/// The hidden inputs of a page's forms, unescaped.
pub fn hidden_fields(page: &str) -> Vec<(String, String)> {
    page.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let attribute = |name: &str| {
                let start = input.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let value = &input[start..];
                value[..value.find('"').unwrap()]
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            };
            (attribute("name"), attribute("value"))
        })
        .collect()
}
