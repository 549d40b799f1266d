//! The GitHub Action (`action.yml`) run as the runner runs it: each step's `env` and `run`
//! from the file, with its `${{ }}` expressions filled in, in bash, one after the other.
//! The release download goes to a local server holding an archive of the binary under
//! test and its SHA256SUMS, and the messages go to a real sandbox or test server.
// The action's steps are bash scripts that unpack a tar archive.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::sandbox::Sandbox;
use common::{PEER, POST, Reply, TestServer, USER};
use kenar_chat::sandbox::DEMO_CONVERSATION;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const VERSION: &str = "v0.1.0";
const REPOSITORY: &str = "acme/kenar-chat";

#[derive(Debug, Deserialize)]
struct Action {
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, ActionOutput>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
struct Input {
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ActionOutput {
    value: String,
}

#[derive(Debug, Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Step {
    id: Option<String>,
    shell: String,
    #[serde(default)]
    env: BTreeMap<String, String>,
    run: String,
}

/// The `action.yml` in `dir`.
fn read_action(dir: &Path) -> Action {
    let text = std::fs::read_to_string(dir.join("action.yml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("action.yml: {e}"))
}

/// What the runner tells the steps about the machine, for the machine the tests run on.
fn runner() -> (&'static str, &'static str, &'static str) {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => ("Linux", "X64", "x86_64-unknown-linux-gnu"),
        ("linux", "aarch64") => ("Linux", "ARM64", "aarch64-unknown-linux-gnu"),
        ("macos", "x86_64") => ("macOS", "X64", "x86_64-apple-darwin"),
        ("macos", "aarch64") => ("macOS", "ARM64", "aarch64-apple-darwin"),
        other => panic!("no kenar-chat release is built for {other:?}"),
    }
}

/// A stand-in for GitHub's release downloads: `/OWNER/REPO/releases/download/TAG/FILE`
/// serves the archive `release.yml` makes of the binary under test, and SHA256SUMS.
struct Release {
    server: TestServer,
    archive: String,
}

/// The archive `release.yml` makes of the binary under test, and its name: made once per
/// run of this file, since packing the debug binary takes seconds.
fn archive() -> &'static (String, Vec<u8>) {
    static ARCHIVE: OnceLock<(String, Vec<u8>)> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let (_, _, target) = runner();
        let name = format!("kenar-chat-{VERSION}-{target}");
        let dist = tempfile::tempdir().unwrap();
        std::fs::create_dir(dist.path().join(&name)).unwrap();
        std::fs::copy(
            assert_cmd::cargo::cargo_bin("kenar-chat"),
            dist.path().join(&name).join("kenar-chat"),
        )
        .unwrap();
        let archive = format!("{name}.tar.gz");
        let packed = Command::new("tar")
            .args(["-czf", &archive, &name])
            .current_dir(dist.path())
            .status()
            .unwrap();
        assert!(packed.success());
        let bytes = std::fs::read(dist.path().join(&archive)).unwrap();
        (archive, bytes)
    })
}

impl Release {
    /// `checksum` replaces the archive's real SHA-256 in SHA256SUMS when given.
    fn publish(checksum: Option<&str>) -> Self {
        let (archive, bytes) = archive();
        let digest = Sha256::digest(bytes)
            .iter()
            .fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            });
        let sums = format!(
            "{}  {archive}\n{}  kenar-chat-{VERSION}-man.tar.gz\n",
            checksum.unwrap_or(&digest),
            "0".repeat(64)
        );
        let prefix = format!("/{REPOSITORY}/releases/download/{VERSION}/");
        let files = HashMap::from([
            (format!("{prefix}{archive}"), bytes.clone()),
            (format!("{prefix}SHA256SUMS"), sums.into_bytes()),
        ]);
        let server = TestServer::start(move |_, request| match files.get(&request.path) {
            Some(body) => Reply::Respond {
                status: 200,
                headers: vec![("content-type".into(), "application/octet-stream".into())],
                body: body.clone(),
            },
            None => Reply::json(404, r#"{"message":"Not Found"}"#),
        });
        Release {
            server,
            archive: archive.clone(),
        }
    }

    fn paths(&self) -> Vec<String> {
        self.server.requests().into_iter().map(|r| r.path).collect()
    }
}

/// How a run of the action ended.
#[derive(Debug)]
struct Run {
    /// Whether every step succeeded.
    success: bool,
    outputs: HashMap<String, String>,
    /// All the steps printed, stdout then stderr of each.
    log: String,
}

