//! Shell completions and man pages, generated from the clap definition so that they always
//! match the flags the binary really takes.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum as _, ValueHint};
use clap_complete::{Generator as _, Shell};

use crate::cli::output;

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
    /// (the directory is created when missing)
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, conflicts_with = "shell")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat man | man -l -
  kenar-chat man --out-dir ~/.local/share/man/man1")]
pub struct ManArgs {
    /// Write the whole manual (kenar-chat.1) and one page per command (kenar-chat-send.1, ...)
    /// into this directory, creating it when needed
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub out_dir: Option<PathBuf>,
}

/// The completions of `command`, the whole command line's definition.
pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> Result<()> {
    if let Some(dir) = args.out_dir {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for shell in Shell::value_variants() {
            let path = dir.join(shell.file_name(BIN_NAME));
            std::fs::write(&path, script(*shell, &mut command))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        return Ok(());
    }
    // clap requires the shell when --out-dir is not given.
    let shell = args.shell.context("give a shell or --out-dir")?;
    output::bytes(&script(shell, &mut command))
}

/// The completion script for one shell.
pub fn script(shell: Shell, command: &mut clap::Command) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, BIN_NAME, &mut script);
    if shell == Shell::Bash {
        // clap_complete spells the state of a subcommand of a hyphenated binary two ways
        // (`kenar__chat__subcmd__send` where it is set, `kenar__subcmd__chat__subcmd__send`
        // where it is matched: clap-rs/clap#6421), so no subcommand's flags would complete.
        let text = String::from_utf8_lossy(&script).replace("kenar__subcmd__chat", "kenar__chat");
        return text.into_bytes();
    }
    script
}

/// The manual of `command`, the whole command line's definition.
pub fn man(args: ManArgs, command: clap::Command) -> Result<()> {
    // `kenar-chat help` only repeats `--help`, which has no place among the pages.
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let command = with_usage(command);
    let page = whole_manual(&command).context("rendering the man page")?;
    let Some(dir) = args.out_dir else {
        return output::bytes(&page);
    };
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| command_pages(&command, &dir))
        // The page of `kenar-chat` itself is the whole manual, as `kenar-chat man` prints it.
        .and_then(|()| std::fs::write(dir.join(format!("{BIN_NAME}.1")), &page));
    written.with_context(|| format!("writing man pages into {}", dir.display()))
}

/// `command` and its subcommands with clap's own usage as their synopsis: a flag that takes
/// a value shows it (`--user-id <USER_ID>`), and the optional flags are `[OPTIONS]`, as
/// `--help` says, so that each synopsis is a line `man` can set.
pub fn with_usage(mut command: clap::Command) -> clap::Command {
    let usage = command.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage).to_owned();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names
        .iter()
        .fold(command.override_usage(usage), |command, name| {
            command.mut_subcommand(name, with_usage)
        })
}

/// The `kenar-chat(1)` page followed by a section for every command, with its synopsis,
/// description, options and examples: one page that documents every flag, for `man -l -`
/// or a single installed file.
pub fn whole_manual(command: &clap::Command) -> std::io::Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    for sub in command.get_subcommands() {
        command_section(sub, &mut page)?;
    }
    Ok(examples_as_written(&page))
}

/// A page of its own for each command below `command` (`kenar-chat-send.1`, ...).
fn command_pages(command: &clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    for sub in command.get_subcommands() {
        let man = clap_mangen::Man::new(sub.clone());
        let mut page = Vec::new();
        man.render(&mut page)?;
        std::fs::write(dir.join(man.get_filename()), examples_as_written(&page))?;
        command_pages(sub, dir)?;
    }
    Ok(())
}

/// `page` with its examples (the EXTRA sections) set line for line, as they are typed,
/// rather than filled into paragraphs: a command line must not be joined to the next, and
/// a long one cannot be broken anywhere.
fn examples_as_written(page: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + 64);
    let mut in_examples = false;
    for line in String::from_utf8_lossy(page).lines() {
        let heading = line.starts_with(".SH ") || line.starts_with(".SS ");
        if heading && in_examples {
            out.extend_from_slice(b".fi\n");
            in_examples = false;
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
        if heading && line.ends_with(" EXTRA") {
            out.extend_from_slice(b".nf\n");
            in_examples = true;
        }
    }
    if in_examples {
        out.extend_from_slice(b".fi\n");
    }
    out
}

/// One command's section of the whole manual, then its subcommands' sections, in the
/// order `--help` lists them.
fn command_section(command: &clap::Command, page: &mut Vec<u8>) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    let mut section = Vec::new();
    man.render_synopsis_section(&mut section)?;
    man.render_description_section(&mut section)?;
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut section)?;
    }
    if command.get_after_help().is_some() {
        man.render_extra_section(&mut section)?;
    }
    let name = command.get_bin_name().unwrap_or(command.get_name());
    page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
    // The pieces' `.SH` headings become `.SS` subheadings under the command's own.
    for line in String::from_utf8_lossy(&section).lines() {
        match line.strip_prefix(".SH ") {
            Some(heading) => page.extend_from_slice(format!(".SS {heading}").as_bytes()),
            None => page.extend_from_slice(line.as_bytes()),
        }
        page.push(b'\n');
    }
    for sub in command.get_subcommands() {
        command_section(sub, page)?;
    }
    Ok(())
}
