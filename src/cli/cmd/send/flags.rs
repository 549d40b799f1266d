//! The flags of `kenar-chat send`, and the message draft they give.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, ValueHint};
use kenar_chat::input;
use kenar_chat::message::button::{self, ButtonDataDraft, ButtonDraft};
use kenar_chat::message::draft::MessageDraft;
use kenar_chat::message::grid::{GridButtonDraft, GridDraft};
use kenar_chat::{Error, error};

use super::batch::BatchArgs;
use crate::cli::output::Format;
use crate::cli::shared::connection::ConnectionArgs;
use crate::cli::shared::credentials::{AccessTokenArgs, ApiKeyArgs};
use crate::cli::shared::profile::ProfileArgs;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  export KENAR_API_KEY=... KENAR_ACCESS_TOKEN=...
  kenar-chat send --conversation-id C --message 'Your order shipped' \\
      --receiver-button 'Track it|LOCAL_SHIPPING|https://shop.example/track/42'
  kenar-chat send --conversation-id C --image receipt.png
  kenar-chat send --user-id U --post-token AZf3Uqr3 --peer-id P --message 'Your order shipped'
  kenar-chat send --file message.json --receiver-caption 'Track it' --receiver-icon truck \\
      --receiver-direct-link https://shop.example/track/42
  kenar-chat send --batch buyers.jsonl --journal buyers.journal --rate 60/min")]
pub struct SendArgs {
    /// The conversation to send in: the current platform (instead of --user-id, --peer-id)
    #[arg(long, value_name = "ID")]
    pub conversation_id: Option<String>,
    /// The user the message is sent as (the one who granted access); legacy platform
    #[arg(long)]
    pub user_id: Option<String>,
    /// The post (ad) the chat is about; beside --conversation-id, it lets a stored token
    /// for the post's conversations be used
    #[arg(long)]
    pub post_token: Option<String>,
    /// The other side of the chat; legacy platform
    #[arg(long)]
    pub peer_id: Option<String>,
    /// The message text (both sides see it)
    #[arg(long, conflicts_with = "message_file")]
    pub message: Option<String>,
    /// Read the message text from a file ('-' for standard input); one trailing newline is dropped
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub message_file: Option<PathBuf>,
    /// A JSON message file in the API body shape ('-' for standard input); flags override its fields
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub file: Option<PathBuf>,

    /// Upload this picture and send it instead of text (current platform; up to 5 MB)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub image: Option<PathBuf>,
    /// Upload this video and send it instead of text (current platform; up to 50 MB)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub video: Option<PathBuf>,
    /// Upload this voice note and send it instead of text (current platform; up to 1.5 MB)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub voice: Option<PathBuf>,
    /// Upload this file (Divar's "file" kind) and send it instead of text (current platform;
    /// up to 5 MB)
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub document: Option<PathBuf>,
    /// Send the media token of an earlier upload instead of text (current platform)
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub media_token: Option<String>,
    /// Divar's chat upload host, where media files go [default: https://chat.divar.ir]
    #[arg(long, env = "KENAR_UPLOAD_URL", value_hint = ValueHint::Url)]
    pub upload_url: Option<String>,

    /// A button of the sender's grid, as 'CAPTION|ICON|TARGET': TARGET an http(s) URL to open,
    /// a JSON object for the app's server link, 'dynamic:{JSON}' for its dynamic action,
    /// 'post:TOKEN' or 'manage:TOKEN' for a post's page or its manage page; repeatable, rows
    /// of three in order (current platform)
    #[arg(long, value_name = "CAPTION|ICON|TARGET")]
    pub sender_button: Vec<String>,
    /// A button of the receiver's grid, written as for --sender-button
    #[arg(long, value_name = "CAPTION|ICON|TARGET")]
    pub receiver_button: Vec<String>,

