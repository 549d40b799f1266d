//! Subscribing to Divar's events, for `events subscribe` and `listen --subscribe`: the
//! flags that say what to watch, and registering the subscription with the app's API key
//! and the user's token, given or stored.

#[cfg(feature = "listen")]
pub mod keeper;

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use kenar_chat::auth::store::StoredToken;
use kenar_chat::http::answer::check_answer;
use kenar_chat::http::request::{Credentials, PreparedRequest};
use kenar_chat::platform::Platform;
use kenar_chat::receive::subscription::{self, EventType, Subscription};
use kenar_chat::scope::{Recipient, Watched};
use kenar_chat::secret::SecretString;
use kenar_chat::time::rfc3339;
use kenar_chat::{Error, error};

use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::connection::{Connection, ConnectionArgs};
use crate::cli::shared::credentials::{AccessTokenArgs, ApiKeyArgs};
use crate::cli::shared::forbidden_advice;
use crate::cli::shared::profile::ProfileArgs;
use crate::cli::shared::tokens;

/// What a subscription watches; `scope subscription` takes these alone.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Watch this post: new messages in its conversations, or with --type POST_UPDATE its
    /// changes
    #[arg(long, value_name = "TOKEN", conflicts_with = "all_posts")]
    pub post_token: Option<String>,
    /// Watch all the user's posts: new messages in every conversation where the user is
    /// the seller, or with --type POST_UPDATE every post's changes (not their deletion)
    #[arg(long)]
    pub all_posts: bool,
    /// What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE
    /// [default: NEW_MESSAGE_ON_POST]
    #[arg(
        long = "type",
        value_name = "TYPE",
        value_parser = PossibleValuesParser::new(EventType::NAMES)
            .try_map(|name| name.parse::<EventType>())
    )]
    pub event_type: Option<EventType>,
}

impl WatchArgs {
    /// What is said when neither a post nor all of them is named.
    const MISSING: &str = "say what to watch: --post-token TOKEN for one post, or --all-posts";

    /// The subscription, without metadata, or what is wrong in `problems`.
    fn subscription(&self, problems: &mut Vec<String>) -> Result<Option<Subscription>, Error> {
        if self.post_token.is_none() && !self.all_posts {
            problems.push(Self::MISSING.into());
            return Ok(None);
        }
        let event_type = self.event_type.unwrap_or_default();
        let subscription = Subscription::new(event_type, self.post_token.clone(), None);
        error::gather(subscription.map_err(post_token_flag), problems)
    }

    /// What it watches, for `scope subscription`.
    pub fn watched(&self) -> Result<Watched, Error> {
        let mut problems = Vec::new();
        let subscription = self.subscription(&mut problems)?;
        subscription
            .map(|subscription| subscription.watched())
            .ok_or(Error::Invalid(problems))
    }
}

/// Everything a subscription needs: what it watches, the app's data, the app's API key,
/// the user's token, how to reach the API.
#[derive(Debug, Args)]
pub struct SubscriptionArgs {
    #[command(flatten)]
    pub watch: WatchArgs,
    /// The app's own data, a JSON object, which Divar sends back in each event's metadata
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,
    #[command(flatten)]
    pub key: ApiKeyArgs,
    #[command(flatten)]
    pub token: AccessTokenArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// A subscription ready to be registered.
pub struct Gathered {
    pub subscription: Subscription,
    pub connection: Connection,
    pub credentials: Credentials,
    /// The stored token that `credentials` carries, when it is a stored one.
    pub stored: Option<StoredToken>,
}

impl SubscriptionArgs {
    /// Whether the flags that say what to subscribe to were given (listen takes them only
    /// with its flag that subscribes).
    #[cfg(feature = "listen")]
    pub fn given(&self) -> bool {
        self.watch.post_token.is_some()
            || self.watch.all_posts
            || self.watch.event_type.is_some()
            || self.metadata.is_some()
    }

