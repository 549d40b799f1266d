//! https end to end: a TLS server on 127.0.0.1 whose certificate a test CA signed, reached
//! through the same client as every other request, with the CA given by `--cacert`.
//!
//! tests/data/test-ca.pem (the CA) signs tests/data/test-server.pem, a P-256 certificate
//! for 127.0.0.1, localhost and api.kenar.test valid from 2000 to 2125, whose key is
//! tests/data/test-server.key; both made with `openssl ca`.

use crate::common;

use std::io::{BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread;

use common::listen::{KEY, Listen, fixture};
use common::{ACCESS_TOKEN, API_KEY, PEER, POST, Recorded, USER, send_to};
use predicates::prelude::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

const SUCCESS: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
content-length: 34\r\n\r\n{\"status\":200,\"message\":\"success\"}";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// An https server that records each request with the ALPN protocol of its connection,
/// and answers every one with Divar's success body.
struct TlsServer {
    port: u16,
    requests: Arc<Mutex<Vec<Received>>>,
}

#[derive(Debug, Clone)]
struct Received {
    request: Recorded,
    alpn: Option<Vec<u8>>,
}

impl TlsServer {
    fn start() -> Self {
        let certificates = CertificateDer::pem_file_iter(data("test-server.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(data("test-server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certificates, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (config, seen) = (Arc::clone(&config), Arc::clone(&seen));
                thread::spawn(move || serve(stream, config, &seen));
            }
        });
        TlsServer { port, requests }
    }

    fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, config: Arc<ServerConfig>, seen: &Mutex<Vec<Received>>) {
    let connection = ServerConnection::new(config).unwrap();
    let mut reader = BufReader::new(StreamOwned::new(connection, stream));
    // A failed handshake ends the connection here, before any request.
    while let Some(request) = common::read_request(&mut reader) {
        let tls = reader.get_mut();
        let alpn = tls.conn.alpn_protocol().map(<[u8]>::to_vec);
        seen.lock().unwrap().push(Received { request, alpn });
        if tls.write_all(SUCCESS).and_then(|()| tls.flush()).is_err() {
            return;
        }
    }
}

/// An http proxy that opens one CONNECT tunnel, to the TLS server whatever host it is asked
/// for, and records the CONNECT request.
fn tunnelling_proxy(server_port: u16) -> (u16, thread::JoinHandle<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let proxy = thread::spawn(move || {
        let (client, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(client.try_clone().unwrap());
        let connect = common::read_request(&mut reader).unwrap();
        let mut client_writer = client.try_clone().unwrap();
        client_writer
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        let server = TcpStream::connect(("127.0.0.1", server_port)).unwrap();
        let mut server_reader = server.try_clone().unwrap();
        let mut server_writer = server;
        let upstream = thread::spawn(move || {
            let _ = std::io::copy(&mut reader, &mut server_writer);
            let _ = server_writer.shutdown(Shutdown::Write);
        });
        let _ = std::io::copy(&mut server_reader, &mut client_writer);
        let _ = client_writer.shutdown(Shutdown::Both);
        let _ = upstream.join();
        connect
    });
    (port, proxy)
}

fn send(url: &str) -> assert_cmd::Command {
    let mut cmd = send_to(url);
    cmd.args(common::CHAT_IDS)
        .args(["--message", "Your order has shipped", "--retries", "0"]);
    cmd
}

#[test]
fn https_with_the_ca_from_cacert_sends_the_exact_request() {
    let server = TlsServer::start();
    // An IP address (checked against the certificate's IP name, no SNI) and a host name
    // (sent as SNI, checked against its DNS name).
    for host in ["127.0.0.1", "localhost"] {
        send(&format!("https://{host}:{}", server.port))
            .arg("--cacert")
            .arg(data("test-ca.pem"))
            .assert()
            .success()
            .stdout(predicate::str::starts_with("sent: "));
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    for (Received { request, alpn }, host) in requests.iter().zip(["127.0.0.1", "localhost"]) {
        assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/v2/open-platform/chat/conversation");
        let body = format!(
            r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","type":"TEXT","message":"Your order has shipped"}}"#
        );
        let headers = request.header_pairs();
        let authority = format!("{host}:{}", server.port);
        let length = body.len().to_string();
        assert_eq!(
            headers,
            [
                ("content-type", "application/json"),
                ("x-api-key", API_KEY),
                ("x-access-token", ACCESS_TOKEN),
                ("accept", "*/*"),
                (
                    "user-agent",
                    concat!("kenar-chat/", env!("CARGO_PKG_VERSION"))
                ),
                ("host", authority.as_str()),
                ("content-length", length.as_str()),
            ]
        );
        assert_eq!(String::from_utf8_lossy(&request.body), body);
    }
}

#[test]
fn a_certificate_no_trusted_ca_signed_means_nothing_is_sent() {
    let server = TlsServer::start();
    send(&format!("https://127.0.0.1:{}", server.port))
        .assert()
        .code(5)
        .stderr(predicate::str::contains("cannot connect to the API"))
        .stderr(predicate::str::contains("certificate"))
        .stderr(predicate::str::contains(
            "the request never reached the server",
        ));
    assert!(server.requests().is_empty());
}

#[test]
fn https_through_a_proxy_tunnels_tls_and_the_proxy_sees_no_credential() {
    let server = TlsServer::start();
    let (proxy_port, proxy) = tunnelling_proxy(server.port);
    let output = send("https://api.kenar.test")
        .env(
            "HTTPS_PROXY",
            format!("http://proxy-user:pr%40xy-pw@127.0.0.1:{proxy_port}"),
        )
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .arg("--cacert")
        .arg(data("test-ca.pem"))
        .assert()
        .success()
        .get_output()
        .clone();
    common::assert_no_secret(&output, &[API_KEY, ACCESS_TOKEN, "pr@xy-pw", "pr%40xy-pw"]);
    let connect = proxy.join().unwrap();
    assert_eq!(connect.method, "CONNECT");
    assert_eq!(connect.path, "api.kenar.test:443");
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "proxy-user:pr@xy-pw",
    );
    let headers = connect.header_pairs();
    assert_eq!(
        headers,
        [
            ("host", "api.kenar.test:443"),
            (
                "user-agent",
                concat!("kenar-chat/", env!("CARGO_PKG_VERSION"))
            ),
            ("proxy-authorization", format!("Basic {basic}").as_str()),
        ]
    );
    assert!(connect.body.is_empty());
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let request = &requests[0].request;
    assert_eq!(request.header("host"), Some("api.kenar.test"));
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert_eq!(request.header("x-access-token"), Some(ACCESS_TOKEN));
}

#[test]
fn listen_and_trigger_reach_an_https_app_with_cacert_and_resolve() {
    let server = TlsServer::start();
    let app = format!("https://app.kenar.test:{}/divar/events", server.port);
    let resolve = format!("app.kenar.test:{}:127.0.0.1", server.port);
    let ca = data("test-ca.pem");
    let ca = ca.to_str().unwrap();
    // app.kenar.test is not among the certificate's names: the name checked is the URL's.
    let wrong = Listen::start(&["-f", &app, "--cacert", ca, "--resolve", &resolve]);
    let (status, answer) = wrong.deliver(&fixture("NEW_MESSAGE"));
    assert_eq!(status, 502, "{answer}");
    assert!(server.requests().is_empty());
    let app = format!("https://api.kenar.test:{}/divar/events", server.port);
    let resolve = format!("api.kenar.test:{}:127.0.0.1", server.port);
    let listen = Listen::start(&["-f", &app, "--cacert", ca, "--resolve", &resolve]);
    let (status, answer) = listen.deliver(&fixture("NEW_MESSAGE"));
    assert_eq!(
        (status, answer.as_str()),
        (200, r#"{"status":200,"message":"success"}"#)
    );
    common::kenar()
        .args([
            "trigger",
            "POST_UPDATE",
            "--to",
            &app,
            "--cacert",
            ca,
            "--resolve",
            &resolve,
        ])
        .env("KENAR_IDENTIFICATION_KEY", KEY)
        .assert()
        .success();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    // listen relays the body it received; trigger sends the sample without its last newline.
    let bodies = [
        fixture("NEW_MESSAGE"),
        fixture("POST_UPDATE").trim_ascii_end().to_vec(),
    ];
    for (Received { request, .. }, body) in requests.iter().zip(bodies) {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/divar/events");
        assert_eq!(
            request.header("host"),
            Some(format!("api.kenar.test:{}", server.port).as_str())
        );
        assert_eq!(request.header("authorization"), Some(KEY));
        assert_eq!(request.body, body);
    }
}
