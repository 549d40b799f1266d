//! A minimal HTTP/1.1 server for `scripts/bench.sh`: answers every request with Divar's
//! success body (an upload token or a media token to the media calls), keeps connections
//! alive, and prints its address on stdout. With a quota,
//! it accepts at most that many requests in any second and answers the rest 429 with
//! `Retry-After: 1`, as an API with a per-second quota would; with a latency, it holds
//! each answer back that long. It counts the 429s and prints the count on stderr at the
//! end of each connection.
//!
//! With `tls` as its fourth argument it speaks https, with the test certificate for
//! 127.0.0.1 in `tests/data` (signed by `tests/data/test-ca.pem`). With `window MS`
//! instead, the quota is per fixed window of MS milliseconds, counted from the first
//! request, and the 429s past it say nothing of when to come back (no `Retry-After`), as
//! Divar documents its per-minute quota.
//!
//! Usage: `bench_server [PORT [QUOTA [LATENCY_MS [tls | window MS]]]]` (port 0 picks a free
//! one; quota 0 is none).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
content-length: 34\r\n\r\n{\"status\":200,\"message\":\"success\"}";
const UPLOAD_TOKEN: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
content-length: 22\r\n\r\n{\"token\":\"bench-up-1\"}";
const MEDIA_TOKEN: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
content-length: 22\r\n\r\n{\"id\":\"bench-media-1\"}";
const LIMITED: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
retry-after: 1\r\ncontent-length: 39\r\n\r\n{\"message\":\"per-second quota exceeded\"}";
const WINDOW_SPENT: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
content-length: 35\r\n\r\n{\"message\":\"window quota exceeded\"}";

struct Limits {
    quota: usize,
    latency: Duration,
    /// When each request of the last second was accepted.
    recent: Mutex<VecDeque<Instant>>,
    /// A fixed window instead: its length, and the first request's time, the window's
    /// number and the requests it accepted.
    window: Option<Duration>,
    counted: Mutex<(Option<Instant>, u128, usize)>,
    refused: AtomicU64,
}

impl Limits {
    fn accept(&self) -> bool {
        if self.quota == 0 {
            return true;
        }
        let now = Instant::now();
        if let Some(window) = self.window {
            let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
            let first = *counted.0.get_or_insert(now);
            let number = now.duration_since(first).as_nanos() / window.as_nanos().max(1);
            if number != counted.1 {
                *counted = (Some(first), number, 0);
            }
            if counted.2 < self.quota {
                counted.2 += 1;
                return true;
            }
            self.refused.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        while recent
            .front()
            .is_some_and(|&at| now.duration_since(at) >= Duration::from_secs(1))
        {
            recent.pop_front();
        }
        if recent.len() < self.quota {
            recent.push_back(now);
            return true;
        }
        self.refused.fetch_add(1, Ordering::Relaxed);
        false
    }
}

fn main() -> std::io::Result<()> {
    let arg = |n: usize| -> u64 {
        std::env::args()
            .nth(n)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    };
    let port = u16::try_from(arg(1)).unwrap_or(0);
    let window = (std::env::args().nth(4).as_deref() == Some("window"))
        .then(|| Duration::from_millis(arg(5)));
    let limits = Arc::new(Limits {
        quota: usize::try_from(arg(2)).unwrap_or(0),
        latency: Duration::from_millis(arg(3)),
        recent: Mutex::new(VecDeque::new()),
        window,
        counted: Mutex::new((None, 0, 0)),
        refused: AtomicU64::new(0),
    });
    let tls = (std::env::args().nth(4).as_deref() == Some("tls")).then(tls_config);
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("{scheme}://{}", listener.local_addr()?);
    for stream in listener.incoming().flatten() {
        let limits = Arc::clone(&limits);
        let tls = tls.clone();
        std::thread::spawn(move || {
            let _ = stream.set_nodelay(true);
            match tls.map(rustls::ServerConnection::new) {
                Some(Ok(connection)) => {
                    serve(rustls::StreamOwned::new(connection, stream), &limits)
                }
                Some(Err(_)) => {}
                None => serve(stream, &limits),
            }
            eprintln!("429s so far: {}", limits.refused.load(Ordering::Relaxed));
        });
    }
    Ok(())
}

/// The test certificate for 127.0.0.1, with ring as the provider.
fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let certificates = CertificateDer::pem_file_iter(data.join("test-server.pem"))
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .expect("tests/data/test-server.pem");
    let key = PrivateKeyDer::from_pem_file(data.join("test-server.key"))
        .expect("tests/data/test-server.key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| {
            builder
                .with_no_client_auth()
                .with_single_cert(certificates, key)
        })
        .expect("a TLS configuration for the test certificate");
    Arc::new(config)
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: impl Read + Write, limits: &Limits) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        let mut length = 0;
        let mut first = true;
        let mut path = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = line.trim_end();
            if header.is_empty() {
                if first {
                    continue;
                }
                break;
            }
            if first {
                path = header.split(' ').nth(1).unwrap_or_default().to_owned();
            }
            first = false;
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        std::thread::sleep(limits.latency);
        let answer = if !limits.accept() {
            if limits.window.is_some() {
                WINDOW_SPENT
            } else {
                LIMITED
            }
        } else if path.ends_with("/chat/upload") {
            UPLOAD_TOKEN
        } else if path.starts_with("/upload/") {
            MEDIA_TOKEN
        } else {
            ANSWER
        };
        let writer = reader.get_mut();
        if writer
            .write_all(answer)
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}