    /// The subscription, the connection, and the credentials: the token given, or the
    /// stored one `stored` serves (with the checked connection); every problem at once,
    /// and no stored token looked up (nor refreshed) while there is one.
    pub fn gather(
        &self,
        settings: &Settings,
        stored: impl FnOnce(&Connection, &Recipient) -> Result<Option<StoredToken>, Error>,
    ) -> Result<Gathered, Error> {
        let connection = self.connection.check(settings)?;
        let mut problems = Vec::new();
        let subscription = error::gather(self.subscription(), &mut problems)?;
        let to = subscription.as_ref().map(Subscription::recipient);
        let credentials = tokens::credentials(
            &self.key,
            &self.token,
            to.as_ref(),
            |to| stored(&connection, to),
            &mut problems,
        )?;
        let (Some(subscription), Some((credentials, stored))) = (subscription, credentials) else {
            return Err(Error::Invalid(problems));
        };
        error::valid(
            Gathered {
                subscription,
                connection,
                credentials,
                stored,
            },
            problems,
        )
    }

    /// The subscription the flags describe, every problem at once.
    fn subscription(&self) -> Result<Subscription, Error> {
        let mut problems = Vec::new();
        let subscription = self.watch.subscription(&mut problems)?;
        let metadata = match &self.metadata {
            Some(text) => error::gather(
                subscription::read_metadata(text).map_err(|e| e.prefixed("--metadata: ")),
                &mut problems,
            )?,
            None => None,
        };
        match subscription {
            Some(subscription) if problems.is_empty() => Ok(Subscription {
                metadata,
                ..subscription
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }
}

/// A problem of the post token, named by its flag.
fn post_token_flag(error: Error) -> Error {
    match error {
        Error::Invalid(problems) => Error::Invalid(
            problems
                .into_iter()
                .map(|p| match p.strip_prefix("post_token: ") {
                    Some(rest) => format!("--post-token: {rest}"),
                    None => p,
                })
                .collect(),
        ),
        other => other,
    }
}

/// The request that registers `subscription`.
pub fn request(
    subscription: &Subscription,
    credentials: &Credentials,
    connection: &Connection,
) -> PreparedRequest {
    PreparedRequest::subscribe(
        &connection.api.url(Platform::Current),
        subscription,
        credentials,
    )
}

/// What a signal that ends a run during a registration leaves in doubt.
pub const REGISTRATION_IN_DOUBT: &str = "the subscription was being registered: it may or may \
    not have been";

/// Registers `subscription` with `credentials`, which carry the stored token `stored`
/// when it is one: sent once (again only as the connection's retry policy allows), once
/// more with the store's token when the API refused a stored one (401), and a 403
/// explained. The stored token it went with, when it went with one.
pub fn register(
    subscription: &Subscription,
    credentials: &Credentials,
    stored: Option<StoredToken>,
    settings: &Settings,
    connection: &Connection,
    verbosity: Verbosity,
) -> Result<Option<StoredToken>, Error> {
    let request = request(subscription, credentials, connection);
    let to = subscription.recipient();
    let refusable = stored.as_ref().map(|_| (&to, &credentials.access_token));
    let (answer, again) =
        tokens::execute_with_stored(settings, connection, &request, refusable, verbosity)?;
    let went_with = again.or(stored);
    let credentials = Credentials {
        api_key: credentials.api_key.clone(),
        access_token: went_with_token(went_with.as_ref(), credentials.access_token.clone()),
    };
    check_answer(&answer)
        .map_err(|e| forbidden_advice::advised(e, &request.url, &to, &credentials, settings))?;
    Ok(went_with)
}

/// The access token a registration went with: the stored one it names, else `given`.
pub fn went_with_token(stored: Option<&StoredToken>, given: SecretString) -> SecretString {
    stored.map_or(given, |token| token.access_token.clone())
}

/// How long a subscription made with `token` (stored, or given when `None`) lives.
pub fn lifetime(token: Option<&StoredToken>) -> String {
    match token {
        Some(token) => format!(
            "lives as long as the access token, until {}",
            rfc3339(token.expires)
        ),
        None => "lives as long as the access token, which was given, not stored: kenar-chat \
                 cannot tell until when"
            .to_owned(),
    }
}
