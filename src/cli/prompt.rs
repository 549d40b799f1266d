//! Everything kenar-chat asks at a terminal (`--interactive`): the questions, their order,
//! and cancelling. Answers are checked with the library's own rules, so a question repeats
//! with the same message the matching flag or file field would get.

use std::io::IsTerminal as _;

use anyhow::{Context as _, Result};
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};
use kenar_chat::Error;
use kenar_chat::auth::authorize;
use kenar_chat::http::request::PreparedRequest;
use kenar_chat::message::button::{self, ButtonDraft, DIRECT_LINK, LINK};
use kenar_chat::message::draft::MessageDraft;
use kenar_chat::message::grid::{
    self, ActionDraft, DataDraft, GridButtonDraft, GridDraft, PostDraft,
};
use kenar_chat::platform::Platform;
use kenar_chat::scope::{self, Chat, Scope};
use kenar_chat::secret::SecretString;

use crate::cli::output;
use crate::cli::shared::signals;

/// Refuses to ask without a terminal (a script must never hang on a question), and makes
/// a signal a clean cancel.
pub fn start(flag: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Error::invalid(format!(
            "{flag}: standard input is not a terminal, so nothing can be asked; \
             give every value by flag, file or environment instead"
        ))
        .into());
    }
    cancel_on_interrupt()
}

/// Ctrl-C arrives as a signal while a question waits in a blocking read (the hidden
/// password read cannot be interrupted any other way), so the signal's listener itself
/// puts the terminal back as it was before the first question and ends the process.
/// Nothing is sent while a question waits, only after all of them (see
/// [`signals::in_flight`]), so nothing can have been sent.
fn cancel_on_interrupt() -> Result<()> {
    let saved = terminal::save();
    signals::cancel_at_questions(move || {
        terminal::restore(saved.as_ref());
        output::note(&format!("\nerror: {}", Error::Cancelled));
    })
    .context("watching for Ctrl-C")
}

#[cfg(unix)]
mod terminal {
    use nix::sys::termios::{self, SetArg, Termios};

    pub fn save() -> Option<Termios> {
        termios::tcgetattr(std::io::stdin()).ok()
    }

    /// Echo back on (the password question turns it off), cursor shown (lists hide it).
    pub fn restore(saved: Option<&Termios>) {
        if let Some(saved) = saved {
            let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, saved);
        }
        let _ = dialoguer::console::Term::stderr().show_cursor();
    }
}

#[cfg(not(unix))]
mod terminal {
    /// Terminal settings are saved and put back on Unix only.
    pub fn save() -> Option<()> {
        None
    }

    pub fn restore(_: Option<&()>) {
        let _ = dialoguer::console::Term::stderr().show_cursor();
    }
}

/// Esc at a list, or an interrupted read, is a cancel; anything else is a terminal failure.
/// A list read returns `Interrupted` for Ctrl-C while the signal handler also runs: the
/// cursor is shown here too, so that it is back whichever of the two ends the process.
fn cancelled(err: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(err) = err;
    if err.kind() == std::io::ErrorKind::Interrupted {
        let _ = dialoguer::console::Term::stderr().show_cursor();
        Error::Cancelled.into()
    } else {
        anyhow::Error::new(err).context("talking to the terminal")
    }
}

/// A line of text, asked until `check` accepts it.
fn ask(prompt: &str, check: impl Fn(&str) -> Result<(), String>) -> Result<String> {
    Input::<String>::new()
        .with_prompt(prompt)
        .allow_empty(true)
        .validate_with(|value: &String| check(value))
        .interact_text()
        .map_err(cancelled)
}

/// A secret, typed without echo, checked as a secret from any other source is.
fn ask_secret(what: &str) -> Result<SecretString> {
    Password::new()
        .with_prompt(format!("{what} (hidden)"))
        .validate_with(|value: &String| {
            SecretString::new(value.as_str())
                .check_header_safe(what)
                .map_err(|e| e.to_string())
        })
        .interact()
        .map(SecretString::new)
        .map_err(cancelled)
}

fn choose(prompt: &str, items: &[&str]) -> Result<usize> {
    Select::new()
        .with_prompt(prompt)
        .items(items)
        .default(0)
        .interact_opt()
        .map_err(cancelled)?
        .ok_or_else(|| Error::Cancelled.into())
}

/// A secret from flag, file or environment, or else from a hidden question.
pub fn secret(given: Option<SecretString>, what: &str) -> Result<Option<SecretString>> {
    match given {
        Some(secret) => Ok(Some(secret)),
        None => ask_secret(what).map(Some),
    }
}