    /// Send as the app's chatbot: to --conversation-id (a bot conversation), or to --user-id
    /// (the token's own user, whose conversation with the bot it opens); current platform
    #[arg(long)]
    pub bot: bool,
    /// A button under a chatbot message, written as for --sender-button; repeatable, rows of
    /// three in order (with --bot)
    #[arg(long, value_name = "CAPTION|ICON|TARGET")]
    pub button: Vec<String>,

    #[command(flatten)]
    pub sender: SenderButtonArgs,
    #[command(flatten)]
    pub receiver: ReceiverButtonArgs,

    #[command(flatten)]
    pub key: ApiKeyArgs,
    #[command(flatten)]
    pub token: AccessTokenArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the request instead of sending it (secrets as ***)
    #[arg(long)]
    pub dry_run: bool,
    /// Print the checked message as one line of a --batch file instead of sending it; needs
    /// no credentials
    #[arg(long, conflicts_with_all = ["dry_run", "interactive", "batch"])]
    pub print_line: bool,
    /// With --dry-run, print the API key and access token as they are
    #[arg(long, requires = "dry_run")]
    pub show_secrets: bool,
    /// A one-line confirmation (text) or the API's answer (json); with --batch, the summary
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Format,
    /// Ask at the terminal for every missing value, show the request and confirm before sending
    #[arg(short, long)]
    pub interactive: bool,

    #[command(flatten)]
    pub batch: BatchArgs,
}

/// The flags of the legacy platform's one button a side, written once for both sides:
/// `--sender-caption` and `--receiver-caption`, and so on.
macro_rules! button_args {
    ($name:ident, $side:literal) => {
        #[doc = concat!("The button shown only to the ", $side, ".")]
        #[derive(Debug, Args)]
        pub struct $name {
            #[arg(
                long = concat!($side, "-caption"),
                id = concat!($side, "_caption"),
                value_name = "TEXT",
                help = concat!("Text on the ", $side, "'s button")
            )]
            pub caption: Option<String>,
            #[arg(
                long = concat!($side, "-icon"),
                id = concat!($side, "_icon"),
                value_name = "NAME",
                help = concat!("Icon name of the ", $side, "'s button")
            )]
            pub icon: Option<String>,
            #[arg(
                long = concat!($side, "-direct-link"),
                id = concat!($side, "_direct_link"),
                value_name = "URL",
                value_hint = ValueHint::Url,
                help = concat!("Make the ", $side, "'s button a DIRECT_LINK that opens this URL")
            )]
            pub direct_link: Option<String>,
            #[arg(
                long = concat!($side, "-extra-data"),
                id = concat!($side, "_extra_data"),
                value_name = "JSON",
                conflicts_with = concat!($side, "_direct_link"),
                help = concat!(
                    "Make the ", $side, "'s button a LINK carrying this JSON object back to the app"
                )
            )]
            pub extra_data: Option<String>,
        }
    };
}

button_args!(SenderButtonArgs, "sender");
button_args!(ReceiverButtonArgs, "receiver");

/// The message as the file and the flags give it, not yet checked whole.
pub fn draft(args: &SendArgs) -> Result<MessageDraft> {
    let (file, message_file) = (args.file.as_deref(), args.message_file.as_deref());
    if args.interactive && (is_stdin(file) || is_stdin(message_file)) {
        return Err(Error::invalid(
            "--interactive reads its answers from standard input; --file and --message-file cannot read it too ('-')",
        )
        .into());
    }
    if is_stdin(file) && is_stdin(message_file) {
        return Err(Error::invalid(
            "--file and --message-file cannot both read standard input ('-')",
        )
        .into());
    }
    let mut draft = match &args.file {
        Some(path) => MessageDraft::from_file(path)?,
        None => MessageDraft::default(),
    };
    draft.overlay(flag_draft(args)?);
    check_platform_flags(args, &draft)?;
    Ok(draft)
}

