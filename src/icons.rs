//! Divar's icon set (protocol section 5, `icons.txt`): the names a current-platform
//! button's `icon` may take.

/// One name a line, as Divar lists them.
const ICONS: &str = include_str!("../data/icons.txt");

/// How many close names an unknown one is answered with, at most.
const SUGGESTIONS: usize = 3;

/// Every icon name, in Divar's order.
pub fn all() -> impl Iterator<Item = &'static str> {
    ICONS.lines().map(str::trim).filter(|name| !name.is_empty())
}

/// The icon names that hold `filter`, in any case; all of them for an empty filter.
pub fn matching(filter: &str) -> impl Iterator<Item = &'static str> {
    let filter = filter.to_ascii_uppercase().replace(['-', ' '], "_");
    all().filter(move |name| name.contains(&filter))
}

pub fn is_icon(name: &str) -> bool {
    all().any(|icon| icon == name)
}

/// Checks an icon name; an unknown one is refused with the closest names suggested.
pub fn check(name: &str) -> Result<(), String> {
    if is_icon(name) {
        return Ok(());
    }
    let upper = name.trim().to_ascii_uppercase().replace(['-', ' '], "_");
    let suggestions = closest(&upper);
    let hint = match suggestions.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    };
    Err(format!(
        "\"{}\" is not one of Divar's {} icon names{hint} (`kenar-chat icons` lists them)",
        crate::visible::quote(name.as_bytes()),
        all().count()
    ))
}

/// The names nearest to `name` by edit distance, when they are near enough to be a slip.
fn closest(name: &str) -> Vec<&'static str> {
    let limit = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = all()
        .map(|icon| (distance(name, icon), icon))
        .filter(|&(d, icon)| d <= limit || (icon.contains(name) && name.len() >= 3))
        .collect();
    scored.sort_by_key(|&(d, icon)| (d, icon.len()));
    let best = scored.first().map_or(0, |&(d, _)| d);
    scored
        .into_iter()
        .take_while(|&(d, _)| d <= best + 1)
        .take(SUGGESTIONS)
        .map(|(_, icon)| icon)
        .collect()
}

/// Levenshtein distance between two ASCII-ish names, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_divars() {
        assert_eq!(all().count(), 822);
        for name in ["LOCAL_SHIPPING", "INFO", "REAL_ESTATE"] {
            assert!(check(name).is_ok(), "{name}");
        }
        assert!(all().all(|name| {
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }));
    }

    #[test]
    fn unknown_names_get_the_closest_suggested() {
        let err = check("REAL_STATE").unwrap_err();
        assert!(err.contains("did you mean REAL_ESTATE?"), "{err}");
        let err = check("local-shipping").unwrap_err();
        assert!(err.contains("LOCAL_SHIPPING"), "{err}");
        let err = check("ZZZZZZZZZZZZZZZZZZZZ").unwrap_err();
        assert!(!err.contains("did you mean"), "{err}");
        let err = check("\u{202E}x").unwrap_err();
        assert!(!err.contains('\u{202E}'), "{err}");
    }

    #[test]
    fn filters_ignore_case() {
        let found: Vec<_> = matching("real estate").collect();
        assert!(found.contains(&"REAL_ESTATE"), "{found:?}");
        assert!(found.iter().all(|name| name.contains("REAL_ESTATE")));
        assert_eq!(matching("").count(), 822);
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("REAL_STATE", "REAL_ESTATE"), 1);
        assert_eq!(distance("", "ABC"), 3);
        assert_eq!(distance("ABC", "ABC"), 0);
    }
}
