//! Keeping a subscription registered while `listen` runs. A subscription lives as long as
//! the access token it was made with (events.md section 1), so on a thread of its own the
//! keeper registers it at start, keeps the stored token fresh through the one stored-token
//! policy, and registers it again with every new token, refreshed by this run or stored by
//! another, saying so each time. Its failures are said and tried again, never fatal to the
//! receiver, except a refusal of the first registration.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kenar_chat::Error;
use kenar_chat::auth::store::{self, Lookup, StoredToken};
use kenar_chat::auth::token_source::TokenSource;
use kenar_chat::http::request::Credentials;
use kenar_chat::receive::subscription::{ATTEMPTS_PER_TOKEN, Retries, Subscription};
use kenar_chat::scope::Recipient;
use kenar_chat::secret::SecretString;
use kenar_chat::time::{rfc3339, unix_now};
use tokio::sync::oneshot;

use super::{REGISTRATION_IN_DOUBT, SubscriptionArgs, lifetime, register, went_with_token};
use crate::cli::output;
use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use crate::cli::shared::connection::Connection;
use crate::cli::shared::signals::Signals;
use crate::cli::shared::tokens;

/// How often the store is read again for a token another run stored.
const STORE_POLL: Duration = Duration::from_secs(1);
/// What a signal that ends listen during a refresh leaves in doubt.
const REFRESH_IN_DOUBT: &str = "the stored access token was being refreshed: if the stored \
    token is refused from now on, log in again (kenar-chat oauth login)";

/// The subscription and what registering it takes, checked before listen starts.
pub struct Keeper {
    subscription: Subscription,
    api_key: SecretString,
    tokens: Tokens,
    settings: Settings,
    connection: Connection,
    verbosity: Verbosity,
}

/// Where the access token comes from.
enum Tokens {
    /// Given by flag, file or variable: one subscription, for as long as it lives.
    Given(SecretString),
    /// The profile's store, refreshed as the policy says.
    Stored(Box<TokenSource>),
}

/// Why the subscription is registered (again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Start,
    Refreshed,
    StoreChanged,
}

/// What the keeper is doing that a signal would leave in doubt.
type InFlight = Arc<Mutex<Option<&'static str>>>;

/// A keeper at work, as listen waits on it.
pub struct Kept {
    /// The refusal of the first registration, which ends listen.
    refused: oneshot::Receiver<anyhow::Error>,
    in_flight: InFlight,
}

impl Keeper {
    /// Checks the flags and serves the token (refreshed first when it is due), before
    /// listen starts: every problem is an error now.
    pub fn prepare(
        args: &SubscriptionArgs,
        settings: &Settings,
        verbosity: Verbosity,
    ) -> Result<Keeper, Error> {
        let mut source = None;
        let gathered = args.gather(settings, |connection, to| {
            let refreshing = tokens::refreshing(
                tokens::token_source(settings)?,
                settings,
                connection,
                verbosity,
            )?;
            tokens::serve(settings, source.insert(refreshing), to, verbosity, false)
        })?;
        // A setting at fault (an address given for another port, a proxy that cannot be
        // used) is no transient failure: refused now, before listen listens.
        let request = super::request(
            &gathered.subscription,
            &gathered.credentials,
            &gathered.connection,
        );
        gathered.connection.client()?.check_route(&request.url)?;
        let tokens = match (gathered.stored, source) {
            (Some(_), Some(source)) => Tokens::Stored(Box::new(source)),
            _ => Tokens::Given(gathered.credentials.access_token),
        };
        Ok(Keeper {
            subscription: gathered.subscription,
            api_key: gathered.credentials.api_key,
            tokens,
            settings: settings.clone(),
            connection: gathered.connection,
            verbosity,
        })
    }

    /// Starts keeping the subscription, on a thread of its own: its requests block, and
    /// the receiver must not wait on them.
    pub fn start(self) -> Result<Kept, Error> {
        let (refuse, refused) = oneshot::channel();
        let in_flight = InFlight::default();
        let state = State {
            in_flight: Arc::clone(&in_flight),
            ..State::default()
        };
        std::thread::Builder::new()
            .name("subscription".into())
            .spawn(move || self.keep(state, refuse))
            .map_err(|e| Error::Unavailable(format!("cannot start subscribing: {e}")))?;
        Ok(Kept { refused, in_flight })
    }

