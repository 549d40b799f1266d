//! The library's errors in the command line's words: a setting the library names by what
//! it is, named by its flag; and what to do with the media token of an upload whose message
//! failed, with the flag that sends it.

use kenar_chat::Error;
use kenar_chat::error::Resend;
use kenar_chat::visible;

use crate::cli::settings;

/// `error` as the command line says it; the errors that name no setting stay as they are.
pub fn worded(error: Error) -> Error {
    let resend = error.resend();
    match error {
        Error::Unusable {
            setting,
            value,
            problem,
        } => {
            let value = value.map(|v| format!(" {v}")).unwrap_or_default();
            Error::invalid(format!("{}{value}: {problem}", settings::flag(setting)))
        }
        Error::Uploaded {
            error,
            media_token,
            advice,
        } => {
            let token = visible::escaped(&media_token, false);
            let advice = advice.or(match resend {
                Some(Resend::IfNotArrived) => Some(format!(
                    "if the message did not arrive, send it with --media-token {token} rather \
                     than upload the file again"
                )),
                Some(Resend::Again) => Some(format!(
                    "send the message again with --media-token {token}, without uploading"
                )),
                Some(Resend::Not) | None => None,
            });
            Error::Uploaded {
                error: Box::new(worded(*error)),
                media_token,
                advice,
            }
        }
        Error::Token { endpoint, problem } => Error::Token {
            endpoint,
            problem: Box::new(worded(*problem)),
        },
        other => other,
    }
}

/// `error` as the command line says it, wherever the library's error is in its chain.
pub fn worded_chain(mut error: anyhow::Error) -> anyhow::Error {
    if let Some(inner) = error.downcast_mut::<Error>() {
        *inner = worded(inner.clone());
    }
    error
}

#[cfg(test)]
mod tests {
    use kenar_chat::Setting;

    use super::*;

    #[test]
    fn a_setting_is_named_by_its_flag_and_a_media_token_by_the_flag_that_sends_it() {
        let port = Error::unusable(Setting::SandboxPort, Some("80".into()), "in use");
        assert_eq!(worded(port).to_string(), "--port 80: in use");
        let token = Error::Token {
            endpoint: "oauth.divar.ir".into(),
            problem: Box::new(Error::unusable(Setting::Resolve, None, "another port")),
        };
        assert!(matches!(
            worded(token),
            Error::Token { problem, .. } if problem.to_string() == "--resolve: another port"
        ));
        let uploaded = Error::Uploaded {
            error: Box::new(Error::NotSent("refused".into())),
            media_token: "m1".into(),
            advice: None,
        };
        assert!(worded(uploaded).to_string().ends_with(
            "the file was uploaded as media token m1: send the message again with \
             --media-token m1, without uploading"
        ));
    }
}
