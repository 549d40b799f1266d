//! `kenar-chat send`: send one TEXT message, from flags, a message file or standard input
//! (or, with `--batch`, one per line of a file: see `batch`), to a legacy chat or to a
//! current-platform conversation.

mod batch;
mod flags;
mod summary;
mod upload;

use anyhow::Result;
use kenar_chat::http::answer::check_answer;
use kenar_chat::http::request::{Credentials, PreparedRequest};
use kenar_chat::media::{MediaFile, UploadPlan};
use kenar_chat::message::Message;
use kenar_chat::message::media_kind::MediaKind;
use kenar_chat::scope::Recipient;
use kenar_chat::{Error, error, visible};
use url::Url;

use crate::cli::output::{self, Format};
use crate::cli::prompt;
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::connection::Connection;
use crate::cli::shared::credentials::{AccessTokenArgs, ApiKeyArgs};
use crate::cli::shared::dry_run;
use crate::cli::shared::forbidden_advice;
use crate::cli::shared::signals;
use crate::cli::shared::tokens;
pub use flags::SendArgs;
use flags::{draft, name_flags};
use upload::{send_with_upload, upload_host};

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
        let shared = batch::Shared {
            key: &args.key,
            token: &args.token,
            upload_url: args.upload_url.clone(),
            output: args.output,
        };
        return batch::run(&args.batch, path, shared, settings, &connection, verbosity);
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
            MediaFile::open(kind, path).map_err(|e| e.prefixed(media_source(&args, kind)))?;
        }
        return output::line(&String::from_utf8_lossy(&message.to_line()));
    }
    let (message, credentials, stored_for) = gather(&args, settings, &connection, verbosity)?;
    let base = connection.api.url(message.platform());
    let upload = match message.upload() {
        Some((kind, path)) => Some(UploadPlan {
            file: MediaFile::open(kind, path).map_err(|e| e.prefixed(media_source(&args, kind)))?,
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
        return dry_run::print(&requests, args.show_secrets, args.output);
    }
    if args.interactive {
        prompt::confirm_send(&requests)?;
    }
    // A 403 of the upload token's request, or of the send itself (after an upload too).
    let advise = |error: Error, url: &Url| {
        forbidden_advice::advised(error, url, &message.recipient(), &credentials, settings)
    };
    // A signal now lets the message end, whatever its outcome: that is what is reported.
    let (body, _) = signals::in_flight(SEND_IN_DOUBT, || -> Result<_> {
        Ok(match &upload {
            None => {
                // A stored token refused: another run may have refreshed it meanwhile.
                let stored = stored_for
                    .as_ref()
                    .map(|to| (to, &credentials.access_token));
                let (answer, _) = tokens::execute_with_stored(
                    settings,
                    &connection,
                    &request,
                    stored,
                    verbosity,
                )?;
                answer.shown(&check_answer(&answer).map_err(|e| advise(e, &request.url))?)
            }
            Some(plan) => send_with_upload(
                plan,
                message.clone(),
                &base,
                &credentials,
                &connection,
                verbosity,
            )
            .map_err(|e| match e.downcast::<Error>() {
                Ok(error @ Error::Uploaded { .. }) => advise(error, &request.url).into(),
                Ok(error) => advise(error, &plan.requests(&credentials)[0].url).into(),
                Err(other) => other,
            })?,
        })
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
        // The chatbot's answer names the conversation, which a message to a user opens.
        (Format::Text, Message::Bot(_)) => output::line(&format!(
            "sent: chatbot message in conversation {}",
            body.get("conversation_id")
                .and_then(serde_json::Value::as_str)
                .map_or_else(
                    || "(not named in the answer)".to_owned(),
                    |id| visible::escaped(id, false)
                )
        )),
    };
    output::report_of("the message was sent", confirmation)
}

/// The message and the credentials, with the recipient whose stored token they carry when
/// it is a stored one; or every problem with them in one error.
fn gather(
    args: &SendArgs,
    settings: &Settings,
    connection: &Connection,
    verbosity: Verbosity,
) -> Result<(Message, Credentials, Option<Recipient>)> {
    let mut draft = draft(args)?;
    let conversation = draft.is_conversation();
    let mut problems = Vec::new();
    let mut api_key = args.key.read()?;
    let access_token = args.token.read()?;
    if args.interactive {
        prompt::message::complete_message(&mut draft)?;
        api_key = prompt::secret(api_key, "API key")?;
    }
    let message = error::gather(draft.build(), &mut problems)?;
    if api_key.is_none() {
        problems.push(ApiKeyArgs::MISSING.into());
    }
    let mut stored_for = None;
    let access_token = match (access_token, &message) {
        (Some(token), _) => Some(token),
        (None, Some(message)) => {
            let (stored, interrupted) = signals::in_flight(REFRESH_IN_DOUBT, || {
                tokens::stored_token(
                    settings,
                    connection,
                    &message.recipient(),
                    verbosity,
                    args.dry_run,
                )
            });
            if interrupted.is_some() {
                // The refresh ended and its tokens are stored; the message was not sent.
                return Err(Error::Cancelled.into());
            }
            match error::gather(stored, &mut problems)? {
                Some(Some(token)) => {
                    stored_for = Some(message.recipient());
                    Some(token)
                }
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
            stored_for,
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

/// What a media file's errors are prefixed with: `--` when a flag gave it (`--image: ...`),
/// nothing when the message file did (`image: ...`).
fn media_source(args: &SendArgs, kind: MediaKind) -> &'static str {
    let flag = match kind {
        MediaKind::Image => &args.image,
        MediaKind::Video => &args.video,
        MediaKind::Voice => &args.voice,
        MediaKind::File => &args.document,
    };
    if flag.is_some() { "--" } else { "" }
}
