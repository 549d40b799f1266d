//! The questions that complete a message: its recipient, text, medium and buttons.

use anyhow::Result;
use kenar_chat::Error;
use kenar_chat::message::button::{self, ButtonDraft, DIRECT_LINK, LINK};
use kenar_chat::message::draft::MessageDraft;
use kenar_chat::message::grid::{
    self, ActionDraft, DataDraft, GridButtonDraft, GridDraft, PostDraft,
};

use super::{ask, choose};

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