/// Says which flags give a missing value.
pub fn name_flags(problem: &str, conversation: bool) -> String {
    let Some((field, what)) = problem.split_once(": ") else {
        return problem.to_owned();
    };
    if !what.starts_with("missing") && !what.starts_with("needs") {
        return problem.to_owned();
    }
    let flags = match field {
        "conversation_id" => "--conversation-id".to_owned(),
        "user_id" => "--user-id".to_owned(),
        "post_token" => "--post-token".to_owned(),
        "peer_id" => "--peer-id".to_owned(),
        "message" if conversation => "--message or --message-file, or a medium: --image, \
                                      --video, --voice, --document or --media-token"
            .to_owned(),
        "message" => "--message or --message-file".to_owned(),
        "text_message" => "--message or --message-file, or a medium: --image, --video, \
                           --voice, --document or --media-token"
            .to_owned(),
        "conversation_id or user_id" => "--conversation-id or --user-id".to_owned(),
        button => {
            let Some((side @ ("sender" | "receiver"), part)) = button.split_once("_btn") else {
                return problem.to_owned();
            };
            match part {
                ".data.icon_name" => format!("--{side}-icon"),
                ".data.caption" => format!("--{side}-caption"),
                ".data.extra_data" => format!("--{side}-extra-data"),
                ".data.direct_link" => format!("--{side}-direct-link"),
                "" => format!("--{side}-extra-data or --{side}-direct-link"),
                _ => return problem.to_owned(),
            }
        }
    };
    format!("{problem} (give {flags}, or set it in --file)")
}

