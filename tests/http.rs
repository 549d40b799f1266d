//! The HTTP layer at its boundary: which addresses a send tries, which proxies it takes,
//! answers that other HTTP clients accept, and what a plain-http run never reads.

use crate::common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{ACCESS_TOKEN, API_KEY, Reply, TestServer, send_to};
use predicates::prelude::*;

fn message_args(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.args(common::CHAT_IDS).args(["--message", "m"])
}

/// A listener on `address` that never completes a handshake: its accept queue is full,
/// so the kernel drops every new SYN, as with a dead route or a firewalled host. `None`
/// when the address or port cannot be had.
fn black_hole(
    address: SocketAddr,
) -> Option<(
    tokio::runtime::Runtime,
    tokio::net::TcpListener,
    Vec<TcpStream>,
)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let listener = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().ok()?;
        socket.bind(address).ok()?;
        socket.listen(0).ok()
    })?;
    let mut queued = Vec::new();
    while queued.len() < 8 {
        match TcpStream::connect_timeout(&address, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            Err(_) => return Some((runtime, listener, queued)),
        }
    }
    None
}

#[test]
fn a_dead_first_address_does_not_fail_the_send() {
    let server = TestServer::success();
    let dead = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), server.port);
    let Some(_hole) = black_hole(dead) else {
        panic!("cannot make a listener that drops SYNs on {dead}");
    };
    let started = Instant::now();
    message_args(&mut send_to(&format!("http://localhost:{}", server.port)))
        .args([
            "--resolve",
            &format!("localhost:{}:127.0.0.2,127.0.0.1", server.port),
            "--connect-timeout",
            "4",
            "--retries",
            "0",
        ])
        .assert()
        .success();
    assert_eq!(server.requests().len(), 1);
    // Each address gets its share of the connect timeout, not all of it.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_address_that_never_answers_is_not_sent_to_and_is_retried() {
    let port = common::free_port();
    let dead = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), port);
    let Some(_hole) = black_hole(dead) else {
        panic!("cannot make a listener that drops SYNs on {dead}");
    };
    message_args(&mut send_to(&format!("http://localhost:{port}")))
        .args([
            "--resolve",
            &format!("localhost:{port}:127.0.0.2"),
            "--connect-timeout",
            "0.3",
            "--retries",
            "1",
            "--max-wait",
            "1",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "timed out after 300ms while connecting",
        ))
        .stderr(predicate::str::contains("retrying in "))
        .stderr(predicate::str::contains(
            "the request never reached the server",
        ));
}

#[test]
fn a_name_that_does_not_resolve_is_bounded_by_the_connect_timeout() {
    let started = Instant::now();
    message_args(&mut send_to("https://kenar-chat.invalid"))
        .args(["--connect-timeout", "2", "--retries", "0"])
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("cannot connect to the API"))
        .stderr(predicate::str::contains(
            "the request never reached the server",
        ));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn resolve_is_checked_before_anything_is_sent() {
    let server = TestServer::success();
    for (entry, problem) in [
        ("localhost:80", "no address"),
        ("localhost:0:127.0.0.1", "the port must be"),
        ("127.0.0.1:80:127.0.0.1", "the host must be a name"),
        (
            "localhost:80:10.1.2.3",
            "may only resolve to loopback addresses",
        ),
        (
            "api.divar.ir:443:nowhere",
            "\"nowhere\" is not an IP address",
        ),
    ] {
        message_args(&mut send_to(&server.url()))
            .args(["--resolve", entry])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--resolve"))
            .stderr(predicate::str::contains(problem));
    }
    message_args(&mut send_to(&format!("http://localhost:{}", server.port)))
        .args(["--resolve", "localhost:1:127.0.0.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "--resolve: localhost is given for port 1, but the request goes to port {}",
            server.port
        )));
    assert!(server.requests().is_empty());
}

