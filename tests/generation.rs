//! Completions, man pages, `--help` and `--version`: what is generated from the command-line
//! definition, and that the committed completion files match it.

use crate::common;

use common::kenar;
use predicates::prelude::*;

/// How to bring `completions/` up to date after changing a flag or a command.
#[cfg(feature = "sandbox")]
const REGENERATE: &str = "cargo run -- completions --out-dir completions";

fn stdout_of(args: &[&str]) -> String {
    let output = kenar().args(args).assert().success().get_output().clone();
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The committed files are those of the default build, which has the `sandbox` command.
#[cfg(feature = "sandbox")]
#[test]
fn committed_completions_match_the_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "kenar-chat.bash"),
        ("zsh", "_kenar-chat"),
        ("fish", "kenar-chat.fish"),
        ("powershell", "_kenar-chat.ps1"),
        ("elvish", "kenar-chat.elv"),
    ] {
        let generated = stdout_of(&["completions", shell]);
        let committed = std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("completions/{file}: {e}; create it with `{REGENERATE}`"));
        // A checkout may have turned line ends into CRLF; the content is what matters.
        assert!(
            committed.replace("\r\n", "\n") == generated,
            "completions/{file} differs from `kenar-chat completions {shell}`; \
             regenerate every shell's file with `{REGENERATE}` and commit them"
        );
    }
}

#[test]
fn out_dir_writes_every_shell_file() {
    let dir = tempfile::tempdir().unwrap();
    kenar()
        .args(["completions", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "_kenar-chat",
            "_kenar-chat.ps1",
            "kenar-chat.bash",
            "kenar-chat.elv",
            "kenar-chat.fish"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("kenar-chat.bash")).unwrap(),
        stdout_of(&["completions", "bash"])
    );
}

#[test]
fn out_dir_is_created_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new/completions");
    kenar()
        .args(["completions", "--out-dir"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("kenar-chat.bash").is_file());
}

#[test]
fn a_shell_or_an_out_dir_is_required() {
    kenar()
        .arg("completions")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<SHELL>"));
    kenar()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: bash, elvish, fish, powershell, zsh",
        ));
}

/// What bash offers for the words typed so far, using the committed completion script
/// (the default build's, which has the `sandbox` command).
#[cfg(all(unix, feature = "sandbox"))]
fn bash_completes(words: &[&str]) -> Vec<String> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kenar-chat.bash");
    let program = r#"
        source "$1"
        shift
        function_name=$(complete -p kenar-chat | sed -E 's/.* -F ([^ ]+) .*/\1/')
        COMP_WORDS=("$@")
        COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        "$function_name" kenar-chat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let output = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", program, "bash"])
        .arg(&script)
        .args(words)
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[cfg(all(unix, feature = "sandbox"))]
#[test]
fn bash_completes_subcommands_and_choices() {
    assert_eq!(
        bash_completes(&["kenar-chat", "s"]),
        ["scope", "send", "sandbox"]
    );
    assert_eq!(
        bash_completes(&["kenar-chat", "send", "-o", ""]),
        ["text", "json"]
    );
    let flags = bash_completes(&["kenar-chat", "send", "--message-f"]);
    assert_eq!(flags, ["--message-file"]);
}

/// Flags that take a file complete file names (the choices of `-o`: see the bash test).
#[test]
fn completions_carry_value_hints() {
    let zsh = stdout_of(&["completions", "zsh"]);
    for flag in ["--file", "--message-file"] {
        assert!(
            zsh.lines()
                .any(|l| l.starts_with(&format!("'{flag}=[")) && l.contains(":PATH:_files'")),
            "{flag} does not complete file names"
        );
    }
}

#[test]
fn man_prints_a_roff_page_naming_every_command() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH kenar-chat 1"), "{page}");
    for command in ["scope", "oauth\\-url", "send", "completions", "man"] {
        assert!(
            page.contains(&format!("kenar\\-chat\\-{command}(1)")),
            "{command} missing from:\n{page}"
        );
    }
    assert!(!page.contains("kenar\\-chat\\-help(1)"), "{page}");
    // One page is the whole manual: every command's flags and examples follow.
    let send = &page[page
        .find(".SH \"KENAR-CHAT SEND\"")
        .expect("a send section")..];
    assert!(send.contains("\\-\\-message\\-file"), "{send}");
    assert!(
        send.contains("kenar\\-chat send \\-\\-batch buyers.jsonl"),
        "{send}"
    );
    let login = &page[page
        .find(".SH \"KENAR-CHAT OAUTH LOGIN\"")
        .expect("a login section")..];
    assert!(login.contains("\\-\\-wait"), "{login}");
}

#[test]
fn man_out_dir_writes_one_page_per_command() {
    let root = tempfile::tempdir().unwrap();
    // A directory that does not exist yet, as ~/.local/share/man/man1 often does not.
    let dir = root.path().join("share/man/man1");
    kenar()
        .args(["man", "--out-dir"])
        .arg(&dir)
        .assert()
        .success();
    let send = std::fs::read_to_string(dir.join("kenar-chat-send.1")).unwrap();
    assert!(send.contains(".TH kenar-chat-send 1"), "{send}");
    assert!(send.contains("\\-\\-message\\-file"), "{send}");
    assert!(send.contains("Examples:"), "{send}");
    for page in [
        "kenar-chat.1",
        "kenar-chat-scope-chat.1",
        "kenar-chat-oauth-url.1",
    ] {
        assert!(dir.join(page).is_file(), "{page} not written");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("kenar-chat.1")).unwrap(),
        stdout_of(&["man"]),
        "kenar-chat.1 is the whole manual that `kenar-chat man` prints"
    );
}

#[test]
fn version_prints_the_package_version() {
    let expected = format!("kenar-chat {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout_of(&["--version"]), expected);
    assert_eq!(
        stdout_of(&["send", "--version"]),
        expected.replace("kenar-chat", "kenar-chat-send")
    );
}

#[test]
fn help_ends_with_examples() {
    for args in [
        &["send", "--help"][..],
        &["completions", "--help"],
        &["scope", "post", "--help"],
    ] {
        let help = stdout_of(args);
        let examples = help
            .rsplit_once("\nExamples:\n")
            .map(|(_, tail)| tail)
            .unwrap_or_default();
        assert!(
            examples.matches("kenar-chat ").count() >= 2,
            "{args:?}: {help}"
        );
    }
}
