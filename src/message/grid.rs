//! Button grids of the current platform (protocol section 5): up to three rows of up to
//! three buttons for each side of a conversation.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::button::{self, Button, ButtonAction, json_kind};
use crate::http;
use crate::icons;
use crate::scope;
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

/// A button's action as written: exactly one of its fields is to be given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct ActionDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_direct_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_server_link: Option<DataDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_dynamic_action: Option<DataDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_post_page: Option<PostDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_post_manage_page: Option<PostDraft>,
}

/// `{"data": {...}}`: what Divar hands the app's server-link or dynamic-action URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct DataDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// `{"post_token": "..."}`: the post whose page a button opens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object")]
pub struct PostDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_token: Option<String>,
}

/// What a button flag's TARGET may be, for its errors.
const TARGETS: &str = "TARGET an http(s) URL, a JSON object for a server link, dynamic:{JSON} for a \
                       dynamic action, post:TOKEN or manage:TOKEN for a post's page";
const DYNAMIC_PREFIX: &str = "dynamic:";
const POST_PREFIX: &str = "post:";
const MANAGE_PREFIX: &str = "manage:";

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
    /// Reads a button as the `--sender-button`, `--receiver-button` and `--button` flags
    /// write it: `CAPTION|ICON|TARGET`. TARGET is an http(s) URL to open directly, a JSON
    /// object for the app's server link, `dynamic:` and a JSON object for its dynamic
    /// action, or `post:TOKEN` or `manage:TOKEN` for a post's page or its manage page. The
    /// caption cannot hold `|`; the target may.
    pub fn from_spec(spec: &str) -> Result<Self, String> {
        let mut parts = spec.splitn(3, '|');
        let (Some(caption), Some(icon), Some(target)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "\"{}\" is not CAPTION|ICON|TARGET ({TARGETS})",
                visible::quote(spec.as_bytes())
            ));
        };
        let data = |json: &str, what: &str| {
            button::parse_extra_data(json)
                .map(|data| DataDraft { data: Some(data) })
                .map_err(|problem| format!("the {what} data is {problem}"))
        };
        let post = |token: &str| PostDraft {
            post_token: Some(token.to_owned()),
        };
        let mut action = ActionDraft::default();
        if let Some(json) = target.strip_prefix(DYNAMIC_PREFIX) {
            action.get_dynamic_action = Some(data(json, "dynamic-action")?);
        } else if let Some(token) = target.strip_prefix(POST_PREFIX) {
            action.open_post_page = Some(post(token));
        } else if let Some(token) = target.strip_prefix(MANAGE_PREFIX) {
            action.open_post_manage_page = Some(post(token));
        } else if target.starts_with('{') {
            action.open_server_link = Some(data(target, "server-link")?);
        } else if let Some((word, rest)) = target.split_once(':')
            && !rest.starts_with("//")
            && !word.is_empty()
            && word.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        {
            return Err(format!(
                "{} is not an action kenar-chat knows ({TARGETS})",
                visible::excerpt(word)
            ));
        } else {
            action.open_direct_link = Some(target.to_owned());
        }
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
                    "{at}.action: missing (give one of {})",
                    button::ACTIONS.join(", ")
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
        let given: Vec<&str> = [
            (button::OPEN_DIRECT_LINK, self.open_direct_link.is_some()),
            (button::OPEN_SERVER_LINK, self.open_server_link.is_some()),
            (
                button::GET_DYNAMIC_ACTION,
                self.get_dynamic_action.is_some(),
            ),
            (button::OPEN_POST_PAGE, self.open_post_page.is_some()),
            (
                button::OPEN_POST_MANAGE_PAGE,
                self.open_post_manage_page.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        match given[..] {
            [] => {
                return Err(format!(
                    "{at}: empty; give one of {}",
                    button::ACTIONS.join(", ")
                ));
            }
            [_] => {}
            _ => {
                return Err(format!(
                    "{at}: holds {}; a button has exactly one action",
                    given.join(" and ")
                ));
            }
        }
        if let Some(url) = self.open_direct_link {
            return match http::url::parse(&url) {
                Ok(_) => Ok(ButtonAction::DirectLink { url }),
                Err(problem) => Err(format!("{at}.open_direct_link: {problem}")),
            };
        }
        if let Some(link) = self.open_server_link {
            return object_data(link, &format!("{at}.open_server_link"), "server-link")
                .map(|extra_data| ButtonAction::Link { extra_data });
        }
        if let Some(dynamic) = self.get_dynamic_action {
            return object_data(
                dynamic,
                &format!("{at}.get_dynamic_action"),
                "dynamic-action",
            )
            .map(|data| ButtonAction::DynamicAction { data });
        }
        if let Some(page) = self.open_post_page {
            return post_token(page, &format!("{at}.open_post_page"))
                .map(|post_token| ButtonAction::PostPage { post_token });
        }
        let page = self.open_post_manage_page.unwrap_or_default();
        post_token(page, &format!("{at}.open_post_manage_page"))
            .map(|post_token| ButtonAction::PostManagePage { post_token })
    }
}