/// The library says which setting is at fault; every place that shows it names the flag:
/// the error, `-v`'s account of the attempt, and a batch line's error.
#[test]
fn a_resolve_for_another_port_is_named_by_its_flag_wherever_it_is_shown() {
    let server = TestServer::success();
    let base = format!("http://localhost:{}", server.port);
    let said = format!(
        "--resolve: localhost is given for port 1, but the request goes to port {}",
        server.port
    );
    let output = message_args(&mut send_to(&base))
        .args(["--resolve", "localhost:1:127.0.0.1", "-v"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("< no answer after ") && line.ends_with(&said)),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("error: {said}\n")), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch.jsonl");
    std::fs::write(
        &batch,
        format!(
            "{}\n",
            serde_json::json!({"user_id": common::USER, "post_token": common::POST,
                               "peer_id": common::PEER, "message": "m"})
        ),
    )
    .unwrap();
    send_to(&base)
        .args(["--resolve", "localhost:1:127.0.0.1", "--batch"])
        .arg(&batch)
        .assert()
        .code(6)
        .stderr(predicate::str::contains(format!("line 1: {said}\n")));
    assert!(server.requests().is_empty());
}

#[test]
fn an_identity_transfer_coding_is_read_to_the_end_of_the_connection() {
    let server = TestServer::start(|_, _| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: identity\r\n\r\n{\"status\":200,\"message\":\"success\"}"
                .to_vec(),
        )
    });
    message_args(&mut send_to(&server.url())).assert().success();
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn secrets_echoed_into_the_framing_are_never_printed() {
    let framings = [
        format!("HTTP/1.1 200 OK\r\ncontent-length: {API_KEY}\r\n\r\n"),
        format!("HTTP/1.1 200 OK\r\ntransfer-encoding: {ACCESS_TOKEN}, chunked\r\n\r\n"),
        format!("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{ACCESS_TOKEN}\r\n"),
        format!("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{API_KEY}\r\n"),
        format!("HTTP/1.1 {API_KEY} OK\r\ncontent-length: 0\r\n\r\n"),
    ];
    for framing in framings {
        let server = TestServer::start(move |_, _| Reply::Raw(framing.clone().into_bytes()));
        let output = message_args(&mut send_to(&server.url()))
            .args(["-v", "--retries", "0"])
            .assert()
            .code(5)
            .get_output()
            .clone();
        common::assert_no_secret(&output, &[API_KEY, ACCESS_TOKEN]);
    }
}

/// An https request through a proxy of each scheme: the proxy is reached (here a closed
/// port, so nothing is sent), and its password is shown nowhere.
#[test]
fn https_and_socks5_proxies_are_used() {
    for scheme in ["http", "https", "socks5", "socks5h"] {
        let port = common::free_port();
        let output = message_args(&mut send_to("https://api.kenar.invalid"))
            .env(
                "HTTPS_PROXY",
                format!("{scheme}://user:pr0xy-pw@127.0.0.1:{port}"),
            )
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .args(["--retries", "0"])
            .assert()
            .code(5)
            .stderr(predicate::str::contains(
                "the request never reached the server",
            ))
            .get_output()
            .clone();
        common::assert_no_secret(&output, &["pr0xy-pw"]);
    }
    message_args(&mut send_to("https://api.kenar.invalid"))
        .env("HTTPS_PROXY", "ftp://user:pr0xy-pw@127.0.0.1:21")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HTTPS_PROXY"))
        .stderr(predicate::str::contains("not ftp://"))
        .stderr(predicate::str::contains("pr0xy-pw").not());
}

/// The system's root certificates are read at the first TLS handshake only: here the
/// certificate file is a FIFO nobody writes to, so reading it would never end.
#[cfg(unix)]
#[test]
fn a_plain_http_send_reads_no_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("roots.pem");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let server = TestServer::success();
    message_args(&mut send_to(&server.url()))
        .env("SSL_CERT_FILE", &fifo)
        .env("SSL_CERT_DIR", dir.path())
        .timeout(Duration::from_secs(10))
        .assert()
        .success();
    assert_eq!(server.requests().len(), 1);
}
