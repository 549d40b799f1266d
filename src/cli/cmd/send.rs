//! `kenar-chat send`: send one TEXT message, from flags, a message file or standard input
//! (or, with `--batch`, one per line of a file: see `batch`), to a legacy chat or to a
//! current-platform conversation.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, ValueHint};
use kenar_chat::client::{self, Credentials, PreparedRequest};
use kenar_chat::input;
use kenar_chat::media::{MediaFile, UploadPlan};
use kenar_chat::message::Message;
use kenar_chat::message::button::{self, ButtonDataDraft, ButtonDraft};
use kenar_chat::message::draft::MessageDraft;
use kenar_chat::message::grid::{GridButtonDraft, GridDraft};
use kenar_chat::{Error, error, visible};

use super::batch::BatchArgs;
use super::upload::{send_with_upload, upload_host};
use crate::cli::cmd::oauth;
use crate::cli::connection::{Connection, ConnectionArgs};
use crate::cli::credentials::{AccessTokenArgs, ApiKeyArgs};
use crate::cli::output::{self, Format};
use crate::cli::profile::ProfileArgs;
use crate::cli::prompt;
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::signals;

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
    #[arg(long, value_name = "TOKEN")]
    pub media_token: Option<String>,
    /// Divar's chat upload host, where media files go [default: https://chat.divar.ir]
    #[arg(long, env = "KENAR_UPLOAD_URL", value_hint = ValueHint::Url)]
    pub upload_url: Option<String>,

    /// A button of the sender's grid, as 'CAPTION|ICON|TARGET': TARGET an http(s) URL to open,
    /// or a JSON object for the app's server link; repeatable, rows of three in order
    /// (current platform)
    #[arg(long, value_name = "CAPTION|ICON|TARGET")]
    pub sender_button: Vec<String>,
    /// A button of the receiver's grid, written as for --sender-button
    #[arg(long, value_name = "CAPTION|ICON|TARGET")]
    pub receiver_button: Vec<String>,

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

/// The button shown only to the sender.
#[derive(Debug, Args)]
pub struct SenderButtonArgs {
    /// Text on the sender's button
    #[arg(long = "sender-caption", id = "sender_caption", value_name = "TEXT")]
    pub caption: Option<String>,
    /// Icon name of the sender's button
    #[arg(long = "sender-icon", id = "sender_icon", value_name = "NAME")]
    pub icon: Option<String>,
    /// Make the sender's button a DIRECT_LINK that opens this URL
    #[arg(long = "sender-direct-link", id = "sender_direct_link", value_name = "URL", value_hint = ValueHint::Url)]
    pub direct_link: Option<String>,
    /// Make the sender's button a LINK carrying this JSON object back to the app
    #[arg(
        long = "sender-extra-data",
        id = "sender_extra_data",
        value_name = "JSON",
        conflicts_with = "sender_direct_link"
    )]
    pub extra_data: Option<String>,
}

/// The button shown only to the receiver.
#[derive(Debug, Args)]
pub struct ReceiverButtonArgs {
    /// Text on the receiver's button
    #[arg(
        long = "receiver-caption",
        id = "receiver_caption",
        value_name = "TEXT"
    )]
    pub caption: Option<String>,
    /// Icon name of the receiver's button
    #[arg(long = "receiver-icon", id = "receiver_icon", value_name = "NAME")]
    pub icon: Option<String>,
    /// Make the receiver's button a DIRECT_LINK that opens this URL
    #[arg(long = "receiver-direct-link", id = "receiver_direct_link", value_name = "URL", value_hint = ValueHint::Url)]
    pub direct_link: Option<String>,
    /// Make the receiver's button a LINK carrying this JSON object back to the app
    #[arg(
        long = "receiver-extra-data",
        id = "receiver_extra_data",
        value_name = "JSON",
        conflicts_with = "receiver_direct_link"
    )]
    pub extra_data: Option<String>,
}

/// What a signal that ends the process while the message is on its way means.
const SEND_IN_DOUBT: &str = "the message (or its file) was on its way and may have been \
    delivered: look at the conversation before sending it again";
/// What a signal that ends the process during a token refresh means.
const REFRESH_IN_DOUBT: &str = "the stored access token was being refreshed: nothing was \
    sent, and if the stored token is refused from now on, log in again (oauth login)";