/// Runs the action as `uses: acme/kenar-chat@v0.1.0` with these inputs, in a workflow
/// whose step sets `env` (the secrets among them) and whose workspace is `workspace`.
fn run_action(
    release: &Release,
    workspace: &Path,
    inputs: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Run {
    let home = tempfile::tempdir().unwrap();
    // Where the runner checks out an action taken from a release.
    let action_path = home.path().join("_actions").join(REPOSITORY).join(VERSION);
    let scripts = action_path.join("scripts/action");
    std::fs::create_dir_all(&scripts).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(source.join("action.yml"), action_path.join("action.yml")).unwrap();
    for script in std::fs::read_dir(source.join("scripts/action")).unwrap() {
        let script = script.unwrap();
        std::fs::copy(script.path(), scripts.join(script.file_name())).unwrap();
    }
    let action = read_action(&action_path);
    assert_eq!(action.runs.using, "composite");
    for (name, _) in inputs {
        assert!(action.inputs.contains_key(*name), "no input {name}");
    }

    let temp = home.path().join("runner-temp");
    std::fs::create_dir(&temp).unwrap();
    let github_path = home.path().join("github-path");
    std::fs::write(&github_path, "").unwrap();
    let (os, arch, _) = runner();
    let mut steps: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut log = String::new();
    let mut success = true;
    for (index, step) in action.runs.steps.iter().enumerate() {
        assert_eq!(step.shell, "bash");
        let context = |expression: &str| -> String {
            if let Some(name) = expression.strip_prefix("inputs.") {
                let declared = action.inputs.get(name).unwrap_or_else(|| {
                    panic!("step {index} uses the undeclared input {name}");
                });
                let given = inputs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
                return given
                    .map(str::to_owned)
                    .or_else(|| declared.default.clone())
                    .unwrap_or_default();
            }
            step_output(&steps, expression)
        };
        let output = home.path().join(format!("github-output-{index}"));
        std::fs::write(&output, "").unwrap();
        let script = home.path().join(format!("step-{index}.sh"));
        std::fs::write(&script, expand(&step.run, &context)).unwrap();
        // Directories added to GITHUB_PATH come first, the latest first.
        let added = std::fs::read_to_string(&github_path).unwrap();
        let inherited = std::env::var("PATH").unwrap();
        let path: Vec<&str> = added.lines().rev().chain([inherited.as_str()]).collect();
        // As the runner starts a bash step: a clean shell that stops at the first failure.
        let ran = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .env_clear()
            .env("PATH", path.join(":"))
            .env("HOME", home.path())
            .env("KENAR_CONFIG_DIR", home.path().join("kenar-config"))
            .env("GITHUB_ACTION_PATH", &action_path)
            .env("GITHUB_SERVER_URL", release.server.url())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &github_path)
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .env("RUNNER_TEMP", &temp)
            .envs(env.iter().copied())
            .envs(step.env.iter().map(|(n, v)| (n, expand(v, &context))))
            .current_dir(workspace)
            .output()
            .unwrap();
        log.push_str(&String::from_utf8_lossy(&ran.stdout));
        log.push_str(&String::from_utf8_lossy(&ran.stderr));
        let written = std::fs::read_to_string(&output).unwrap();
        let written = written
            .lines()
            .map(|line| {
                let (name, value) = line.split_once('=').expect("name=value");
                (name.to_owned(), value.to_owned())
            })
            .collect();
        if let Some(id) = &step.id {
            steps.insert(id.clone(), written);
        }
        if !ran.status.success() {
            success = false;
            break;
        }
    }
    let outputs = action
        .outputs
        .iter()
        .map(|(name, output)| {
            let value = expand(&output.value, &|expression| step_output(&steps, expression));
            (name.clone(), value)
        })
        .collect();
    Run {
        success,
        outputs,
        log,
    }
}

/// `steps.ID.outputs.NAME`, empty when the step did not run or did not set it, as on GitHub.
fn step_output(steps: &HashMap<String, HashMap<String, String>>, expression: &str) -> String {
    let rest = expression
        .strip_prefix("steps.")
        .unwrap_or_else(|| panic!("an expression the runner stand-in does not know: {expression}"));
    let (id, name) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
    steps
        .get(id)
        .and_then(|outputs| outputs.get(name))
        .cloned()
        .unwrap_or_default()
}