    fn keep(mut self, mut state: State, refuse: oneshot::Sender<anyhow::Error>) {
        let mut refuse = Some(refuse);
        loop {
            match self.step(&mut state) {
                Step::Wait(pause) => std::thread::sleep(pause),
                Step::Refused(error) => {
                    if let Some(refuse) = refuse.take() {
                        let _ = refuse.send(error);
                    }
                    return;
                }
            }
        }
    }

    /// One look at the token, and a registration when it is new.
    fn step(&mut self, state: &mut State) -> Step {
        let to = self.subscription.recipient();
        let Some((token, why)) = self.token(&to, state) else {
            return Step::Wait(STORE_POLL);
        };
        if state.settled.as_ref() == Some(&token.access_token) {
            return Step::Wait(STORE_POLL);
        }
        let why = match &state.trying {
            Some((trying, why)) if *trying == token.access_token => *why,
            _ => {
                state.trying = Some((token.access_token.clone(), why));
                state.retries = Retries::default();
                why
            }
        };
        let credentials = Credentials {
            api_key: self.api_key.clone(),
            access_token: token.access_token.clone(),
        };
        let stored = token.stored.clone();
        let registered = state.while_in_flight(Some(REGISTRATION_IN_DOUBT), || {
            register(
                &self.subscription,
                &credentials,
                stored,
                &self.settings,
                &self.connection,
                self.verbosity,
            )
        });
        let subscription = &self.subscription;
        match registered {
            Ok(went_with) => {
                // `register` answers the stored token it went with, if any.
                let shown = went_with;
                state.settle(went_with_token(shown.as_ref(), token.access_token));
                output::note(&match why {
                    Why::Start => {
                        format!("subscribed {subscription} ({})", lifetime(shown.as_ref()))
                    }
                    Why::Refreshed => format!(
                        "re-subscribed {subscription}: token refreshed ({})",
                        until(shown.as_ref())
                    ),
                    Why::StoreChanged => format!(
                        "re-subscribed {subscription}: the stored token changed, another run \
                         refreshed it ({})",
                        until(shown.as_ref())
                    ),
                });
                Step::Wait(STORE_POLL)
            }
            // Nothing will arrive, nor would trying again help: listen ends, saying why.
            Err(e)
                if why == Why::Start && (matches!(e, Error::Refused { .. }) || e.is_invalid()) =>
            {
                Step::Refused(anyhow::Error::from(e).context(format!("subscribing {subscription}")))
            }
            Err(e @ Error::Refused { .. }) => {
                state.say(&format!(
                    "warning: subscribing {subscription} was refused: {e}; listen goes on \
                     receiving, and subscribes again with the next token"
                ));
                state.settle(token.access_token);
                Step::Wait(STORE_POLL)
            }
            Err(e) => match state.retries.failed() {
                Some(wait) => {
                    state.say(&format!(
                        "warning: subscribing {subscription} failed: {e}; trying again in {:.1} s",
                        wait.as_secs_f64()
                    ));
                    Step::Wait(wait)
                }
                None => {
                    state.say(&format!(
                        "warning: subscribing {subscription} failed {ATTEMPTS_PER_TOKEN} times, \
                         the last: {e}; listen goes on receiving, and subscribes again with the \
                         next token (or run `kenar-chat events subscribe`)"
                    ));
                    state.settle(token.access_token);
                    Step::Wait(STORE_POLL)
                }
            },
        }
    }

