//! `kenar-chat listen` started as a user starts it: the real binary on a free port of
//! 127.0.0.1 with its own event log, killed when dropped; and requests sent to it as
//! Divar sends them.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::Value;

use super::{agent, kenar_process};

/// The identification key the tests' listen checks.
pub const KEY: &str = "divar-identification-key-61c0";

/// A running `listen`, killed when dropped.
pub struct Listen {
    pub child: Child,
    pub url: String,
    pub log: PathBuf,
    /// Keeps the log's directory while listen runs.
    _dir: tempfile::TempDir,
    /// Lines listen prints on stdout, as they come.
    lines: Receiver<String>,
    /// Lines listen printed on stderr before it served.
    pub ready: Vec<String>,
    /// Lines listen prints on stderr after those, as they come.
    notes: Receiver<String>,
}

impl Listen {
    /// Starts `listen --port 0 --format json` with [`KEY`] in the environment.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with(args, &[("KENAR_IDENTIFICATION_KEY", KEY)])
    }

    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::start_on_log(args, env, &[])
    }

    /// Starts listen as [`Self::start_with`] does, on an event log that holds `before`
    /// (what an earlier run left).
    pub fn start_on_log(args: &[&str], env: &[(&str, &str)], before: &[u8]) -> Self {
        Self::start_as("json", args, env, before)
    }

    /// [`Self::start_on_log`] printing `format` (`text` for a person's lines).
    pub fn start_as(format: &str, args: &[&str], env: &[(&str, &str)], before: &[u8]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.jsonl");
        if !before.is_empty() {
            std::fs::write(&log, before).unwrap();
        }
        let mut command = kenar_process();
        command
            .args(["listen", "--port", "0", "--format", format, "--log"])
            .arg(&log)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start listen");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut ready = Vec::new();
        loop {
            let mut line = String::new();
            let read = stderr.read_line(&mut line).expect("read listen's stderr");
            assert!(read > 0, "listen exited early after: {ready:#?}");
            let done = line.contains("Ctrl-C stops listen");
            ready.push(line.trim_end().to_owned());
            if done {
                break;
            }
        }
        // What it says later is kept for the tests that wait for it.
        let (noted, notes) = channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if noted.send(line).is_err() {
                    break;
                }
            }
        });
        let (send, lines) = channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let url = ready
            .iter()
            .find_map(|line| line.strip_prefix("listening on "))
            .expect("a line says where it listens")
            .to_owned();
        Listen {
            child,
            url,
            log,
            _dir: dir,
            lines,
            ready,
            notes,
        }
    }

    /// The lines listen has said on stderr since they were last read, without waiting.
    pub fn notes_so_far(&self) -> Vec<String> {
        self.notes.try_iter().collect()
    }

    /// The lines listen says on stderr from now on, up to the first that contains
    /// `wanted`; fails the test when none does within a minute.
    pub fn notes_until(&self, wanted: &str) -> Vec<String> {
        let mut said = Vec::new();
        loop {
            let line = self
                .notes
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("listen never said {wanted:?}; it said {said:#?}"));
            let done = line.contains(wanted);
            said.push(line);
            if done {
                return said;
            }
        }
    }

    /// The next line listen prints on stdout, as JSON.
    pub fn next_line(&self) -> Value {
        let line = self.next_text();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// The next line listen prints on stdout, as it is.
    pub fn next_text(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(30))
            .expect("listen prints a line")
    }

    /// The records of the event log.
    pub fn records(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// POSTs `body` to `path` with `headers`; the status and the body of the answer.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
        let mut request = agent().post(format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send(body))
    }

    /// POSTs `body` as Divar does: JSON, with the identification key.
    pub fn deliver(&self, body: &[u8]) -> (u16, String) {
        self.post(
            "/divar/events",
            &[("content-type", "application/json"), ("authorization", KEY)],
            body,
        )
    }

    /// Writes `bytes` on a new connection and reads what comes back until it closes.
    pub fn raw(&self, bytes: &[u8]) -> String {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(bytes).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status and body of an answer.
pub fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    let mut response = result.expect("listen answers");
    let body = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), body)
}

/// A sample request's body, as `data/events/` keeps it.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/events")
        .join(format!("{name}.json"));
    std::fs::read(path).unwrap()
}
