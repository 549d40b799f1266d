//! The two generations of Divar's API (protocol sections 1-4 and section 5), and where
//! each one lives by default.

use std::fmt;
use std::str::FromStr;

use url::Url;

/// Which generation of the API a command speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Platform {
    /// The seed document's API: user, post and peer IDs, `x-access-token`.
    #[default]
    Legacy,
    /// Divar's API since 2025-04-27: conversation IDs, button grids, Bearer tokens and
    /// `oauth.divar.ir`.
    Current,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Legacy, Platform::Current];

    pub fn name(self) -> &'static str {
        match self {
            Platform::Legacy => "legacy",
            Platform::Current => "current",
        }
    }

    /// The API's base URL.
    pub fn api_url(self) -> &'static str {
        match self {
            Platform::Legacy => "https://api.divar.ir",
            Platform::Current => "https://open-api.divar.ir",
        }
    }

    /// The authorization endpoint a user's browser is sent to.
    pub fn auth_url(self) -> &'static str {
        match self {
            Platform::Legacy => "https://open-platform-redirect.divar.ir/oauth",
            Platform::Current => "https://oauth.divar.ir/oauth2/auth",
        }
    }

    /// The token endpoint, when it is not under the API's base URL: on the legacy platform
    /// codes are exchanged at [`crate::auth::token::ACCESS_TOKEN_PATH`] under the API's base.
    pub fn token_url(self) -> Option<&'static str> {
        match self {
            Platform::Legacy => None,
            Platform::Current => Some("https://oauth.divar.ir/oauth2/token"),
        }
    }
}

/// The API's base URL: the one the user gave, for every platform, or each platform's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(Option<Url>);

impl ApiBase {
    pub fn new(given: Option<Url>) -> Self {
        ApiBase(given)
    }

    /// Where `platform`'s requests go.
    pub fn url(&self, platform: Platform) -> Url {
        self.0.clone().unwrap_or_else(|| {
            Url::parse(platform.api_url()).expect("the default API URLs are valid URLs")
        })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Platform {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.name() == value)
            .ok_or_else(|| format!("must be \"legacy\" or \"current\", not {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for platform in Platform::ALL {
            assert_eq!(platform.name().parse::<Platform>(), Ok(platform));
        }
        assert!("Current".parse::<Platform>().is_err());
        assert_eq!(Platform::default(), Platform::Legacy);
    }

    #[test]
    fn each_platform_has_its_own_base_unless_one_is_given() {
        let defaults = ApiBase::new(None);
        assert_eq!(
            defaults.url(Platform::Legacy).as_str(),
            "https://api.divar.ir/"
        );
        assert_eq!(
            defaults.url(Platform::Current).as_str(),
            "https://open-api.divar.ir/"
        );
        let given = ApiBase::new(Some(Url::parse("http://127.0.0.1:9/").unwrap()));
        assert_eq!(given.url(Platform::Current), given.url(Platform::Legacy));
    }
}