/// The `data` object Divar hands the app's `url` (its server-link or dynamic-action URL).
fn object_data(draft: DataDraft, at: &str, url: &str) -> Result<Map<String, Value>, String> {
    match draft.data {
        Some(Value::Object(data)) => Ok(data),
        Some(other) => Err(format!(
            "{at}.data: must be a JSON object, not {}",
            json_kind(&other)
        )),
        None => Err(format!(
            "{at}.data: missing (the JSON object Divar hands the app's {url} URL)"
        )),
    }
}

/// The post a page button opens, checked as every post token is.
fn post_token(draft: PostDraft, at: &str) -> Result<String, String> {
    let field = format!("{at}.post_token");
    match draft.post_token {
        None => Err(format!(
            "{field}: missing (the post whose page the button opens)"
        )),
        Some(token) => scope::check_id(&field, &token).map(|()| token),
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
    let mut fields = Map::new();
    fields.insert("action".into(), button.action.to_wire());
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
        both.action.as_mut().unwrap().open_server_link = Some(DataDraft {
            data: Some(json!({})),
        });
        assert!(bad(both).contains("exactly one action"));
        let mut not_object = button("x", "INFO", "{}");
        not_object.action.as_mut().unwrap().open_server_link = Some(DataDraft {
            data: Some(json!([1])),
        });
        assert!(bad(not_object).contains("data: must be a JSON object, not an array"));
        let old = GridButtonDraft {
            icon_name: Some(json!("INFO")),
            ..button("x", "INFO", "https://a.example/")
        };
        assert!(bad(GridButtonDraft { icon: None, ..old }).contains("icon_name: deprecated"));
    }

    #[test]
    fn every_action_of_the_platform_has_its_sdk_shape() {
        let grid = GridDraft::filled(vec![
            button("A", "INFO", r#"dynamic:{"step":1}"#),
            button("P", "INFO", "post:AZf3Uqr3"),
            button("M", "INFO", "manage:AZf3Uqr3"),
        ])
        .build("buttons")
        .unwrap();
        assert_eq!(
            serde_json::to_string(&to_wire(&grid)).unwrap(),
            r#"{"rows":[{"buttons":[{"action":{"get_dynamic_action":{"data":{"step":1}}},"icon":"INFO","caption":"A"},{"action":{"open_post_page":{"post_token":"AZf3Uqr3"}},"icon":"INFO","caption":"P"},{"action":{"open_post_manage_page":{"post_token":"AZf3Uqr3"}},"icon":"INFO","caption":"M"}]}]}"#
        );
    }

    #[test]
    fn new_actions_are_checked_as_strictly_as_the_old() {
        let bad = |target: &str| match GridButtonDraft::from_spec(&format!("x|INFO|{target}")) {
            Err(problem) => problem,
            Ok(b) => GridDraft::filled(vec![b])
                .build("s")
                .unwrap_err()
                .join("\n"),
        };
        assert!(bad("post:").contains("open_post_page.post_token: must not be empty"));
        assert!(bad("manage:a b").contains("open_post_manage_page.post_token: must not contain"));
        assert!(bad("dynamic:[1]").contains("get_dynamic_action.data: must be a JSON object"));
        assert!(bad("dynamic:{").contains("the dynamic-action data is not valid JSON"));
        assert!(bad("open:x").contains("\"open\" is not an action kenar-chat knows"));
        let mut none = button("x", "INFO", "post:P");
        none.action.as_mut().unwrap().open_post_page = Some(PostDraft::default());
        assert!(
            GridDraft::filled(vec![none])
                .build("s")
                .unwrap_err()
                .join("\n")
                .contains("post_token: missing")
        );
        let mut two = button("x", "INFO", "post:P");
        two.action.as_mut().unwrap().get_dynamic_action = Some(DataDraft {
            data: Some(json!({})),
        });
        assert!(
            GridDraft::filled(vec![two])
                .build("s")
                .unwrap_err()
                .join("\n")
                .contains(
                    "holds get_dynamic_action and open_post_page; a button has exactly one action"
                )
        );
    }
}
