//! Shell completions and man pages, generated from the clap definition so that they always
//! match the flags the binary really takes.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory as _, ValueEnum as _, ValueHint};
use clap_complete::{Generator as _, Shell};

use crate::cli::Cli;
use crate::output;

/// The name completions are registered for: the installed binary's name.
const BIN_NAME: &str = "kenar-chat";

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat completions bash > ~/.local/share/bash-completion/completions/kenar-chat
  kenar-chat completions zsh > ~/.zfunc/_kenar-chat
  kenar-chat completions --out-dir completions")]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum, required_unless_present = "out_dir")]
    pub shell: Option<Shell>,
    /// Write the completions of every shell into this directory instead, one file each
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, conflicts_with = "shell")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat man | man -l -
  kenar-chat man > ~/.local/share/man/man1/kenar-chat.1
  kenar-chat man --out-dir ~/.local/share/man/man1")]
pub struct ManArgs {
    /// Write one page per command (kenar-chat.1, kenar-chat-send.1, ...) into this directory
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub out_dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> Result<()> {
    if let Some(dir) = args.out_dir {
        for shell in Shell::value_variants() {
            let path = dir.join(shell.file_name(BIN_NAME));
            std::fs::write(&path, script(*shell))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        return Ok(());
    }
    // clap requires the shell when --out-dir is not given.
    let shell = args.shell.context("give a shell or --out-dir")?;
    output::bytes(&script(shell))
}

/// The completion script for one shell.
fn script(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut script);
    if shell == Shell::Bash {
        // clap_complete spells the state of a subcommand of a hyphenated binary two ways
        // (`kenar__chat__subcmd__send` where it is set, `kenar__subcmd__chat__subcmd__send`
        // where it is matched: clap-rs/clap#6421), so no subcommand's flags would complete.
        let text = String::from_utf8_lossy(&script).replace("kenar__subcmd__chat", "kenar__chat");
        return text.into_bytes();
    }
    script
}

pub fn man(args: ManArgs) -> Result<()> {
    // `kenar-chat help` only repeats `--help`, which has no place among the pages.
    let command = Cli::command().disable_help_subcommand(true);
    match args.out_dir {
        Some(dir) => clap_mangen::generate_to(command, &dir)
            .with_context(|| format!("writing man pages into {}", dir.display())),
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .context("rendering the man page")?;
            output::bytes(&page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every state the bash script's dispatch loop sets has an arm that matches it.
    #[test]
    fn bash_script_matches_every_state_it_sets() {
        let text = String::from_utf8(script(Shell::Bash)).unwrap();
        let states: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|state| !state.is_empty())
            .collect();
        assert!(states.contains(&"kenar__chat__subcmd__send"), "{states:?}");
        for state in states {
            assert!(
                text.contains(&format!("\n        {state})\n")),
                "no arm for {state}"
            );
        }
    }
}
