//! A real HTTP/1.1 server on 127.0.0.1 for the tests: it records every request exactly as
//! received and answers as the test scripts it, including with broken or hostile answers.
// Each test module uses only part of it.
#![allow(dead_code)]

pub mod listen;
#[cfg(all(feature = "sandbox", feature = "listen"))]
pub mod offline_loop;
#[cfg(feature = "sandbox")]
pub mod sandbox;

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The headers in the order received, to compare with an expected list.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete answer with a Content-Length.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// These bytes exactly, then the connection is closed.
    Raw(Vec<u8>),
    /// Nothing for this long, then the connection is closed.
    Hang(Duration),
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn success() -> Reply {
        Reply::json(200, r#"{"status":200,"message":"success"}"#)
    }

    /// A status with a JSON body naming it, and no headers of note.
    pub fn status(status: u16) -> Reply {
        Reply::json(
            status,
            &format!(r#"{{"status":{status},"message":"scripted"}}"#),
        )
    }

    /// The connection closed as soon as the request is read, with no answer.
    pub fn dropped() -> Reply {
        Reply::Raw(Vec::new())
    }

    /// No answer for longer than any test runs.
    pub fn hang() -> Reply {
        Reply::Hang(Duration::from_secs(3600))
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Responder = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;

pub struct TestServer {
    pub port: u16,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<AtomicUsize>,
}

impl TestServer {
    /// Starts a server; `respond` gets the request's index (0 for the first) and the request.
    pub fn start(respond: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let respond: Arc<Responder> = Arc::new(respond);
        let seen = Arc::clone(&requests);
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::clone(&connections);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                accepted.fetch_add(1, Ordering::SeqCst);
                let seen = Arc::clone(&seen);
                let respond = Arc::clone(&respond);
                thread::spawn(move || serve(stream, &seen, &*respond));
            }
        });
        TestServer {
            port,
            requests,
            connections,
        }
    }

    /// A server that answers the requests in the order received with `script`, then every
    /// later one with `then`: scripted statuses, headers, dropped and hanging connections.
    pub fn script(script: Vec<Reply>, then: Reply) -> Self {
        Self::start(move |index, _| script.get(index).unwrap_or(&then).clone())
    }

    /// A server that answers every request with Divar's success body.
    pub fn success() -> Self {
        Self::start(|_, _| Reply::success())
    }

    /// A server that answers every request the same way.
    pub fn always(status: u16, body: &'static str) -> Self {
        Self::start(move |_, _| Reply::json(status, body))
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The one request received; fails the test if there were more or none.
    pub fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:#?}"
        );
        requests.into_iter().next().unwrap()
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Recorded>>, respond: &Responder) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(request.clone());
            seen.len() - 1
        };
        match respond(index, &request) {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (name, value) in &headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
                if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
                    return;
                }
            }
            Reply::Raw(bytes) => {
                let _ = writer.write_all(&bytes);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Hang(time) => {
                thread::sleep(time);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Reads one request from `reader`; `None` when the connection ends or breaks first.
pub fn read_request(reader: &mut impl BufRead) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Fails the test when stdout or stderr shows any of `secrets`.
pub fn assert_no_secret(output: &std::process::Output, secrets: &[&str]) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            assert!(!text.contains(secret), "{stream} shows a secret: {text}");
        }
    }
}

/// A client that takes every status as an answer and follows no redirect.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

/// Waits until `server` has seen `count` requests; fails the test after a minute.
pub fn wait_for_requests(server: &TestServer, count: usize) {
    let started = std::time::Instant::now();
    while server.requests().len() < count {
        assert!(started.elapsed() < Duration::from_secs(60), "no requests");
        thread::sleep(Duration::from_millis(5));
    }
}

/// A FIFO made in `dir`, for what must refuse one rather than block on it.
#[cfg(unix)]
pub fn fifo(dir: &std::path::Path) -> std::path::PathBuf {
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    fifo
}

/// Sends `signal` (a name `kill` knows, such as `INT` or `TERM`) to `child`.
#[cfg(unix)]
pub fn signal(child: &std::process::Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
}

