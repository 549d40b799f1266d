//! Button grids of the current platform (protocol section 5): up to three rows of up to
//! three buttons for each side of a conversation.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::button::{self, Button, ButtonAction, json_kind};
use crate::http_url;
use crate::icons;
use crate::visible;

/// Rows in a grid, at most.
pub const MAX_ROWS: usize = 3;
/// Buttons in a row, at most.
pub const MAX_BUTTONS: usize = 3;

/// A grid as written in a message file: `{"rows": [{"buttons": [...]}, ...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct GridDraft {
    #[serde(default)]
    pub rows: Vec<RowDraft>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct RowDraft {
    #[serde(default)]
    pub buttons: Vec<GridButtonDraft>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct GridButtonDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The deprecated name of `icon`: read only to be refused by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_name: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct ActionDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_direct_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_server_link: Option<ServerLinkDraft>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct ServerLinkDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A checked grid: rows of buttons, in order. Empty when the side has no buttons.
pub type Grid = Vec<Vec<Button>>;

impl GridDraft {
    /// Lays `buttons` out in rows of three, in order, as the `--*-button` flags give them.
    pub fn filled(buttons: Vec<GridButtonDraft>) -> Self {
        GridDraft {
            rows: buttons
                .chunks(MAX_BUTTONS)
                .map(|row| RowDraft {
                    buttons: row.to_vec(),
                })
                .collect(),
        }
    }

    /// Checks the grid of one side (`field` is its JSON name, such as `sender_buttons`);
    /// every problem is reported, each with the path of the field at fault.
    pub fn build(self, field: &str) -> Result<Grid, Vec<String>> {
        let mut problems = Vec::new();
        let count: usize = self.rows.iter().map(|row| row.buttons.len()).sum();
        if self.rows.len() > MAX_ROWS {
            problems.push(format!(
                "{field}.rows: {} rows, but a grid has at most {MAX_ROWS} ({count} buttons in all; \
                 at most {} fit)",
                self.rows.len(),
                MAX_ROWS * MAX_BUTTONS
            ));
        }
        let mut grid = Vec::new();
        for (r, row) in self.rows.into_iter().enumerate() {
            let at = format!("{field}.rows[{r}].buttons");
            if row.buttons.is_empty() {
                problems.push(format!("{at}: a row needs at least one button"));
            }
            if row.buttons.len() > MAX_BUTTONS {
                problems.push(format!(
                    "{at}: {} buttons, but a row has at most {MAX_BUTTONS}",
                    row.buttons.len()
                ));
            }
            let mut built = Vec::new();
            for (b, button) in row.buttons.into_iter().enumerate() {
                match button.build(&format!("{at}[{b}]")) {
                    Ok(button) => built.push(button),
                    Err(errs) => problems.extend(errs),
                }
            }
            grid.push(built);
        }
        if problems.is_empty() {
            Ok(grid)
        } else {
            Err(problems)
        }
    }
}

impl GridButtonDraft {
    /// Reads a button as the `--sender-button` and `--receiver-button` flags write it:
    /// `CAPTION|ICON|TARGET`, where TARGET is an http(s) URL to open directly or a JSON
    /// object for the app's server link. The caption cannot hold `|`; the target may.
    pub fn from_spec(spec: &str) -> Result<Self, String> {
        let mut parts = spec.splitn(3, '|');
        let (Some(caption), Some(icon), Some(target)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "\"{}\" is not CAPTION|ICON|TARGET (TARGET a URL, or a JSON object for a server link)",
                visible::quote(spec.as_bytes())
            ));
        };
        let action = if target.starts_with('{') {
            let data = button::parse_extra_data(target)
                .map_err(|problem| format!("the server-link data is {problem}"))?;
            ActionDraft {
                open_direct_link: None,
                open_server_link: Some(ServerLinkDraft { data: Some(data) }),
            }
        } else {
            ActionDraft {
                open_direct_link: Some(target.to_owned()),
                open_server_link: None,
            }
        };
        Ok(GridButtonDraft {
            action: Some(action),
            icon: Some(icon.to_owned()),
            icon_name: None,
            caption: Some(caption.to_owned()),
        })
    }

    fn build(self, at: &str) -> Result<Button, Vec<String>> {
        let mut problems = Vec::new();
        if self.icon_name.is_some() {
            problems.push(format!(
                "{at}.icon_name: deprecated by Divar; name the icon in \"icon\""
            ));
        }
        let caption = match self.caption {
            None => {
                problems.push(format!("{at}.caption: missing"));
                None
            }
            Some(c) if c.trim().is_empty() => {
                problems.push(format!("{at}.caption: must not be blank"));
                None
            }
            Some(c) => Some(c),
        };
        let icon = match self.icon {
            None if self.icon_name.is_none() => {
                problems.push(format!("{at}.icon: missing"));
                None
            }
            None => None,
            Some(icon) => match icons::check(&icon) {
                Ok(()) => Some(icon),
                Err(problem) => {
                    problems.push(format!("{at}.icon: {problem}"));
                    None
                }
            },
        };
        let action = match self.action {
            None => {
                problems.push(format!(
                    "{at}.action: missing (give open_direct_link or open_server_link)"
                ));
                None
            }
            Some(action) => match action.build(&format!("{at}.action")) {
                Ok(action) => Some(action),
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            },
        };
        match (icon, caption, action) {
            (Some(icon_name), Some(caption), Some(action)) if problems.is_empty() => Ok(Button {
                icon_name,
                caption,
                action,
            }),
            _ => Err(problems),
        }
    }
}