/// Refuses flags of one platform on a message of the other, saying why: a conversation
/// names its chat alone and takes grids, a legacy chat takes one button a side.
fn check_platform_flags(args: &SendArgs, draft: &MessageDraft) -> Result<(), Error> {
    let given = |flags: &[(&'static str, bool)]| -> Vec<&'static str> {
        flags
            .iter()
            .filter(|(_, set)| *set)
            .map(|(f, _)| *f)
            .collect()
    };
    let one_button = [
        ("--sender-caption", args.sender.caption.is_some()),
        ("--sender-icon", args.sender.icon.is_some()),
        ("--sender-direct-link", args.sender.direct_link.is_some()),
        ("--sender-extra-data", args.sender.extra_data.is_some()),
        ("--receiver-caption", args.receiver.caption.is_some()),
        ("--receiver-icon", args.receiver.icon.is_some()),
        (
            "--receiver-direct-link",
            args.receiver.direct_link.is_some(),
        ),
        ("--receiver-extra-data", args.receiver.extra_data.is_some()),
    ];
    let grids = [
        ("--sender-button", !args.sender_button.is_empty()),
        ("--receiver-button", !args.receiver_button.is_empty()),
    ];
    let mut why: Vec<String> = if draft.is_bot() {
        let ids = [
            ("--post-token", args.post_token.is_some()),
            ("--peer-id", args.peer_id.is_some()),
        ];
        let buttons = given(&[&grids[..], &one_button[..]].concat())
            .into_iter()
            .map(|flag| {
                format!(
                    "{flag}: not part of a chatbot message; a chatbot message has one grid, \
                     shown to the user: give --button"
                )
            });
        given(&ids)
            .into_iter()
            .map(|flag| format!("{flag}: not part of a chatbot message"))
            .chain(buttons)
            .collect()
    } else if draft.is_conversation() {
        let legacy = given(
            &[
                &[
                    ("--user-id", args.user_id.is_some()),
                    ("--peer-id", args.peer_id.is_some()),
                ][..],
                &one_button[..],
            ]
            .concat(),
        );
        legacy

            .into_iter()
            .map(|flag| {
                let instead = if flag.starts_with("--sender") {
                    "; give --sender-button instead"
                } else if flag.starts_with("--receiver") {
                    "; give --receiver-button instead"
                } else {
                    ""
                };
                format!(
                    "{flag}: belongs to the legacy platform, but a conversation ID makes this a \
                     current-platform message, which names its chat by the conversation alone{instead}"
                )
            })
            .collect::<Vec<_>>()
    } else {
        given(&grids)
            .into_iter()
        .map(|flag| {
            format!(
                "{flag}: a grid button is the current platform's; give --conversation-id, or \
                 {}-caption, -icon and -direct-link or -extra-data for the legacy platform's one button",
                flag.trim_end_matches("-button")
            )
        })
        .collect()
    };
    if !draft.is_bot() && !args.button.is_empty() {
        why.push(
            "--button: a chatbot message's button; give --bot to send as the app's chatbot".into(),
        );
    }
    error::valid((), why)
}

/// The fields the flags set, as a draft to lay over the file's.
fn flag_draft(args: &SendArgs) -> Result<MessageDraft> {
    let message = match &args.message_file {
        Some(path) => Some(input::read_text(path).map_err(|e| e.prefixed("--message-file "))?),
        None => args.message.clone(),
    };
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned());
    // Both sides' problems at once.
    let mut problems = Vec::new();
    let sender_buttons = error::gather(
        grid_draft("--sender-button", &args.sender_button),
        &mut problems,
    )?
    .flatten();
    let receiver_buttons = error::gather(
        grid_draft("--receiver-button", &args.receiver_button),
        &mut problems,
    )?
    .flatten();
    let buttons = error::gather(grid_draft("--button", &args.button), &mut problems)?.flatten();
    error::valid((), problems)?;
    Ok(MessageDraft {
        media_token: args.media_token.clone(),
        image: path(&args.image),
        video: path(&args.video),
        voice: path(&args.voice),
        document: path(&args.document),
        conversation_id: args.conversation_id.clone(),
        sender_buttons,
        receiver_buttons,
        bot: args.bot.then_some(true),
        text_message: None,
        buttons,
        user_id: args.user_id.clone(),
        post_token: args.post_token.clone(),
        peer_id: args.peer_id.clone(),
        kind: None,
        message,
        sender_btn: button_draft(
            "--sender-extra-data",
            &args.sender.caption,
            &args.sender.icon,
            &args.sender.direct_link,
            &args.sender.extra_data,
        )?,
        receiver_btn: button_draft(
            "--receiver-extra-data",
            &args.receiver.caption,
            &args.receiver.icon,
            &args.receiver.direct_link,
            &args.receiver.extra_data,
        )?,
    })
}

/// The grid the repeated `flag` gives, rows of three in order; `None` when not given.
fn grid_draft(flag: &str, specs: &[String]) -> Result<Option<GridDraft>, Error> {
    if specs.is_empty() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let mut buttons = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        match GridButtonDraft::from_spec(spec) {
            Ok(button) => buttons.push(button),
            Err(problem) => problems.push(format!("{flag} (#{}): {problem}", i + 1)),
        }
    }
    error::valid(Some(GridDraft::filled(buttons)), problems)
}

fn button_draft(
    extra_data_flag: &str,
    caption: &Option<String>,
    icon: &Option<String>,
    direct_link: &Option<String>,
    extra_data: &Option<String>,
) -> Result<Option<ButtonDraft>, Error> {
    if caption.is_none() && icon.is_none() && direct_link.is_none() && extra_data.is_none() {
        return Ok(None);
    }
    let extra_data = extra_data
        .as_deref()
        .map(|text| {
            button::parse_extra_data(text)
                .map_err(|problem| Error::invalid(format!("{extra_data_flag}: {problem}")))
        })
        .transpose()?;
    Ok(Some(ButtonDraft {
        action: None,
        data: ButtonDataDraft {
            icon_name: icon.clone(),
            caption: caption.clone(),
            extra_data,
            direct_link: direct_link.clone(),
        },
    }))
}

fn is_stdin(path: Option<&Path>) -> bool {
    path.is_some_and(input::is_stdin)
}
