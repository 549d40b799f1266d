//! Finding a key named twice in one JSON object. serde_json keeps the last value silently,
//! so a message file with `"order": 1, ..., "order": 2` in its `extra_data` would be sent
//! as something other than what was written; such input is refused instead. The same walk
//! finds an array where an object belongs, with its line and column.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::{self, Write as _};

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::visible;

/// Reads `bytes` as JSON and fails, with the line and column, at the first object that
/// names a key twice. Syntax errors fail too; callers check the syntax first, with the
/// field path in their error.
pub fn check(bytes: &[u8]) -> serde_json::Result<()> {
    check_objects(bytes, |_| false)
}

/// [`check`], and fails too at the first array where `object_at` says that an object with
/// named fields belongs (serde would read an array into a struct field by field, so
/// `["u", "p", ...]` would pass for a message). The error names the array's path.
pub fn check_objects(
    bytes: &[u8],
    object_at: impl Fn(&[Step<'_>]) -> bool,
) -> serde_json::Result<()> {
    let mut path = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Walk {
        path: &mut path,
        object_at: &object_at,
    }
    .deserialize(&mut de)?;
    de.end()
}

/// One step of the way from a JSON document's root to a value in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

/// A path as errors name it, `sender_buttons.rows[0]`; empty for the root.
pub fn path_text(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// Any JSON value, kept as nothing but checked on the way; `path` leads to it.
struct Walk<'p, 'de, F> {
    path: &'p mut Vec<Step<'de>>,
    object_at: &'p F,
}

impl<'de, F: Fn(&[Step<'_>]) -> bool> DeserializeSeed<'de> for Walk<'_, 'de, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: Fn(&[Step<'_>]) -> bool> Visitor<'de> for Walk<'_, 'de, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if (self.object_at)(self.path) {
            let at = path_text(self.path);
            let at = if at.is_empty() { at } else { format!("{at}: ") };
            return Err(de::Error::custom(format!(
                "{at}must be a JSON object with named fields, not an array"
            )));
        }
        let mut index = 0;
        loop {
            self.path.push(Step::Index(index));
            let more = seq.next_element_seed(Walk {
                path: &mut *self.path,
                object_at: self.object_at,
            })?;
            self.path.pop();
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects have few keys: a list searched in turn beats hashing them, up to a point.
        const FEW: usize = 16;
        let mut few: Vec<Cow<'de, str>> = Vec::new();
        let mut many: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(Key(key)) = map.next_key()? {
            let twice = if many.is_empty() {
                few.contains(&key)
            } else {
                many.contains(&key)
            };
            if twice {
                return Err(de::Error::custom(format!(
                    "the key {} appears twice in one object",
                    visible::excerpt(&key)
                )));
            }
            self.path.push(Step::Key(key.clone()));
            map.next_value_seed(Walk {
                path: &mut *self.path,
                object_at: self.object_at,
            })?;
            self.path.pop();
            if many.is_empty() && few.len() < FEW {
                few.push(key);
            } else {
                many.extend(few.drain(..));
                many.insert(key);
            }
        }
        Ok(())
    }
}

/// An object's key, borrowed from the input unless escapes had to be undone.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_named_twice_is_found_at_any_depth() {
        let err = check(br#"{"a": {"b": [1, {"k": 1, "j": 2.50, "k": 3}]}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the key \"k\" appears twice in one object at line 1 column 39"
        );
        let err = check(b"{\"a\": 1,\n \"a\": 1}").unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 4));
    }

    #[test]
    fn a_key_named_twice_is_found_among_many_and_through_escapes() {
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        check(format!("{{{}}}", keys.join(",")).as_bytes()).unwrap();
        for repeated in ["k3", "k20", "k39"] {
            let text = format!("{{{}, \"{repeated}\": 0}}", keys.join(","));
            let err = check(text.as_bytes()).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{repeated:?} appears twice")),
                "{err}"
            );
        }
        let err = check(br#"{"a": 1, "\u0061": 2}"#).unwrap_err().to_string();
        assert!(err.contains("\"a\" appears twice"), "{err}");
    }

    #[test]
    fn the_same_key_in_different_objects_is_fine() {
        check(br#"{"k": {"k": 1}, "l": [{"k": null}, {"k": true}], "n": 1e400}"#).unwrap();
        check(b"[]").unwrap();
        check(b"\"text\"").unwrap();
    }

    #[test]
    fn an_array_where_an_object_belongs_is_named_by_its_path() {
        let rule =
            |path: &[Step<'_>]| matches!(path, [] | [Step::Key(_), Step::Index(_), Step::Key(_)]);
        check_objects(br#"{"a": [{"b": {}}, {"b": 1}], "c": [[1]]}"#, rule).unwrap();
        let err = check_objects(br#"{"a": [{"b": {}}, {"b": [1]}]}"#, rule).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a[1].b: must be a JSON object with named fields, not an array at line 1 column 25"
        );
        let err = check_objects(b"\n [1]", rule).unwrap_err();
        assert_eq!(
            err.to_string(),
            "must be a JSON object with named fields, not an array at line 2 column 2"
        );
        let long = format!(r#"{{"{k}": 1, "{k}": 2}}"#, k = "k".repeat(100_000));
        assert!(check(long.as_bytes()).unwrap_err().to_string().len() < 200);
    }
}