/// `text` with each `${{ expression }}` replaced by its value.
fn expand(text: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .expect("an expression ends with }}")
            + start;
        out.push_str(&value(rest[start + 3..end].trim()));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn summary(run: &Run) -> Value {
    serde_json::from_str(&run.outputs["summary"])
        .unwrap_or_else(|e| panic!("{e}: the summary output of {run:#?}"))
}

/// The workflow step's env: the sandbox's URL and, from the workflow's secrets, its
/// API key and access token.
fn secrets(sandbox: &Sandbox) -> [(&str, &str); 3] {
    ["KENAR_API_URL", "KENAR_API_KEY", "KENAR_ACCESS_TOKEN"].map(|name| (name, sandbox.var(name)))
}

#[test]
fn the_action_installs_the_release_and_sends_one_message_once_per_journal() {
    let dir = tempfile::tempdir().unwrap();
    let release = Release::publish(None);
    let sandbox = Sandbox::start(&[]);
    // The chat and the text from a message file, the button from flags.
    std::fs::write(
        dir.path().join("shipped.json"),
        json!({"user_id": USER, "post_token": POST, "peer_id": PEER,
               "message": "سلام! سفارش شما ارسال شد."})
        .to_string(),
    )
    .unwrap();
    let flags = "--receiver-caption پیگیری سفارش\n--receiver-icon truck\n\
                 --receiver-direct-link https://shop.example/track/42\n";
    let inputs = [
        ("message-file", "shipped.json"),
        ("flags", flags),
        ("journal", "nightly.journal"),
    ];
    let run = run_action(&release, dir.path(), &inputs, &secrets(&sandbox));
    assert!(run.success, "{run:#?}");
    assert_eq!(
        summary(&run),
        json!({"lines": 1, "sent": 1, "already_sent": 0, "invalid": 0, "duplicates": 0,
               "failed": {"refused": 0, "refused_by_recipient": 0, "rate_limited": 0, "unavailable": 0},
               "in_doubt": 0, "in_doubt_lines": [], "not_attempted": 0, "input_unread": false,
               "learned_quota": null, "stopped": null})
    );
    assert_eq!(run.outputs["in-doubt"], "false");
    assert!(
        run.log
            .contains(&format!("installed kenar-chat {VERSION} ({})", runner().2)),
        "{run:#?}"
    );
    let prefix = format!("/{REPOSITORY}/releases/download/{VERSION}");
    assert_eq!(
        release.paths(),
        [
            format!("{prefix}/SHA256SUMS"),
            format!("{prefix}/{}", release.archive)
        ]
    );
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["message"], "سلام! سفارش شما ارسال شد.");
    assert_eq!(
        messages[0]["receiver_btn"],
        json!({"action": "DIRECT_LINK", "data": {"icon_name": "truck",
               "direct_link": "https://shop.example/track/42", "caption": "پیگیری سفارش"}})
    );
    for secret in secrets(&sandbox)
        .map(|(_, value)| value)
        .into_iter()
        .skip(1)
    {
        assert!(
            !run.log.contains(secret),
            "the log shows a secret: {}",
            run.log
        );
    }

    // The next run with the same journal, as a re-run of the workflow: nothing is sent twice.
    let again = run_action(&release, dir.path(), &inputs, &secrets(&sandbox));
    assert!(again.success, "{again:#?}");
    assert_eq!(summary(&again)["already_sent"], 1);
    assert_eq!(summary(&again)["sent"], 0);
    assert_eq!(sandbox.messages().len(), 1);
}

#[test]
fn a_batch_with_a_line_in_doubt_fails_and_says_so_in_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let release = Release::publish(None);
    // The second message gets a 5xx: it may have been delivered.
    let api = TestServer::start(|_, request| {
        if request.json()["peer_id"] == "peer-2" {
            Reply::json(503, r#"{"status":503,"message":"unavailable"}"#)
        } else {
            Reply::success()
        }
    });
    let lines: String = ["peer-1", "peer-2", "peer-3"]
        .iter()
        .map(|peer| {
            format!(
                "{}\n",
                json!({"user_id": USER, "post_token": POST, "peer_id": peer, "message": "Shipped"})
            )
        })
        .collect();
    std::fs::write(dir.path().join("buyers.jsonl"), lines).unwrap();
    let run = run_action(
        &release,
        dir.path(),
        &[
            ("batch", "buyers.jsonl"),
            ("journal", "buyers.journal"),
            ("options", "--concurrency 1\n--retries 0"),
        ],
        &[
            ("KENAR_API_URL", &api.url()),
            ("KENAR_API_KEY", common::API_KEY),
            ("KENAR_ACCESS_TOKEN", common::ACCESS_TOKEN),
        ],
    );
    assert!(!run.success, "{run:#?}");
    let summary = summary(&run);
    assert_eq!(summary["sent"], 2, "{summary}");
    assert_eq!(summary["in_doubt"], 1, "{summary}");
    assert_eq!(summary["in_doubt_lines"], json!([2]), "{summary}");
    assert_eq!(run.outputs["in-doubt"], "true");
    assert_eq!(api.requests().len(), 3);
    assert!(dir.path().join("buyers.journal").exists());
    assert!(!run.log.contains(common::ACCESS_TOKEN), "{}", run.log);
}

