//! Network failures as a user reads them: what failed, where (host and port, and the proxy
//! in the way), and what to do, said once; the HTTP library's own account only with -v.

use crate::common;

use common::{CONVERSATION, Reply, TestServer, send_to};

/// What the HTTP library would say, which no error may show without -v.
const LIBRARY_WORDS: [&str; 4] = [
    "client error",
    "tcp connect error",
    "request or response body error",
    "connection closed before message completed",
];

fn message(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.args(["--conversation-id", CONVERSATION, "--message", "hi"])
}

fn stderr_of(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let output = cmd.assert().code(code).get_output().clone();
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_refused_connection_names_the_host_and_port_once() {
    let port = common::free_port();
    let stderr = stderr_of(
        message(&mut send_to(&format!("http://127.0.0.1:{port}"))).args(["--retries", "0"]),
        5,
    );
    assert_eq!(
        stderr,
        format!(
            "error: cannot connect to the API at 127.0.0.1:{port} (the connection was refused); \
             check that a server listens there and that the URL is right; the request never \
             reached the server\n"
        )
    );
}

#[test]
fn the_http_librarys_account_is_kept_for_verbose_output() {
    let port = common::free_port();
    let stderr = stderr_of(
        message(&mut send_to(&format!("http://127.0.0.1:{port}"))).args(["-v", "--retries", "0"]),
        5,
    );
    assert!(
        stderr.contains("< (the HTTP library says: ") && stderr.contains("refused"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error: cannot connect").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_proxy_that_fails_is_named_with_the_variable_that_set_it() {
    for variable in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let port = common::free_port();
        let stderr = stderr_of(
            message(&mut send_to("https://api.kenar.invalid"))
                .env_remove("NO_PROXY")
                .env_remove("no_proxy")
                .env(variable, format!("http://user:pr0xy-pw@127.0.0.1:{port}"))
                .args(["--retries", "0"]),
            5,
        );
        assert!(
            stderr.contains(&format!(
                "cannot connect to the API at api.kenar.invalid:443 through the proxy \
                 127.0.0.1:{port}, which {variable} names (the connection was refused); check \
                 the proxy, or unset {variable}"
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("pr0xy-pw"), "{stderr}");
        for words in LIBRARY_WORDS {
            assert!(!stderr.contains(words), "{stderr}");
        }
    }
}

#[test]
fn a_connection_dropped_after_the_request_says_delivery_is_in_doubt_in_plain_words() {
    let server = TestServer::start(|_, _| Reply::Raw(Vec::new()));
    let stderr = stderr_of(
        message(&mut send_to(&server.url())).args(["--retries", "0"]),
        5,
    );
    assert_eq!(
        stderr,
        format!(
            "error: the connection to 127.0.0.1:{} broke before the whole answer arrived; \
             delivery is uncertain: the request may have been acted on\n",
            server.port
        )
    );
    assert_eq!(server.requests().len(), 1);
}
