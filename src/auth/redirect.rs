//! What the browser brings back from the authorization page: `REDIRECT_URI?state=S&code=C`,
//! or the same without `code` when the user refused (protocol section 2), with an OAuth
//! `error` when Divar says why (RFC 6749 section 4.1.2.1).

use url::Url;

use crate::auth::oauth_error::{OAuthError, Refusal, Step};
use crate::error::{Error, Result};
use crate::visible::quote;

/// The code in a redirect's query string, after checking `state` against the one sent
/// (when known). A different state means the redirect was not an answer to this request,
/// possibly a forged one, so its code is not used.
pub fn code_from_query(query: &str, expected_state: Option<&str>) -> Result<String> {
    let mut code = None;
    let mut state = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(Error::invalid(format!(
                "the redirect carries {name} more than once"
            )));
        }
    }
    if let Some(expected) = expected_state
        && state.as_deref() != Some(expected)
    {
        return Err(Error::invalid(format!(
            "the redirect's state ({}) is not the one sent ({expected}): it does not answer \
             this request and may be forged, so its code is not used",
            state.map_or_else(|| "absent".to_owned(), |s| quote(s.as_bytes()))
        )));
    }
    match (code, OAuthError::from_query(query)) {
        (Some(code), _) if !code.is_empty() => Ok(code),
        (_, Some(error)) => Err(Error::OAuth(Box::new(Refusal::new(
            error,
            Step::Authorization,
        )))),
        _ => Err(Error::Denied("the redirect carries no code".to_owned())),
    }
}

/// The code from what the user gave: the whole redirect URL the browser landed on, or the
/// bare code. A state to check needs the URL, since a bare code carries none.
pub fn code_from_input(input: &str, expected_state: Option<&str>) -> Result<String> {
    let input = input.trim();
    match Url::parse(input) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            code_from_query(url.query().unwrap_or(""), expected_state)
        }
        _ if input.is_empty() => Err(Error::invalid("the code is empty")),
        _ if input.chars().any(|c| c.is_whitespace() || c.is_control()) => Err(Error::invalid(
            "the code must be the redirect URL or the bare code, without spaces",
        )),
        _ if expected_state.is_some() => Err(Error::invalid(
            "a state to check was given, but a bare code carries none: give the whole \
             redirect URL",
        )),
        _ => Ok(input.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_code_when_the_state_matches() {
        let url = "https://app.example/cb?state=s%2B1&code=abc";
        assert_eq!(code_from_input(url, Some("s+1")).unwrap(), "abc");
        assert_eq!(code_from_input(url, None).unwrap(), "abc");
        assert_eq!(code_from_input(" abc\n", None).unwrap(), "abc");
    }

    #[test]
    fn a_different_or_missing_state_is_refused() {
        for url in [
            "https://app.example/cb?state=other&code=abc",
            "https://app.example/cb?code=abc",
        ] {
            let err = code_from_input(url, Some("s1")).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains("may be forged"), "{err}");
        }
        let err = code_from_input("abc", Some("s1")).unwrap_err();
        assert!(err.to_string().contains("whole redirect URL"), "{err}");
    }

    #[test]
    fn no_code_means_the_user_refused() {
        let err = code_from_input("https://app.example/cb?state=s1", Some("s1")).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert_eq!(
            err.to_string(),
            "the user did not grant access: the redirect carries no code"
        );
        let err = code_from_query("state=s1&error=access_denied", Some("s1")).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains("refused (access_denied)"), "{err}");
        assert!(err.to_string().contains("the user refused"), "{err}");
    }

    #[test]
    fn repeated_parameters_and_odd_input_are_invalid() {
        let err = code_from_query("code=a&code=b", None).unwrap_err();
        assert!(err.to_string().contains("code more than once"), "{err}");
        assert_eq!(code_from_input("", None).unwrap_err().exit_code(), 2);
        assert_eq!(code_from_input("a b", None).unwrap_err().exit_code(), 2);
    }
}