impl ActionDraft {
    fn build(self, at: &str) -> Result<ButtonAction, String> {
        match (self.open_direct_link, self.open_server_link) {
            (Some(_), Some(_)) => Err(format!(
                "{at}: holds both open_direct_link and open_server_link; a button has exactly one action"
            )),
            (None, None) => Err(format!(
                "{at}: empty; give open_direct_link or open_server_link"
            )),
            (Some(url), None) => match http_url::parse(&url) {
                Ok(_) => Ok(ButtonAction::DirectLink { url }),
                Err(problem) => Err(format!("{at}.open_direct_link: {problem}")),
            },
            (None, Some(link)) => match link.data {
                Some(Value::Object(extra_data)) => Ok(ButtonAction::Link { extra_data }),
                Some(other) => Err(format!(
                    "{at}.open_server_link.data: must be a JSON object, not {}",
                    json_kind(&other)
                )),
                None => Err(format!(
                    "{at}.open_server_link.data: missing (the JSON object Divar hands the app's \
                     server-link URL)"
                )),
            },
        }
    }
}

/// A grid in the API's shape.
pub fn to_wire(grid: &Grid) -> Value {
    let rows: Vec<Value> = grid
        .iter()
        .map(|row| {
            let buttons: Vec<Value> = row.iter().map(button_to_wire).collect();
            serde_json::json!({ "buttons": buttons })
        })
        .collect();
    serde_json::json!({ "rows": rows })
}