/// Sets one field of a message draft from the text typed for it.
type Setter<'a> = dyn Fn(&mut MessageDraft, &str) -> Result<(), String> + 'a;

/// Asks for one field of the draft. The answer is tried in a copy of the draft and kept
/// only when `MessageDraft::build` has nothing to say about `field`; problems with fields
/// still to be asked are not this question's business.
fn ask_field(draft: &mut MessageDraft, prompt: &str, field: &str, set: &Setter<'_>) -> Result<()> {
    let check = |value: &str| {
        let mut trial = draft.clone();
        set(&mut trial, value)?;
        match trial.build() {
            Err(Error::Invalid(problems)) => problems
                .into_iter()
                .find(|p| p.starts_with(&format!("{field}:")))
                .map_or(Ok(()), Err),
            _ => Ok(()),
        }
    };
    let answer = ask(prompt, check)?;
    set(draft, &answer).map_err(Error::invalid)?;
    Ok(())
}

/// The platforms a message can be sent on, as [`complete_message`] offers them.
const PLATFORM_CHOICES: [&str; 4] = [
    "a conversation, by its ID (the current platform)",
    "a chat, by user, post and peer IDs (the legacy platform)",
    "a bot conversation, by its ID, as the app's chatbot (the current platform)",
    "a user, by their ID, as the app's chatbot (the current platform)",
];

/// Asks for everything the message still lacks, in the order a person thinks of it: where
/// to, what, then each side's buttons. When nothing names the chat yet, asks which
/// platform's chat it is first.
pub fn complete_message(draft: &mut MessageDraft) -> Result<()> {
    let unnamed = draft.conversation_id.is_none()
        && draft.user_id.is_none()
        && draft.post_token.is_none()
        && draft.peer_id.is_none();
    let choice = if unnamed {
        choose("Send to", &PLATFORM_CHOICES)?
    } else {
        1
    };
    if choice >= 2 {
        draft.bot = Some(true);
    }
    if choice == 0 || choice == 2 {
        ask_field(draft, "Conversation ID", "conversation_id", &|d, v| {
            d.conversation_id = Some(v.to_owned());
            Ok(())
        })?;
    }
    if choice == 3 {
        ask_field(
            draft,
            "User ID (the token's own user)",
            "user_id",
            &|d, v| {
                d.user_id = Some(v.to_owned());
                Ok(())
            },
        )?;
    }
    if draft.is_bot() {
        if !draft.has_media() && draft.text_message.is_none() {
            ask_text(draft)?;
        }
        return complete_grid(draft, "user", "buttons", |d| &mut d.buttons);
    }
    if draft.is_conversation() {
        if !draft.has_media() {
            ask_text(draft)?;
        }
        complete_grid(draft, "sender", "sender_buttons", |d| &mut d.sender_buttons)?;
        return complete_grid(draft, "receiver", "receiver_buttons", |d| {
            &mut d.receiver_buttons
        });
    }
    if draft.user_id.is_none() {
        ask_field(draft, "User ID (sends the message)", "user_id", &|d, v| {
            d.user_id = Some(v.to_owned());
            Ok(())
        })?;
    }
    if draft.post_token.is_none() {
        ask_field(draft, "Post token", "post_token", &|d, v| {
            d.post_token = Some(v.to_owned());
            Ok(())
        })?;
    }
    if draft.peer_id.is_none() {
        ask_field(
            draft,
            "Peer ID (receives the message)",
            "peer_id",
            &|d, v| {
                d.peer_id = Some(v.to_owned());
                Ok(())
            },
        )?;
    }
    ask_text(draft)?;
    complete_button(draft, Side::Sender)?;
    complete_button(draft, Side::Receiver)
}

fn ask_text(draft: &mut MessageDraft) -> Result<()> {
    if draft.message.is_some() {
        return Ok(());
    }
    ask_field(draft, "Message", "message", &|d, v| {
        d.message = Some(v.to_owned());
        Ok(())
    })
}

const DIRECT_LINK_ACTION: &str = "opens a URL (open_direct_link)";
const SERVER_LINK_ACTION: &str = "hands JSON data to the app's server link (open_server_link)";
const DYNAMIC_ACTION: &str =
    "hands JSON data to the app's dynamic-action URL and shows its answer (get_dynamic_action)";
const POST_PAGE_ACTION: &str = "opens a post's page (open_post_page)";
const POST_MANAGE_ACTION: &str =
    "opens the page where the owner manages a post (open_post_manage_page)";

