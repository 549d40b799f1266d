//! The settings of a run are resolved once: the config file is read once, however many of
//! its values a command uses. The config file here is a FIFO written once, which a
//! second read would wait on.

use crate::common;

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{API_KEY, Reply, TestServer, kenar};
use serde_json::json;

const CONVERSATION: &str = "conv-settings-1";
const CLIENT_SECRET: &str = "settings-client-secret-5a1e";

/// `config.toml` in a directory, as a FIFO that the test writes once: a second read of
/// it waits for a writer that never comes, until the run's timeout ends it.
struct ConfigOnce {
    path: PathBuf,
    /// Set when a reader opened the file: the content goes after it.
    opened: Arc<AtomicBool>,
    writer: JoinHandle<()>,
}

impl ConfigOnce {
    fn new(dir: &Path, text: String) -> Self {
        let path = dir.join("config.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo {}", path.display());
        let opened = Arc::new(AtomicBool::new(false));
        let writer = {
            let (path, opened) = (path.clone(), opened.clone());
            std::thread::spawn(move || {
                // Opening the writing end waits for a reader.
                let mut file = OpenOptions::new().write(true).open(&path).unwrap();
                opened.store(true, Ordering::SeqCst);
                // The test's own reader, when the run never read, goes without.
                let _ = file.write_all(text.as_bytes());
            })
        };
        ConfigOnce {
            path,
            opened,
            writer,
        }
    }

    /// Whether the run, now ended, read the file.
    fn was_read(self) -> bool {
        let read = self.opened.load(Ordering::SeqCst);
        if !read {
            // The writer still waits for a reader.
            drop(File::open(&self.path).unwrap());
        }
        self.writer.join().unwrap();
        read
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A config directory whose profile gives the API, the token endpoint and the client ID,
/// and whose one stored token for the conversation is due for a refresh; and the server
/// behind both endpoints.
fn refreshing_setup(dir: &Path) -> (TestServer, ConfigOnce) {
    let credentials = dir.join("credentials.json");
    std::fs::write(
        &credentials,
        json!({"profiles": {"default": [{
            "scopes": [format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}"), "offline_access"],
            "access_token": "ory_at_settings-old",
            "refresh_token": "ory_rt_settings-old",
            "expires": now() + 30,
            "redirect_uri": "https://my-app.example/callback",
        }]}})
        .to_string(),
    )
    .unwrap();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o600)).unwrap();
    let server = TestServer::start(|_, request| {
        if request.path == "/oauth2/token" {
            Reply::json(
                200,
                &json!({
                    "access_token": "ory_at_settings-new",
                    "expires_in": 3600,
                    "scope": "",
                    "token_type": "bearer",
                    "refresh_token": "ory_rt_settings-new",
                })
                .to_string(),
            )
        } else {
            Reply::success()
        }
    });
    let config = ConfigOnce::new(
        dir,
        format!(
            "[profiles.default]\napi_url = \"{url}\"\ntoken_url = \"{url}/oauth2/token\"\n\
             client_id = \"my-app\"\n",
            url = server.url()
        ),
    );
    (server, config)
}

fn kenar_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        // Ends a run that waits to read the file a second time.
        .timeout(Duration::from_secs(60));
    cmd
}

/// The paths `server` was asked for, in order.
fn paths(server: &TestServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.path).collect()
}

#[test]
fn one_send_reads_the_config_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let (server, config) = refreshing_setup(dir.path());
    kenar_in(dir.path())
        .args(["send", "--conversation-id", CONVERSATION, "--message", "hi"])
        .assert()
        .success();
    assert!(config.was_read());
    assert_eq!(
        paths(&server),
        [
            "/oauth2/token".to_owned(),
            format!("/v2/open-platform/conversations/{CONVERSATION}/messages")
        ]
    );
}

#[test]
fn one_batch_reads_the_config_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let (server, config) = refreshing_setup(dir.path());
    let line = |text| json!({"conversation_id": CONVERSATION, "message": text});
    kenar_in(dir.path())
        .args(["send", "--batch", "-"])
        .write_stdin(format!("{}\n{}\n", line("one"), line("two")))
        .assert()
        .success();
    assert!(config.was_read());
    let sends = format!("/v2/open-platform/conversations/{CONVERSATION}/messages");
    assert_eq!(
        paths(&server),
        ["/oauth2/token".to_owned(), sends.clone(), sends]
    );
}
