//! What another web page, or a program on the machine, cannot make the sandbox do: read
//! it under another host name (DNS rebinding), click a button, frame a page, make it read
//! uploads nobody may make, or keep consent pages without end.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use crate::common::sandbox::{Sandbox, agent, hidden_fields, png, response};
use crate::common::{Reply, TestServer};

/// The sandbox's port.
fn port(sandbox: &Sandbox) -> u16 {
    url::Url::parse(&sandbox.url).unwrap().port().unwrap()
}

/// Sends `head` (the request line and headers, without the blank line that ends them) and
/// then `body` on a new connection, as a browser or another program could.
fn connect(sandbox: &Sandbox, head: &str, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port(sandbox))).unwrap();
    // A sandbox that does not answer fails the test instead of hanging it.
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(format!("{head}\r\n\r\n").as_bytes())
        .unwrap();
    stream.write_all(body).unwrap();
    stream
}

/// The status, the headers (names lower-cased) and the body of the answer on `stream`.
fn answer(stream: TcpStream) -> (u16, Vec<(String, String)>, String) {
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).expect("an answer");
    let status = status.split(' ').nth(1).expect("a status").parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(0, |(_, value)| value.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, headers, String::from_utf8(body).unwrap())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `method path` with `Host: host` (none when `None`), and no body.
fn request(sandbox: &Sandbox, method: &str, path: &str, host: Option<&str>) -> (u16, String) {
    let host = host.map_or(String::new(), |host| format!("\r\nHost: {host}"));
    let head = format!("{method} {path} HTTP/1.1{host}\r\nContent-Length: 0\r\nConnection: close");
    let (status, _, body) = answer(connect(sandbox, &head, b""));
    (status, body)
}

#[test]
fn every_route_refuses_a_host_other_than_its_own() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .send("a secret between two users")
        .assert()
        .success();
    let port = port(&sandbox);
    let routes = [
        ("GET", "/".to_owned()),
        ("GET", "/sandbox/messages".to_owned()),
        ("GET", "/media/anything".to_owned()),
        ("GET", sandbox.consent_path(super::CHAT, "s")),
        ("POST", "/oauth".to_owned()),
        ("GET", "/oauth2/auth?response_type=code".to_owned()),
        ("GET", "/sandbox/callback?code=c".to_owned()),
        ("POST", "/sandbox/click".to_owned()),
        ("POST", "/upload/image".to_owned()),
        ("POST", "/upload/other".to_owned()),
        ("POST", "/experimental/open-platform/chat/upload".to_owned()),
        ("POST", "/v2/open-platform/chat/conversation".to_owned()),
        ("POST", "/v1/open-platform/oauth/access_token".to_owned()),
        ("POST", "/oauth2/token".to_owned()),
        ("GET", "/no/such/path".to_owned()),
    ];
    let foreign = [
        Some(format!("rebound.example:{port}")),
        Some(format!("localhost.rebound.example:{port}")),
        Some(format!("127.0.0.1:{}", port.wrapping_add(1))),
        Some("127.0.0.1".to_owned()),
        Some(format!("[::1]:{port}")),
        None,
    ];
    for (method, path) in &routes {
        for host in &foreign {
            let (status, body) = request(&sandbox, method, path, host.as_deref());
            assert_eq!(status, 421, "{method} {path} for {host:?}: {body}");
            assert_eq!(
                body,
                format!(
                    "This sandbox answers only requests addressed to {}/: 127.0.0.1 or \
                     localhost on port {port}.\n",
                    sandbox.url
                )
            );
        }
    }
    // An absolute target naming another host is refused too, whatever Host says.
    let (status, _) = request(
        &sandbox,
        "GET",
        "http://rebound.example/sandbox/messages",
        Some(&format!("127.0.0.1:{port}")),
    );
    assert_eq!(status, 421);
    // Two Host headers, its own first: which was meant is unknown, so neither is served.
    for second in [
        format!("rebound.example:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        let hosts = format!("127.0.0.1:{port}\r\nHost: {second}");
        let (status, body) = request(&sandbox, "GET", "/sandbox/messages", Some(&hosts));
        assert_eq!(status, 400, "{second}: {body}");
        assert_eq!(
            body,
            "A request names one host: this one has more than one Host header.\n"
        );
    }
    // Its own names are served, in any case.
    for own in [format!("127.0.0.1:{port}"), format!("LOCALHOST:{port}")] {
        let (status, body) = request(&sandbox, "GET", "/sandbox/messages", Some(&own));
        assert_eq!(status, 200, "{own}: {body}");
        assert!(body.contains("a secret between two users"), "{body}");
    }
}