pub fn run(args: SendArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    if args.interactive {
        prompt::start("--interactive")?;
    }
    let connection = args.connection.check(settings)?;
    if let Some(path) = &args.batch.batch {
        return super::batch::run(&args, settings, path, &connection, verbosity);
    }
    if args.print_line {
        let draft = draft(&args)?;
        let conversation = draft.is_conversation();
        let message = draft.build().map_err(|e| match e {
            Error::Invalid(problems) => Error::Invalid(
                problems
                    .iter()
                    .map(|p| name_flags(p, conversation))
                    .collect(),
            ),
            other => other,
        })?;
        if let Some((kind, path)) = message.upload() {
            MediaFile::open(kind, path).map_err(|e| e.prefixed("--"))?;
        }
        return output::line(&String::from_utf8_lossy(&message.to_line()));
    }
    let (message, credentials) = gather(&args, settings, &connection, verbosity)?;
    let base = connection.api.url(message.platform());
    let upload = match message.upload() {
        Some((kind, path)) => Some(UploadPlan {
            file: MediaFile::open(kind, path).map_err(|e| e.prefixed("--"))?,
            api: base.clone(),
            upload_host: upload_host(settings, args.upload_url.clone())?,
            timeout: connection.options.timeout,
        }),
        None => None,
    };
    let request = PreparedRequest::send_message(&base, &message, &credentials);
    let mut requests: Vec<&PreparedRequest> = Vec::new();
    let uploads = upload.as_ref().map(|plan| plan.requests(&credentials));
    requests.extend(uploads.iter().flatten());
    requests.push(&request);
    if args.dry_run {
        return print_dry_run(&requests, args.show_secrets, args.output);
    }
    if args.interactive {
        prompt::confirm_send(&requests)?;
    }
    // A signal now lets the message end, whatever its outcome: that is what is reported.
    let (body, _) = signals::in_flight(SEND_IN_DOUBT, || match &upload {
        None => connection
            .execute(&request, verbosity)
            .map_err(anyhow::Error::from)
            .and_then(|answer| Ok(client::check_answer(&answer)?)),
        Some(plan) => send_with_upload(
            plan,
            message.clone(),
            &base,
            &credentials,
            &connection,
            verbosity,
        ),
    });
    let body = body?;
    let confirmation = match (args.output, &message) {
        (Format::Json, _) => output::json(&body),
        (Format::Text, Message::Chat(message)) => output::line(&format!(
            "sent: message from {} to {} in the chat about post {}",
            message.chat.user_id, message.chat.peer_id, message.chat.post_token
        )),
        (Format::Text, Message::Conversation(message)) => output::line(&format!(
            "sent: message in conversation {}",
            visible::escaped(&message.conversation_id, false)
        )),
    };
    output::report_of("the message was sent", confirmation)
}

/// The message as the file and the flags give it, not yet checked whole.
fn draft(args: &SendArgs) -> Result<MessageDraft> {
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

/// The message and the credentials, or every problem with them in one error.
fn gather(
    args: &SendArgs,
    settings: &Settings,
    connection: &Connection,
    verbosity: Verbosity,
) -> Result<(Message, Credentials)> {
    let mut draft = draft(args)?;
    let conversation = draft.is_conversation();
    let mut problems = Vec::new();
    let mut api_key = args.key.read()?;
    let access_token = args.token.read()?;
    if args.interactive {
        prompt::complete_message(&mut draft)?;
        api_key = prompt::secret(api_key, "API key")?;
    }
    let message = error::gather(draft.build(), &mut problems)?;
    if api_key.is_none() {
        problems.push(ApiKeyArgs::MISSING.into());
    }
    let access_token = match (access_token, &message) {
        (Some(token), _) => Some(token),
        (None, Some(message)) => {
            let (stored, interrupted) = signals::in_flight(REFRESH_IN_DOUBT, || {
                oauth::stored_token(settings, connection, &message.recipient(), verbosity)
            });
            if interrupted.is_some() {
                // The refresh ended and its tokens are stored; the message was not sent.
                return Err(Error::Cancelled.into());
            }
            match error::gather(stored, &mut problems)? {
                Some(Some(token)) => Some(token),
                Some(None) if args.interactive => prompt::secret(None, "Access token")?,
                Some(None) => {
                    problems.push(AccessTokenArgs::MISSING.into());
                    None
                }
                // The stored token is unusable; `problems` says why.
                None => None,
            }
        }
        (None, None) => {
            problems.push(AccessTokenArgs::MISSING.into());
            None
        }
    };
    match (message, api_key, access_token) {
        (Some(message), Some(api_key), Some(access_token)) => Ok((
            message,
            Credentials {
                api_key,
                access_token,
            },
        )),
        // Only the message's own problems name fields that flags give.
        _ => Err(Error::Invalid(
            problems
                .iter()
                .map(|p| name_flags(p, conversation))
                .collect(),
        )
        .into()),
    }
}

/// Says which flags give a missing value.
fn name_flags(problem: &str, conversation: bool) -> String {
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
    let why = if draft.is_conversation() {
        let legacy = given(&[
            ("--user-id", args.user_id.is_some()),
            ("--peer-id", args.peer_id.is_some()),
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
        ]);
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
        given(&[
            ("--sender-button", !args.sender_button.is_empty()),
            ("--receiver-button", !args.receiver_button.is_empty()),
        ])
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

/// The requests a send makes, in order: one, or three for a file to upload. JSON is one
/// object for one request, an array for three.
fn print_dry_run(requests: &[&PreparedRequest], show_secrets: bool, format: Format) -> Result<()> {
    match (format, requests) {
        (Format::Text, _) => {
            let shown: Vec<String> = requests
                .iter()
                .map(|request| request.render(show_secrets).trim_end().to_owned())
                .collect();
            output::line(&shown.join("\n\n"))
        }
        (Format::Json, [request]) => output::json(&request.to_json(show_secrets)),
        (Format::Json, _) => output::json(&serde_json::Value::Array(
            requests.iter().map(|r| r.to_json(show_secrets)).collect(),
        )),
    }
}

fn is_stdin(path: Option<&Path>) -> bool {
    path.is_some_and(input::is_stdin)
}
