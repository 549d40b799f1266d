//! Sample requests, built from Divar's documented examples (`data/events/`), and the
//! edits `trigger` makes to them: set a value at a path, add one, remove one.

use serde_json::{Map, Value};

/// One sample request: its name, its body, and the headers Divar sends with it besides
/// `Content-Type` and `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixture {
    pub name: &'static str,
    pub body: &'static str,
    pub headers: &'static [(&'static str, &'static str)],
}

macro_rules! fixture {
    ($name:literal $(, $header:literal = $value:literal)*) => {
        Fixture {
            name: $name,
            body: include_str!(concat!("../../data/events/", $name, ".json")),
            headers: &[$(($header, $value)),*],
        }
    };
}

/// Every sample, by the name `trigger` takes.
pub const FIXTURES: [Fixture; 8] = [
    fixture!("NEW_MESSAGE"),
    fixture!("NEW_CHATBOT_MESSAGE"),
    fixture!("USER_ACCESS_REVOCATION"),
    fixture!("POST_UPDATE"),
    fixture!("PAYMENT_TRANSACTION"),
    // The two spellings of the version header, as the two documents write them.
    fixture!("SERVER_LINK", "api_version" = "2"),
    fixture!("SESSION_INIT", "api-version" = "2"),
    fixture!("DYNAMIC_ACTION"),
];

/// The sample called `name` (any case).
pub fn find(name: &str) -> Option<&'static Fixture> {
    FIXTURES.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// A change to a sample's body at a dotted path (`new_message.text`; a number selects an
/// array element).
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Replace the value at an existing path.
    Override(Vec<String>, Value),
    /// Put a value at a path that does not exist yet, in an object that does.
    Add(Vec<String>, Value),
    /// Take away the value at an existing path.
    Remove(Vec<String>),
}

/// Reads `path=text` (the value is the string `text`) or `path:=json` (the value is the
/// JSON `json`, for numbers, booleans, objects and null).
pub fn assignment(text: &str) -> Result<(Vec<String>, Value), String> {
    let (path, value) = match text.split_once('=') {
        Some((path, json)) if path.ends_with(':') => {
            let value = serde_json::from_str(json)
                .map_err(|e| format!("{text:?}: the value after := is not JSON ({e})"))?;
            (&path[..path.len() - 1], value)
        }
        Some((path, value)) => (path, Value::String(value.to_owned())),
        None => return Err(format!("{text:?} is not PATH=VALUE or PATH:=JSON")),
    };
    Ok((path_of(path)?, value))
}

/// A dotted path's steps.
pub fn path_of(text: &str) -> Result<Vec<String>, String> {
    let steps: Vec<String> = text.split('.').map(str::to_owned).collect();
    if steps.iter().any(String::is_empty) {
        return Err(format!(
            "{text:?} is not a dotted path such as new_message.text"
        ));
    }
    Ok(steps)
}

/// An edit that cannot be made: what is wrong at its path, and the other edit that would
/// do what it meant, when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub problem: String,
    pub instead: Option<Instead>,
}

/// The edit that does what a refused one meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instead {
    /// Adding the value, which is not there to override.
    Add,
    /// Overriding the value, which is there already.
    Override,
}

impl From<String> for Refused {
    fn from(problem: String) -> Self {
        Refused {
            problem,
            instead: None,
        }
    }
}