#[test]
fn a_click_without_the_chat_views_key_is_refused_and_the_app_is_not_called() {
    let app = TestServer::start(|_, _| {
        Reply::json(200, r#"{"status":"200","url":"https://app.example/s"}"#)
    });
    let sandbox = Sandbox::for_app(&app, &[]);
    sandbox.send_link_button();
    let click = [("message", "1"), ("side", "sender")];
    for key in [None, Some(""), Some("guessed")] {
        let mut form = click.to_vec();
        form.extend(key.map(|key| ("key", key)));
        let (status, headers, page) = sandbox.post_form("/sandbox/click", &form);
        assert_eq!(status, 403, "{key:?}: {page}");
        assert!(!headers.contains_key("location"));
        assert!(
            page.contains("this click was not made in the sandbox&#39;s chat view"),
            "{page}"
        );
    }
    assert!(app.requests().is_empty(), "the app is never called");
    // The chat view's own form still clicks.
    let (status, headers, _) = sandbox.click(&click);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "https://app.example/s");
    assert_eq!(app.requests().len(), 1);
}

#[test]
fn no_page_can_be_framed() {
    let sandbox = Sandbox::start(&[]);
    let consent = sandbox.consent_path(super::CHAT, "s");
    for path in ["/", consent.as_str(), "/oauth", "/sandbox/callback?code=c"] {
        let (status, headers, _) = sandbox.get(path);
        assert!(status == 200 || status == 400, "{path}: {status}");
        assert_eq!(
            headers["content-type"], "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(
            headers["content-security-policy"], "frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
    let token = sandbox.upload_token();
    let (status, answer) = sandbox.upload("image", &token, "file", "a.png", &png());
    assert_eq!(status, 200, "{answer}");
    let media = format!("/media/{}", answer["id"].as_str().unwrap());
    let (_, headers, _) = sandbox.get_bytes(&media);
    assert_eq!(
        headers["content-security-policy"],
        "sandbox; frame-ancestors 'none'"
    );
}

/// The head of an upload of `length` bytes to `/upload/image` with `token`.
fn upload_head(sandbox: &Sandbox, token: &str, length: usize) -> String {
    format!(
        "POST /upload/image HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}",
        port(sandbox)
    )
}

#[test]
fn an_upload_with_a_refused_token_is_answered_before_its_body_is_read() {
    let sandbox = Sandbox::start(&[]);
    // A 4 MB body is announced and none of it sent: only a sandbox that does not wait for
    // it answers.
    let stream = connect(&sandbox, &upload_head(&sandbox, "made-up", 4_000_000), b"");
    let (status, headers, body) = answer(stream);
    assert_eq!(status, 401, "{body}");
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], 16);
    assert_eq!(body["message"], "invalid upload token");
}

/// Asks for uploads with a made-up token until the answer is `status`: uploads under way
/// take their turn as soon as their head arrives, which the test cannot see otherwise.
fn refused_with(sandbox: &Sandbox, status: u16) -> (u16, Vec<(String, String)>, String) {
    for _ in 0..400 {
        let stream = connect(sandbox, &upload_head(sandbox, "made-up", 10), b"");
        let answered = answer(stream);
        if answered.0 == status {
            return answered;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the upload was never answered {status}");
}

#[test]
fn uploads_past_the_cap_are_refused_until_one_ends() {
    let sandbox = Sandbox::start(&[]);
    // Eight uploads with good tokens, each stopped in the middle of its body.
    let mut under_way: Vec<TcpStream> = (0..8)
        .map(|_| {
            let token = sandbox.upload_token();
            let start =
                b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n";
            connect(&sandbox, &upload_head(&sandbox, &token, 1_000_000), start)
        })
        .collect();
    let (_, headers, body) = refused_with(&sandbox, 429);
    assert_eq!(header(&headers, "retry-after"), Some("1"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], 8);
    assert_eq!(
        body["message"],
        "8 uploads are being received already: retry when one has ended"
    );
    // One ends (its client goes away): there is room again, and the next is heard.
    drop(under_way.pop());
    let (_, _, body) = refused_with(&sandbox, 401);
    assert!(body.contains("invalid upload token"), "{body}");
}

#[test]
fn consent_pages_past_the_cap_forget_the_oldest() {
    let sandbox = Sandbox::start(&[]);
    let consent = sandbox.consent_path(super::CHAT, "s");
    let form = |page: &str| {
        let mut form = hidden_fields(page);
        form.push(("decision".into(), "approve".into()));
        form
    };
    let decide = |form: &[(String, String)]| {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        sandbox.post_form("/oauth", &form).0
    };
    let open = || {
        let (status, _, page) = response(agent().get(format!("{}{consent}", sandbox.url)).call());
        assert_eq!(status, 200, "{page}");
        form(&page)
    };
    let first = open();
    let mut last = first.clone();
    for _ in 0..256 {
        last = open();
    }
    assert_eq!(decide(&first), 403, "the oldest page is forgotten");
    assert_eq!(decide(&last), 303, "the newest still answers");
}