/// Offers one side's grid button by button, in rows of three, until the person says no
/// more or the grid is full; a side whose grid a flag or file gave is left as it is.
fn complete_grid(
    draft: &mut MessageDraft,
    name: &str,
    field: &str,
    grid_of: fn(&mut MessageDraft) -> &mut Option<GridDraft>,
) -> Result<()> {
    if grid_of(draft).is_some() {
        return Ok(());
    }
    let mut buttons: Vec<GridButtonDraft> = Vec::new();
    while buttons.len() < grid::MAX_ROWS * grid::MAX_BUTTONS {
        let prompt = if buttons.is_empty() {
            format!("Buttons shown to the {name}")
        } else {
            format!("Another button for the {name} ({} so far)", buttons.len())
        };
        let items = [
            "no more buttons",
            DIRECT_LINK_ACTION,
            SERVER_LINK_ACTION,
            DYNAMIC_ACTION,
            POST_PAGE_ACTION,
            POST_MANAGE_ACTION,
        ];
        let choice = choose(&prompt, &items)?;
        if choice == 0 {
            break;
        }
        let at = format!(
            "{field}.rows[{}].buttons[{}]",
            buttons.len() / grid::MAX_BUTTONS,
            buttons.len() % grid::MAX_BUTTONS
        );
        buttons.push(GridButtonDraft::default());
        let number = buttons.len();
        // The new button stands in the grid while it is asked for, so that the grid's own
        // checks name each answer's problems.
        *grid_of(draft) = Some(GridDraft::filled(buttons.clone()));
        let edit = |d: &mut MessageDraft, fill: &dyn Fn(&mut GridButtonDraft)| {
            let grid = grid_of(d).as_mut();
            if let Some(button) = grid
                .and_then(|g| g.rows.last_mut())
                .and_then(|row| row.buttons.last_mut())
            {
                fill(button);
            }
        };
        let caption = format!("Caption of the {name}'s button {number}");
        ask_field(draft, &caption, &format!("{at}.caption"), &|d, v| {
            edit(d, &|b| b.caption = Some(v.to_owned()));
            Ok(())
        })?;
        let icon = format!("Icon of the {name}'s button {number} (`kenar-chat icons` lists them)");
        ask_field(draft, &icon, &format!("{at}.icon"), &|d, v| {
            edit(d, &|b| b.icon = Some(v.trim().to_owned()));
            Ok(())
        })?;
        match choice {
            1 => {
                let prompt = format!("URL the {name}'s button {number} opens");
                let field = format!("{at}.action.open_direct_link");
                ask_field(draft, &prompt, &field, &|d, v| {
                    edit(d, &|b| {
                        b.action = Some(ActionDraft {
                            open_direct_link: Some(v.to_owned()),
                            ..ActionDraft::default()
                        });
                    });
                    Ok(())
                })?;
            }
            2 | 3 => {
                let (prompt, field) = if choice == 2 {
                    ("hands the app's server link", "open_server_link")
                } else {
                    ("hands the app's dynamic-action URL", "get_dynamic_action")
                };
                let prompt = format!("JSON object the {name}'s button {number} {prompt}");
                let at_data = format!("{at}.action.{field}.data");
                ask_field(draft, &prompt, &at_data, &|d, v| {
                    let data =
                        button::parse_extra_data(v).map_err(|p| format!("{at_data}: {p}"))?;
                    let data = Some(DataDraft { data: Some(data) });
                    edit(d, &|b| {
                        b.action = Some(if choice == 2 {
                            ActionDraft {
                                open_server_link: data.clone(),
                                ..ActionDraft::default()
                            }
                        } else {
                            ActionDraft {
                                get_dynamic_action: data.clone(),
                                ..ActionDraft::default()
                            }
                        });
                    });
                    Ok(())
                })?;
            }
            _ => {
                let (what, field) = if choice == 4 {
                    ("page", "open_post_page")
                } else {
                    ("manage page", "open_post_manage_page")
                };
                let prompt = format!(
                    "Post token of the post whose {what} the {name}'s button {number} opens"
                );
                let at_token = format!("{at}.action.{field}.post_token");
                ask_field(draft, &prompt, &at_token, &|d, v| {
                    let post = Some(PostDraft {
                        post_token: Some(v.trim().to_owned()),
                    });
                    edit(d, &|b| {
                        b.action = Some(if choice == 4 {
                            ActionDraft {
                                open_post_page: post.clone(),
                                ..ActionDraft::default()
                            }
                        } else {
                            ActionDraft {
                                open_post_manage_page: post.clone(),
                                ..ActionDraft::default()
                            }
                        });
                    });
                    Ok(())
                })?;
            }
        }
        buttons = grid_of(draft)
            .take()
            .map(|g| g.rows.into_iter().flat_map(|row| row.buttons).collect())
            .unwrap_or_default();
    }
    *grid_of(draft) = (!buttons.is_empty()).then(|| GridDraft::filled(buttons));
    Ok(())
}