/// Runs `cmd` (from [`kenar_process`]) with no input, sends it `signal` once `server` has
/// seen its one request, and answers how it ended.
#[cfg(unix)]
pub fn signalled_in_flight(
    mut cmd: std::process::Command,
    server: &TestServer,
    signal_name: &str,
) -> std::process::Output {
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_requests(server, 1);
    signal(&child, signal_name);
    child.wait_with_output().unwrap()
}

/// Answers as an API with a fixed-window quota that says nothing of it: `sends` requests
/// per window of `length`, the windows counted from the first request, and 429 without
/// `Retry-After` past that; the windows after `windows` refuse everything (a quota spent
/// for the day).
pub fn fixed_window(
    sends: usize,
    length: Duration,
    windows: u32,
) -> impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static {
    let counted = Mutex::new((None::<std::time::Instant>, 0u32, 0usize));
    move |_, _| {
        let now = std::time::Instant::now();
        let mut counted = counted.lock().unwrap();
        let first = *counted.0.get_or_insert(now);
        let window = u32::try_from(now.duration_since(first).as_nanos() / length.as_nanos())
            .unwrap_or(u32::MAX);
        if window != counted.1 {
            *counted = (Some(first), window, 0);
        }
        if window >= windows || counted.2 >= sends {
            return Reply::status(429);
        }
        counted.2 += 1;
        Reply::success()
    }
}

/// A port of 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1")
        .local_addr()
        .unwrap()
        .port()
}

/// The binary under test, with no credentials, endpoints or config inherited from the
/// environment.
pub fn kenar() -> assert_cmd::Command {
    assert_cmd::Command::from_std(kenar_process())
}

/// Command-line arguments from groups of them, as owned strings.
pub fn args(groups: &[&[&str]]) -> Vec<String> {
    groups.concat().iter().map(ToString::to_string).collect()
}

/// The binary under test with the test credentials in the environment.
pub fn with_credentials() -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN);
    cmd
}

/// `kenar-chat send` to the API at `base_url`, with the test credentials in the
/// environment.
pub fn send_to(base_url: &str) -> assert_cmd::Command {
    let mut cmd = with_credentials();
    cmd.arg("send").env("KENAR_API_URL", base_url);
    cmd
}

/// [`kenar`] as a plain process, for tests that run it on a pseudo-terminal.
pub fn kenar_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kenar-chat"));
    for var in [
        "KENAR_API_KEY",
        "KENAR_ACCESS_TOKEN",
        "KENAR_API_URL",
        "KENAR_OAUTH_URL",
        "KENAR_CLIENT_ID",
        "KENAR_REDIRECT_URI",
        "KENAR_CLIENT_SECRET",
        "KENAR_PROFILE",
        "KENAR_PLATFORM",
        "KENAR_TOKEN_URL",
        "KENAR_UPLOAD_URL",
        "KENAR_IDENTIFICATION_KEY",
        "KENAR_FORWARD_KEY",
    ] {
        cmd.env_remove(var);
    }
    // Never the user's own stored tokens or config file: a directory that does not exist,
    // unless the test sets its own.
    cmd.env(
        "KENAR_CONFIG_DIR",
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-config-dir"),
    );
    cmd
}

pub const USER: &str = "e9ba8a81-9583-4f7c-af54-b07df089d971";
pub const POST: &str = "AZf3Uqr3";
pub const PEER: &str = "1697004f-e902-44c2-bbbe-bf8e20d54bff";
/// The flags that name the demo chat.
pub const CHAT_IDS: [&str; 6] = ["--user-id", USER, "--post-token", POST, "--peer-id", PEER];
pub const RESOURCE_ID: &str = "ZTliYThhODEtOTU4My00ZjdjLWFmNTQtYjA3ZGYwODlkOTcxOkFaZjNVcXIzOjE2OTcwMDRmLWU5MDItNDRjMi1iYmJlLWJmOGUyMGQ1NGJmZg==";
pub const API_KEY: &str = "test-api-key-5f2b9c";
pub const ACCESS_TOKEN: &str = "test-access-token-8d41e7";
/// A conversation of the current platform.
pub const CONVERSATION: &str = "3f1c9a2e-7b44-4d0e-9a51-0c2b8e6d7f10";