#[test]
fn an_archive_that_does_not_match_its_checksum_is_not_installed() {
    let dir = tempfile::tempdir().unwrap();
    let release = Release::publish(Some(&"ab".repeat(32)));
    let sandbox = Sandbox::start(&[]);
    let flags = format!("--user-id {USER}\n--post-token {POST}\n--peer-id {PEER}\n--message hi");
    let run = run_action(
        &release,
        dir.path(),
        &[("flags", &flags)],
        &secrets(&sandbox),
    );
    assert!(!run.success);
    assert!(
        run.log.contains(&format!(
            "{} does not match its checksum in SHA256SUMS",
            release.archive
        )),
        "{run:#?}"
    );
    assert_eq!(run.outputs["summary"], "");
    assert!(sandbox.messages().is_empty());
}

#[test]
fn a_conversation_message_goes_through_the_current_platform() {
    let dir = tempfile::tempdir().unwrap();
    let release = Release::publish(None);
    let sandbox = Sandbox::start(&[]);
    let flags = format!(
        "--conversation-id {DEMO_CONVERSATION}\n--message سفارش شما ارسال شد\n\
         --receiver-button Track it|LOCAL_SHIPPING|https://shop.example/track/42\n"
    );
    let inputs = [("platform", "current"), ("flags", flags.as_str())];
    let run = run_action(&release, dir.path(), &inputs, &secrets(&sandbox));
    assert!(run.success, "{run:#?}");
    assert_eq!(summary(&run)["sent"], 1);
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["message"], "سفارش شما ارسال شد");
    assert_eq!(
        messages[0]["receiver_buttons"]["rows"][0]["buttons"][0]["caption"],
        "Track it"
    );
}

#[test]
fn a_platform_that_does_not_fit_the_message_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let release = Release::publish(None);
    let sandbox = Sandbox::start(&[]);
    let chat = format!("--user-id {USER}\n--post-token {POST}\n--peer-id {PEER}\n--message hi\n");
    let conversation = format!("--conversation-id {DEMO_CONVERSATION}\n--message hi\n");
    for (platform, flags, expected) in [
        (
            "current",
            chat.as_str(),
            "platform: \"current\" sends to a conversation",
        ),
        (
            "legacy",
            conversation.as_str(),
            "platform: \"legacy\" sends to a chat",
        ),
        (
            "newest",
            chat.as_str(),
            "platform: must be \"legacy\" or \"current\", not \"newest\"",
        ),
    ] {
        let run = run_action(
            &release,
            dir.path(),
            &[("platform", platform), ("flags", flags)],
            &secrets(&sandbox),
        );
        assert!(!run.success);
        assert!(run.log.contains(expected), "{run:#?}");
    }
    assert!(sandbox.messages().is_empty());
}

/// The README's workflow and its tables of inputs and outputs name what `action.yml`
/// declares, and only that.
#[test]
fn the_readme_shows_the_inputs_and_outputs_the_action_declares() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = read_action(root);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("\n## Use in GitHub Actions\n")
        .nth(1)
        .expect("the README's GitHub Actions section")
        .split("\n## ")
        .next()
        .unwrap();
    let workflow = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a workflow");
    let workflow: serde_yaml_ng::Value = serde_yaml_ng::from_str(workflow).unwrap();
    let mut uses = 0;
    for job in workflow["jobs"].as_mapping().unwrap().values() {
        for step in job["steps"].as_sequence().unwrap() {
            let Some(action_ref) = step["uses"].as_str() else {
                continue;
            };
            if !action_ref.starts_with("OWNER/kenar-chat@") {
                continue;
            }
            uses += 1;
            for input in step["with"].as_mapping().unwrap().keys() {
                let input = input.as_str().unwrap();
                assert!(action.inputs.contains_key(input), "no input {input}");
            }
        }
    }
    assert_eq!(uses, 2, "{workflow:?}");
    for output in section.split("steps.kenar.outputs.").skip(1) {
        let name: String = output
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        assert!(action.outputs.contains_key(&name), "no output {name}");
    }
    let table = |header: &str| -> BTreeSet<String> {
        section
            .split(&format!("| {header} | meaning |\n|---|---|\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("a table of {header}s"))
            .lines()
            .take_while(|line| line.starts_with("| `"))
            .map(|line| line[3..].split('`').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(table("input"), action.inputs.keys().cloned().collect());
    assert_eq!(table("output"), action.outputs.keys().cloned().collect());
}