#[derive(Clone, Copy)]
enum Side {
    Sender,
    Receiver,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Sender => "sender",
            Side::Receiver => "receiver",
        }
    }

    fn slot(self, draft: &mut MessageDraft) -> &mut Option<ButtonDraft> {
        match self {
            Side::Sender => &mut draft.sender_btn,
            Side::Receiver => &mut draft.receiver_btn,
        }
    }

    fn button(self, draft: &mut MessageDraft) -> &mut ButtonDraft {
        self.slot(draft).get_or_insert_with(ButtonDraft::default)
    }
}

const LINK_CHOICE: &str = "LINK: carries JSON data back to the app";
const DIRECT_LINK_CHOICE: &str = "DIRECT_LINK: opens a URL";

/// Offers a button to one side, then asks whatever that button still lacks.
fn complete_button(draft: &mut MessageDraft, side: Side) -> Result<()> {
    let name = side.name();
    let field = format!("{name}_btn.data");
    if side.slot(draft).is_none() {
        let items = ["no button", LINK_CHOICE, DIRECT_LINK_CHOICE];
        let action = match choose(&format!("Button shown to the {name}"), &items)? {
            0 => return Ok(()),
            1 => LINK,
            _ => DIRECT_LINK,
        };
        side.button(draft).action = Some(action.to_owned());
    }
    if side.button(draft).data.caption.is_none() {
        let prompt = format!("Caption of the {name}'s button");
        ask_field(draft, &prompt, &format!("{field}.caption"), &|d, v| {
            side.button(d).data.caption = Some(v.to_owned());
            Ok(())
        })?;
    }
    if side.button(draft).data.icon_name.is_none() {
        let prompt = format!("Icon name of the {name}'s button");
        ask_field(draft, &prompt, &format!("{field}.icon_name"), &|d, v| {
            side.button(d).data.icon_name = Some(v.to_owned());
            Ok(())
        })?;
    }
    let button = side.button(draft);
    if button.data.extra_data.is_some() || button.data.direct_link.is_some() {
        return Ok(());
    }
    let action = match button.action.clone() {
        Some(action) => action,
        None => {
            let prompt = format!("What the {name}'s button does");
            match choose(&prompt, &[LINK_CHOICE, DIRECT_LINK_CHOICE])? {
                0 => LINK.to_owned(),
                _ => DIRECT_LINK.to_owned(),
            }
        }
    };
    side.button(draft).action = Some(action.clone());
    if action == DIRECT_LINK {
        let prompt = format!("URL the {name}'s button opens");
        ask_field(draft, &prompt, &format!("{field}.direct_link"), &|d, v| {
            side.button(d).data.direct_link = Some(v.to_owned());
            Ok(())
        })
    } else {
        let prompt = format!("JSON object the {name}'s button carries back to the app");
        let extra_data = format!("{field}.extra_data");
        ask_field(draft, &prompt, &extra_data, &|d, v| {
            let value = button::parse_extra_data(v)
                .map_err(|problem| format!("{extra_data}: {problem}"))?;
            side.button(d).data.extra_data = Some(value);
            Ok(())
        })
    }
}

/// Shows the request about to be sent (secrets as `***`) and asks to go ahead; anything
/// but yes cancels.
pub fn confirm_send(requests: &[&PreparedRequest]) -> Result<()> {
    for request in requests {
        output::note(&format!("\n{}", request.render(false).trim_end()));
    }
    let go = Confirm::new()
        .with_prompt("Send this message?")
        .default(false)
        .interact_opt()
        .map_err(cancelled)?;
    match go {
        Some(true) => Ok(()),
        _ => Err(Error::Cancelled.into()),
    }
}

/// At a terminal, whether to ask for each scope of a refused login alone; never asked
/// elsewhere.
pub fn offer_each_scope() -> Result<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    let each = Confirm::new()
        .with_prompt("Ask for each scope alone, to find which ones Divar refuses?")
        .default(true)
        .interact_opt()
        .map_err(cancelled)?;
    Ok(each == Some(true))
}

pub fn client_id() -> Result<String> {
    ask("Client ID (the app's slug)", authorize::check_client_id)
}

