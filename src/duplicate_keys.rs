//! Finding a key named twice in one JSON object. serde_json keeps the last value silently,
//! so a message file with `"order": 1, ..., "order": 2` in its `extra_data` would be sent
//! as something other than what was written; such input is refused instead.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Reads `bytes` as JSON and fails, with the line and column, at the first object that
/// names a key twice. Syntax errors fail too; callers check the syntax first, with the
/// field path in their error.
pub fn check(bytes: &[u8]) -> serde_json::Result<()> {
    serde_json::from_slice::<AnyValue>(bytes).map(|_| ())
}

/// Any JSON value, kept as nothing but checked on the way.
struct AnyValue;

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyValue)
    }
}

impl<'de> Visitor<'de> for AnyValue {
    type Value = AnyValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_i64<E>(self, _: i64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_u64<E>(self, _: u64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_f64<E>(self, _: f64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_str<E>(self, _: &str) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_unit<E>(self) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyValue, A::Error> {
        while seq.next_element::<AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
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
                    "the key {key:?} appears twice in one object"
                )));
            }
            map.next_value::<AnyValue>()?;
            if many.is_empty() && few.len() < FEW {
                few.push(key);
            } else {
                many.extend(few.drain(..));
                many.insert(key);
            }
        }
        Ok(AnyValue)
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
}
