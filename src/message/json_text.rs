//! Reading JSON text (a message file, one line of a batch) into a draft, with one wording
//! for every problem wherever the text came from: where it is (line and column), which
//! field it is in, and no more of the input than an excerpt.

use serde::Deserialize as _;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer as _};
use serde::de::{MapAccess, Visitor, value::MapAccessDeserializer};
use serde_json::Value;
use serde_json::error::Category;

use crate::duplicate_keys::{self, Step};
use crate::error::{Error, Result};
use crate::input::{self, MAX_INPUT_BYTES};
use crate::visible;

/// Where JSON text came from, which decides how its errors say where a problem is.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A whole document, named (a path, "standard input"): `NAME: line L column C: `.
    Document(&'a str),
    /// One line of a batch file, whose caller names the file and the line: `column C: `.
    Line,
    /// A value given on its own, whose caller names where it came from (a flag):
    /// `line L column C: `.
    Value,
}

impl Origin<'_> {
    fn at(self, (line, column): (usize, usize), problem: &str) -> Error {
        Error::invalid(match self {
            Origin::Document(name) => format!("{name}: line {line} column {column}: {problem}"),
            Origin::Line => format!("column {column}: {problem}"),
            Origin::Value => format!("line {line} column {column}: {problem}"),
        })
    }
}

/// Reads `bytes` as one `T`, an object with named fields. `object_at` says where else an
/// object belongs (serde would read an array there field by field). `extra`, when given,
/// is a key the text may hold beside `T`'s fields: its value is handed back apart. Every
/// error says where it is and, when it is in a field, which.
pub fn read<T: DeserializeOwned>(
    origin: Origin<'_>,
    bytes: &[u8],
    object_at: impl Fn(&[Step<'_>]) -> bool,
    extra: Option<&str>,
) -> Result<(T, Option<Value>)> {
    if let Origin::Document(name) = origin {
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(Error::invalid(format!(
                "{name}: larger than {MAX_INPUT_BYTES} bytes"
            )));
        }
        input::refuse_bom(name, bytes)?;
        std::str::from_utf8(bytes).map_err(|e| input::not_utf8(name, &e))?;
    }
    // A key named twice and an array where an object belongs, first: serde would keep the
    // last value, or read the array. A syntax error is left to the reading below, which
    // names its field.
    if let Err(e) = duplicate_keys::check_objects(bytes, object_at)
        && e.classify() == Category::Data
    {
        return Err(origin.at(position(&e, bytes), &problem(&e)));
    }
    let mut taken = None;
    let mut track = serde_path_to_error::Track::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = Lifting {
        extra,
        taken: &mut taken,
        _read: std::marker::PhantomData,
    }
    .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
    .and_then(|value| de.end().map(|()| value));
    match read {
        Ok(value) => Ok((value, taken)),
        Err(e) => {
            // Text that ends too early has no field at fault.
            let field = if e.is_eof() {
                String::new()
            } else {
                prefix(&track.path().to_string())
            };
            Err(origin.at(position(&e, bytes), &format!("{field}{}", problem(&e))))
        }
    }
}

/// A JSON path as a prefix, without the `?` that stands for a key not read yet.
fn prefix(path: &str) -> String {
    let known = path.trim_end_matches('?').trim_end_matches('.');
    if known.is_empty() {
        String::new()
    } else {
        format!("{}: ", visible::shorten(&visible::escaped(known, false)))
    }
}

/// Where an error is. serde_json puts the end of the input after a last line break at
/// column 0 of a line that holds nothing; the last character is what ended too early.
fn position(e: &serde_json::Error, bytes: &[u8]) -> (usize, usize) {
    let last = bytes.iter().rposition(|b| !b.is_ascii_whitespace());
    match last {
        Some(last) if e.is_eof() => {
            let before = &bytes[..=last];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            (line, before.len() - start)
        }
        _ => (e.line(), e.column()),
    }
}

/// The problem alone: serde_json appends " at line L column C", which is reported in front
/// instead; what it quotes of the input is cut to an excerpt and shows as itself.
pub fn problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let text = text.strip_suffix(&suffix).unwrap_or(&text);
    visible::shorten_quotes(&visible::escaped(text, false))
}

/// Deserializes a `T` from an object, taking `extra` out of it on the way.
struct Lifting<'a, T> {
    extra: Option<&'a str>,
    taken: &'a mut Option<Value>,
    _read: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Lifting<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<T, D::Error> {
        match self.extra {
            None => T::deserialize(deserializer),
            Some(_) => deserializer.deserialize_map(self),
        }
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Lifting<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(Without {
            map,
            extra: self.extra,
            taken: self.taken,
        }))
    }
}

/// An object's fields without `extra`, whose value is kept aside.
struct Without<'a, A> {
    map: A,
    extra: Option<&'a str>,
    taken: &'a mut Option<Value>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Without<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> std::result::Result<Option<K::Value>, A::Error> {
        let mut seed = Some(seed);
        loop {
            // The field's own key is read inside the map's key seed, so that an error
            // about it (an unknown field) is put on its path.
            let key = self.map.next_key_seed(FieldKey {
                seed: &mut seed,
                extra: self.extra,
            })?;
            match key {
                None => return Ok(None),
                Some(Some(field)) => return Ok(Some(field)),
                Some(None) => *self.taken = Some(self.map.next_value()?),
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> std::result::Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A key: the extra one (`None`), or a field's, read by the seed of the draft's fields.
struct FieldKey<'s, 'a, K> {
    seed: &'s mut Option<K>,
    extra: Option<&'a str>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for FieldKey<'_, '_, K> {
    type Value = Option<K::Value>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        let key = String::deserialize(deserializer)?;
        if Some(key.as_str()) == self.extra {
            return Ok(None);
        }
        match self.seed.take() {
            Some(seed) => seed.deserialize(key.into_deserializer()).map(Some),
            None => Err(serde::de::Error::custom("a key was read twice")),
        }
    }
}
