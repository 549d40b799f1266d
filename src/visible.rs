//! Characters that do not show as themselves: control characters, and format characters
//! such as zero-width spaces and bidi controls. They make two different IDs look the same,
//! or turn the text around them, so IDs refuse them and text printed from elsewhere (a
//! server, a scope, a file) shows them escaped.

use std::fmt::Write as _;

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};

/// The zero-width non-joiner, which Persian spelling needs between letters; printed as is.
const ZERO_WIDTH_NON_JOINER: char = '\u{200C}';

/// Whether `c` is a control or format character (Unicode categories Cc and Cf).
pub fn is_invisible(c: char) -> bool {
    c.is_control() || c.general_category() == GeneralCategory::Format
}

/// Whether `c` is whitespace, a control or a format character: what an ID or a scope
/// cannot hold.
pub fn is_blank_or_invisible(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

/// Whether `c` is invisible in text, where the zero-width non-joiner is part of Persian
/// spelling: what text printed from elsewhere shows escaped, and what a URL cannot hold.
pub fn is_hidden_in_text(c: char) -> bool {
    is_invisible(c) && c != ZERO_WIDTH_NON_JOINER
}

/// A character as an error names it: its code point and what it is (`U+0020 space`).
pub fn name(c: char) -> String {
    let what = match c {
        ' ' => "space",
        '\t' => "tab",
        '\n' => "line feed",
        '\r' => "carriage return",
        '\u{A0}' => "no-break space",
        '\u{200B}' => "zero-width space",
        '\u{200C}' => "zero-width non-joiner",
        '\u{200D}' => "zero-width joiner",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "bidi control",
        '\u{FEFF}' => "byte-order mark",
        _ if c.is_whitespace() => "whitespace",
        _ if c.is_control() => "control character",
        _ => "format character",
    };
    format!("U+{:04X} {what}", u32::from(c))
}

/// `text` with every invisible character escaped as `\u{...}` (`\n` and `\t` as such),
/// except line breaks when `keep_newlines` is set (for messages of several lines) and the
/// zero-width non-joiner.
pub fn escaped(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !is_hidden_in_text(c) || (keep_newlines && c == '\n') {
            out.push(c);
        } else if c.is_control() {
            out.extend(c.escape_default());
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    out
}

/// JSON text with every invisible character inside its strings written as a `\u` escape:
/// the same JSON value, which shows at a terminal as it is. Outside strings JSON holds
/// only ASCII whitespace and punctuation, so every such character is inside a string.
pub fn escaped_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_hidden_in_text(c) && !c.is_ascii() {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How much of an unexpected answer an error message quotes.
const QUOTE_CHARS: usize = 200;

/// Quotes untrusted text (an answer, a value given by the user) for an error message: at
/// most 200 characters, with control and invisible characters escaped so that it cannot
/// write to the terminal.
pub fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    let mut out = escaped(&head, false);
    if chars.next().is_some() {
        out.push('…');
    }
    if out.is_empty() {
        "(empty body)".into()
    } else {
        out
    }
}

/// Characters of a quoted value an error message keeps, at most: enough to recognise it.
const EXCERPT_CHARS: usize = 60;

/// `text` cut to its start and end around `…` when longer than [`EXCERPT_CHARS`].
pub fn shorten(text: &str) -> String {
    let mut out = String::new();
    cut(&text.chars().collect::<Vec<_>>(), &mut out);
    out
}

fn cut(chars: &[char], out: &mut String) {
    if chars.len() > EXCERPT_CHARS {
        let tail = EXCERPT_CHARS / 3;
        out.extend(&chars[..EXCERPT_CHARS - tail]);
        out.push('…');
        out.extend(&chars[chars.len() - tail..]);
    } else {
        out.extend(chars);
    }
}

/// A value given by the user, quoted for an error message (as `{:?}` quotes it), and cut
/// to its start and end when long: a 100 KB URL must not make a 100 KB error line.
pub fn excerpt(value: &str) -> String {
    shorten_quotes(&format!("{value:?}"))
}

/// `text` (an error message, such as serde's, that quotes values in `"..."` or in
/// backticks) with each quoted part longer than [`EXCERPT_CHARS`] cut to its start and
/// end around `…`. A quote left open runs to the end of the text.
pub fn shorten_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * EXCERPT_CHARS));
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' && c != '`' {
            continue;
        }
        let mut inner = Vec::new();
        let mut closed = false;
        while let Some(next) = chars.next() {
            if next == c {
                closed = true;
                break;
            }
            inner.push(next);
            // An escaped quote inside "..." does not close it.
            if c == '"' && next == '\\' {
                inner.extend(chars.next());
            }
        }
        cut(&inner, &mut out);
        if closed {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_format_characters_are_invisible() {
        for c in [
            '\u{7}',
            '\n',
            '\u{200B}',
            '\u{202E}',
            '\u{2066}',
            '\u{FEFF}',
            '\u{E0001}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'س', ' ', '🕴'] {
            assert!(!is_invisible(c), "{c:?}");
        }
        assert!(is_blank_or_invisible(' '));
    }

    #[test]
    fn characters_are_named_readably() {
        assert_eq!(name(' '), "U+0020 space");
        assert_eq!(name('\u{202E}'), "U+202E bidi control");
        assert_eq!(name('\u{7}'), "U+0007 control character");
        assert_eq!(name('\u{3000}'), "U+3000 whitespace");
        assert_eq!(name('\u{E0001}'), "U+E0001 format character");
    }

    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(
            escaped("a\u{202E}b\nc\u{1b}[31m", false),
            "a\\u{202e}b\\nc\\u{1b}[31m"
        );
        assert_eq!(escaped("one\ntwo", true), "one\ntwo");
        assert_eq!(escaped("می\u{200C}خواهم", false), "می\u{200C}خواهم");
    }

    #[test]
    fn json_keeps_its_value_and_loses_its_invisible_characters() {
        let value = serde_json::json!({"m": "a\u{202E}b\u{E0001}c\u{200C}"});
        let text = escaped_json(&value.to_string());
        assert_eq!(
            text,
            r#"{"m":"a\u202eb\udb40\udc01c"#.to_owned() + "\u{200C}\"}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }

    #[test]
    fn quotes_are_short_and_inert() {
        assert_eq!(quote(b"\x1b[31mred\x07"), "\\u{1b}[31mred\\u{7}");
        let long = "x".repeat(500);
        assert_eq!(quote(long.as_bytes()).chars().count(), 201);
        assert_eq!(quote(b""), "(empty body)");
    }

    #[test]
    fn long_values_are_quoted_by_their_ends() {
        assert_eq!(excerpt("ftp://a"), r#""ftp://a""#);
        let long = format!("ftp://{}z", "a".repeat(100_000));
        let quoted = excerpt(&long);
        assert_eq!(quoted.chars().count(), 63, "{quoted}");
        assert!(
            quoted.starts_with(r#""ftp://aaa"#) && quoted.ends_with("aaz\""),
            "{quoted}"
        );
        assert!(quoted.contains('…'));
        let message = format!(
            "invalid type: string \"{}\\\"{}\", expected a JSON object; unknown field `{}`",
            "x".repeat(100),
            "y".repeat(100),
            "k".repeat(100)
        );
        let short = shorten_quotes(&message);
        assert!(short.len() < 200, "{short}");
        assert!(short.ends_with("kkk`"), "{short}");
        assert!(
            short.contains("\", expected a JSON object; unknown field `kkk"),
            "{short}"
        );
        assert_eq!(shorten_quotes("open \"abc"), "open \"abc");
    }
}