    /// The token to stand with now, and why it would be new: the given one, or the one the
    /// store holds, refreshed first when it is due. `None` when there is none, said once.
    fn token(&mut self, to: &Recipient, state: &mut State) -> Option<(Token, Why)> {
        let source = match &mut self.tokens {
            Tokens::Given(token) => {
                let token = Token {
                    access_token: token.clone(),
                    stored: None,
                };
                return Some((token, Why::Start));
            }
            Tokens::Stored(source) => source,
        };
        if let Err(e) = source.reread() {
            state.say(&format!("warning: reading the stored tokens again: {e}"));
        }
        let before = match store::find(source.tokens(), to, unix_now()) {
            Lookup::Usable(token) => Some(token.access_token.clone()),
            Lookup::Expired(_) | Lookup::Missing => None,
        };
        // Only a token that is not fresh may be refreshed.
        let doubt = source.fresh(to).is_none().then_some(REFRESH_IN_DOUBT);
        let served = state.while_in_flight(doubt, || {
            tokens::serve(&self.settings, source, to, self.verbosity, false)
        });
        let token = match served {
            Ok(Some(token)) => token,
            Ok(None) => {
                state.say(&format!(
                    "warning: no stored token of profile {:?} covers {} any more; listen goes \
                     on receiving, and subscribes again once one is stored",
                    self.settings.profile(),
                    self.subscription
                ));
                return None;
            }
            // A refresh refused, or an expired token: said in the words of a failed grant.
            Err(e) => {
                state.say(&format!(
                    "warning: {e}\n  listen goes on receiving, and subscribes again once a new \
                     token is stored"
                ));
                return None;
            }
        };
        let why = if state.settled.is_none() {
            Why::Start
        } else if before.as_ref() == Some(&token.access_token) {
            Why::StoreChanged
        } else {
            Why::Refreshed
        };
        let token = Token {
            access_token: token.access_token.clone(),
            stored: Some(token),
        };
        Some((token, why))
    }
}

/// An access token, and what the store keeps of it when it is stored.
struct Token {
    access_token: SecretString,
    stored: Option<StoredToken>,
}

/// How long a subscription made again lives.
fn until(token: Option<&StoredToken>) -> String {
    token.map_or_else(
        || "until the token expires".to_owned(),
        |token| format!("until {}", rfc3339(token.expires)),
    )
}

/// What the keeper does next.
enum Step {
    Wait(Duration),
    Refused(anyhow::Error),
}

/// What the keeper knows between its steps.
#[derive(Default)]
struct State {
    /// The token the subscription was last registered with, or given up on; `None` before
    /// the first.
    settled: Option<SecretString>,
    /// The token being registered, why, and its failures so far.
    trying: Option<(SecretString, Why)>,
    retries: Retries,
    /// The last warning said, so that a problem that lasts is said once.
    said: Option<String>,
    in_flight: InFlight,
}

impl State {
    fn settle(&mut self, token: SecretString) {
        self.settled = Some(token);
        self.trying = None;
        self.said = None;
    }

    /// Says `warning` on stderr, unless it was the last thing said.
    fn say(&mut self, warning: &str) {
        if self.said.as_deref() != Some(warning) {
            output::note(warning);
            self.said = Some(warning.to_owned());
        }
    }

    /// Runs `work`, marked as what a signal meanwhile would leave in `doubt`, if anything.
    fn while_in_flight<T>(&self, doubt: Option<&'static str>, work: impl FnOnce() -> T) -> T {
        *self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = doubt;
        let done = work();
        *self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
        done
    }
}

/// What ends listen: the next signal, or the refusal of the first registration of `kept`'s
/// subscription (kept in the returned [`Ending`] for after the receiver stopped).
pub fn until_stopped(
    kept: Option<Kept>,
    mut signals: Signals,
) -> (impl Future<Output = ()> + Send + 'static, Ending) {
    let refusal: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
    let (refused, in_flight) = match kept {
        Some(kept) => (Some(kept.refused), Some(kept.in_flight)),
        None => (None, None),
    };
    let slot = Arc::clone(&refusal);
    let stop = async move {
        let refused = async move {
            match refused {
                Some(refused) => match refused.await {
                    Ok(error) => error,
                    // The keeper ended without a refusal: only a signal ends listen.
                    Err(_) => std::future::pending().await,
                },
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = signals.next() => {}
            error = refused => {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
            }
        }
    };
    (stop, Ending { refusal, in_flight })
}

/// How listen's subscription ended with it.
pub struct Ending {
    refusal: Arc<Mutex<Option<anyhow::Error>>>,
    in_flight: Option<InFlight>,
}

impl Ending {
    /// The refusal that ended listen, if one did; else says what a signal cut short.
    pub fn finish(self) -> anyhow::Result<()> {
        if let Some(error) = self
            .refusal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            return Err(error);
        }
        let cut = self.in_flight.and_then(|in_flight| {
            in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        });
        if let Some(doubt) = cut {
            output::note(&format!("warning: stopped while {doubt}"));
        }
        Ok(())
    }
}