/// `{"action": ACTION, "icon": ICON, "caption": TEXT}`, in the documentation's order.
fn button_to_wire(button: &Button) -> Value {
    let action = match &button.action {
        ButtonAction::DirectLink { url } => serde_json::json!({ "open_direct_link": url }),
        ButtonAction::Link { extra_data } => {
            serde_json::json!({ "open_server_link": { "data": extra_data } })
        }
    };
    let mut fields = Map::new();
    fields.insert("action".into(), action);
    fields.insert("icon".into(), button.icon_name.clone().into());
    fields.insert("caption".into(), button.caption.clone().into());
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn button(caption: &str, icon: &str, target: &str) -> GridButtonDraft {
        GridButtonDraft::from_spec(&format!("{caption}|{icon}|{target}")).unwrap()
    }

    #[test]
    fn flags_fill_rows_of_three_in_order() {
        let buttons: Vec<_> = (0..7)
            .map(|i| button(&format!("b{i}"), "INFO", "https://a.example/"))
            .collect();
        let grid = GridDraft::filled(buttons).build("sender_buttons").unwrap();
        let shape: Vec<usize> = grid.iter().map(Vec::len).collect();
        assert_eq!(shape, [3, 3, 1]);
        assert_eq!(grid[2][0].caption, "b6");
    }

    #[test]
    fn specs_read_a_link_or_server_link_data() {
        let link = button("Track it", "LOCAL_SHIPPING", "https://shop.example/t?a=1|b");
        assert_eq!(
            link.action.unwrap().open_direct_link.as_deref(),
            Some("https://shop.example/t?a=1|b")
        );
        let data = button("Pay", "INFO", r#"{"order": 42}"#);
        assert_eq!(
            data.action.unwrap().open_server_link.unwrap().data,
            Some(json!({"order": 42}))
        );
        assert!(GridButtonDraft::from_spec("no target|INFO").is_err());
        let err = GridButtonDraft::from_spec(r#"a|INFO|{"x":1,"x":2}"#).unwrap_err();
        assert!(err.contains("not valid JSON"), "{err}");
    }

    #[test]
    fn the_wire_shape_is_divars() {
        let grid = GridDraft::filled(vec![
            button("Open", "INFO", "https://a.example/x"),
            button("Ask", "REAL_ESTATE", r#"{"k":"v"}"#),
        ])
        .build("receiver_buttons")
        .unwrap();
        assert_eq!(
            serde_json::to_string(&to_wire(&grid)).unwrap(),
            r#"{"rows":[{"buttons":[{"action":{"open_direct_link":"https://a.example/x"},"icon":"INFO","caption":"Open"},{"action":{"open_server_link":{"data":{"k":"v"}}},"icon":"REAL_ESTATE","caption":"Ask"}]}]}"#
        );
    }

    #[test]
    fn every_grid_problem_is_named_by_its_path() {
        let four = || RowDraft {
            buttons: (0..4)
                .map(|_| button("x", "INFO", "https://a.example/"))
                .collect(),
        };
        let draft = GridDraft {
            rows: vec![four(), RowDraft::default(), four(), four()],
        };
        let problems = draft.build("sender_buttons").unwrap_err();
        let text = problems.join("\n");
        for expected in [
            "sender_buttons.rows: 4 rows, but a grid has at most 3",
            "sender_buttons.rows[0].buttons: 4 buttons, but a row has at most 3",
            "sender_buttons.rows[1].buttons: a row needs at least one button",
        ] {
            assert!(text.contains(expected), "{text}");
        }
        let bad = |b: GridButtonDraft| {
            GridDraft::filled(vec![b])
                .build("s")
                .unwrap_err()
                .join("\n")
        };
        assert!(bad(button("x", "REAL_STATE", "https://a.example/")).contains(
            "s.rows[0].buttons[0].icon: \"REAL_STATE\" is not one of Divar's 822 icon names; did you mean REAL_ESTATE?"
        ));
        assert!(
            bad(button(" ", "INFO", "https://a.example/")).contains("caption: must not be blank")
        );
        assert!(bad(button("x", "INFO", "ftp://a.example/")).contains(".action.open_direct_link:"));
        assert!(bad(button("x", "INFO", "[1]")).contains(".action.open_direct_link:"));
        let mut both = button("x", "INFO", "https://a.example/");
        both.action.as_mut().unwrap().open_server_link = Some(ServerLinkDraft {
            data: Some(json!({})),
        });
        assert!(bad(both).contains("exactly one action"));
        let mut not_object = button("x", "INFO", "{}");
        not_object.action.as_mut().unwrap().open_server_link = Some(ServerLinkDraft {
            data: Some(json!([1])),
        });
        assert!(bad(not_object).contains("data: must be a JSON object, not an array"));
        let old = GridButtonDraft {
            icon_name: Some(json!("INFO")),
            ..button("x", "INFO", "https://a.example/")
        };
        assert!(bad(GridButtonDraft { icon: None, ..old }).contains("icon_name: deprecated"));
    }
}