impl Edit {
    /// Applies the edit; the refusal names the path and what is not there.
    pub fn apply(&self, body: &mut Value) -> Result<(), Refused> {
        let (path, last) = match self {
            Edit::Override(path, _) | Edit::Add(path, _) | Edit::Remove(path) => {
                match path.split_last() {
                    Some((last, parent)) => (parent, last),
                    None => return Err("an empty path".to_owned().into()),
                }
            }
        };
        let whole = || [path, std::slice::from_ref(last)].concat().join(".");
        let mut at = &mut *body;
        for (depth, step) in path.iter().enumerate() {
            at = child(at, step).ok_or_else(|| {
                format!(
                    "{}: there is no {:?} in the body",
                    whole(),
                    path[..=depth].join(".")
                )
            })?;
        }
        match (self, at) {
            (Edit::Override(_, value), at) => {
                let slot = child(at, last).ok_or_else(|| Refused {
                    problem: format!("{}: not in the body", whole()),
                    instead: Some(Instead::Add),
                })?;
                *slot = value.clone();
            }
            (Edit::Add(_, value), Value::Object(object)) => {
                if object.contains_key(last) {
                    return Err(Refused {
                        problem: format!("{}: already in the body", whole()),
                        instead: Some(Instead::Override),
                    });
                }
                object.insert(last.clone(), value.clone());
            }
            (Edit::Add(_, value), Value::Array(items)) if last == "+" => items.push(value.clone()),
            (Edit::Add(..), _) => {
                return Err(format!(
                    "{}: can only add a key to an object (or + to an array)",
                    whole()
                )
                .into());
            }
            (Edit::Remove(_), Value::Object(object)) => {
                object
                    .shift_remove(last)
                    .ok_or_else(|| format!("{}: not in the body", whole()))?;
            }
            (Edit::Remove(_), Value::Array(items)) => match last.parse::<usize>() {
                Ok(index) if index < items.len() => {
                    items.remove(index);
                }
                _ => return Err(format!("{}: not in the body", whole()).into()),
            },
            (Edit::Remove(_), _) => return Err(format!("{}: not in the body", whole()).into()),
        }
        Ok(())
    }
}

/// The value under `step` of an object, or at index `step` of an array.
fn child<'a>(value: &'a mut Value, step: &str) -> Option<&'a mut Value> {
    match value {
        Value::Object(object) => object.get_mut(step),
        Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

/// An empty JSON object, Divar's own answer to a request it does not act on.
pub fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receive::event::{Request, SERVER_LINK};

    /// Every file in `data/events/` is a sample, and every sample reads as what its name
    /// says, with nothing the summary finds wrong.
    #[test]
    fn every_fixture_parses_in_the_event_types() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/events");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|entry| {
                let name = entry.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect();
        files.sort();
        let mut names: Vec<String> = FIXTURES.iter().map(|f| f.name.to_owned()).collect();
        names.sort();
        assert_eq!(files, names, "data/events/ and FIXTURES differ");
        for fixture in FIXTURES {
            let request = Request::parse(fixture.body.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.name));
            let expected = match fixture.name {
                "SESSION_INIT" => SERVER_LINK,
                name => name,
            };
            assert_eq!(request.name(), expected);
            assert_eq!(request.summary().problem, None, "{}", fixture.name);
        }
    }

    #[test]
    fn edits_change_the_body_or_say_what_is_missing() {
        let mut body: Value = serde_json::from_str(find("new_message").unwrap().body).unwrap();
        let (path, value) = assignment("new_message.text=سلام").unwrap();
        Edit::Override(path, value).apply(&mut body).unwrap();
        assert_eq!(body["new_message"]["text"], "سلام");
        let (path, value) = assignment("new_message.sent_at:=\"2025-07-16T10:41:42Z\"").unwrap();
        Edit::Override(path, value).apply(&mut body).unwrap();
        assert_eq!(body["new_message"]["sent_at"], "2025-07-16T10:41:42Z");
        let (path, value) = assignment("metadata.n:=3").unwrap();
        Edit::Add(path.clone(), value.clone())
            .apply(&mut body)
            .unwrap();
        assert_eq!(body["metadata"]["n"], 3);
        let again = Edit::Add(path, value).apply(&mut body).unwrap_err();
        assert_eq!(again.problem, "metadata.n: already in the body");
        assert_eq!(again.instead, Some(Instead::Override));
        Edit::Remove(path_of("new_message.conversation.post_token").unwrap())
            .apply(&mut body)
            .unwrap();
        assert!(
            body["new_message"]["conversation"]
                .get("post_token")
                .is_none()
        );
        let missing = Edit::Override(path_of("new_mesage.text").unwrap(), Value::Null)
            .apply(&mut body)
            .unwrap_err();
        assert_eq!(
            missing.problem,
            "new_mesage.text: there is no \"new_mesage\" in the body"
        );
        assert!(assignment("text").is_err());
        assert!(assignment("a:=nope").unwrap_err().contains("not JSON"));
        assert!(path_of("a..b").is_err());
    }
}