pub fn redirect_uri() -> Result<String> {
    ask("Redirect URI", |v| {
        authorize::check_redirect_uri(v)
            .map(drop)
            .map_err(|p| format!("redirect_uri: {p}"))
    })
}

fn id(prompt: &str, field: &str) -> Result<String> {
    ask(prompt, |v| scope::check_id(field, v))
}

/// The kinds of scope that can be asked for.
#[derive(Clone, Copy)]
enum ScopeKind {
    Chat,
    Post(Platform),
    Conversation,
    Supplier,
    Offline,
    Raw,
}

impl ScopeKind {
    /// The kinds `platform` has, or every kind of both platforms.
    fn of(platform: Option<Platform>) -> Vec<ScopeKind> {
        let legacy = [ScopeKind::Chat, ScopeKind::Post(Platform::Legacy)];
        let current = [
            ScopeKind::Conversation,
            ScopeKind::Post(Platform::Current),
            ScopeKind::Supplier,
        ];
        let mut kinds = match platform {
            Some(Platform::Legacy) => legacy.to_vec(),
            Some(Platform::Current) => [current.as_slice(), &[ScopeKind::Offline]].concat(),
            None => [legacy.as_slice(), &current].concat(),
        };
        kinds.push(ScopeKind::Raw);
        kinds
    }

    fn describe(self) -> &'static str {
        match self {
            ScopeKind::Chat => "send in one chat (legacy: CHAT_SEND_MESSAGE_OAUTH)",
            ScopeKind::Post(Platform::Legacy) => {
                "send in every chat of a post (legacy: CHAT_SEND_MESSAGE_POST_CONVERSATIONS)"
            }
            ScopeKind::Post(Platform::Current) => {
                "send, as its owner, in every conversation of a post (CHAT_POST_CONVERSATIONS_MESSAGE_SEND)"
            }
            ScopeKind::Conversation => "send in one conversation (CONVERSATION_SEND_MESSAGE)",
            ScopeKind::Supplier => {
                "send in every conversation where the user is the seller \
                 (CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND)"
            }
            ScopeKind::Offline => "a refresh token with the access token (offline_access)",
            ScopeKind::Raw => "another scope, as written (such as USER_PHONE)",
        }
    }

    /// Asks for the IDs this kind of scope names.
    fn ask(self) -> Result<Scope> {
        Ok(match self {
            ScopeKind::Chat => Scope::Chat(Chat::new(
                id("User ID (grants access)", "user_id")?,
                id("Post token", "post_token")?,
                id("Peer ID", "peer_id")?,
            )?),
            ScopeKind::Post(platform) => {
                Scope::post(platform, id("Post token (all its chats)", "post_token")?)?
            }
            ScopeKind::Conversation => Scope::conversation(ask("Conversation ID", |v| {
                scope::check_conversation_id("conversation_id", v)
            })?)?,
            ScopeKind::Supplier => Scope::SupplierConversations,
            ScopeKind::Offline => Scope::Other(scope::OFFLINE_ACCESS.to_owned()),
            ScopeKind::Raw => Scope::raw(&ask("Scope", |v| {
                Scope::raw(v).map(drop).map_err(|e| e.to_string())
            })?)?,
        })
    }
}

/// One scope of either platform: its kind, then its IDs.
pub fn scope() -> Result<Scope> {
    let kinds = ScopeKind::of(None);
    let items: Vec<&str> = kinds.iter().map(|kind| kind.describe()).collect();
    kinds[choose("Scope to compute", &items)?].ask()
}

/// Which scopes of `platform` to ask the user for, then the IDs each one names.
pub fn scopes(platform: Platform) -> Result<Vec<Scope>> {
    let kinds = ScopeKind::of(Some(platform));
    let items: Vec<&str> = kinds.iter().map(|kind| kind.describe()).collect();
    let mut prompt = "Scopes to request (space selects, enter confirms)";
    let chosen = loop {
        let chosen = MultiSelect::new()
            .with_prompt(prompt)
            .items(&items)
            .interact_opt()
            .map_err(cancelled)?
            .ok_or(Error::Cancelled)?;
        if !chosen.is_empty() {
            break chosen;
        }
        // The list reports an empty choice on a line of its own, which would stay above
        // the question asked again.
        dialoguer::console::Term::stderr()
            .clear_last_lines(1)
            .context("talking to the terminal")?;
        prompt = "Scopes to request: choose at least one (space selects, enter confirms)";
    };
    chosen.into_iter().map(|i| kinds[i].ask()).collect()
}
