//! `kenar-chat listen`: receive what Divar sends the app (events, server-link and
//! dynamic-action calls), check and record it, forward it to the app under development,
//! and relay the app's answer.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use clap::{Args, ValueHint};
use kenar_chat::batch::SIGNAL_GRACE;
use kenar_chat::error::{self, Error};
use kenar_chat::http::retry::Event;
use kenar_chat::http::serve::Stopped;
use kenar_chat::http::url as http_url;
use kenar_chat::receive::auth::IdentificationKey;
use kenar_chat::receive::event::{DYNAMIC_ACTION, EVENT_TYPES, SERVER_LINK};
use kenar_chat::receive::forward;
use kenar_chat::receive::record::{LOG_FILE, Log, MAX_BODY_BYTES};
use kenar_chat::receive::server::{Activity, BoundReceiver, Options};
use kenar_chat::secret;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::cli::output::{self, Format};
use crate::cli::report::{self, Verbosity};
use crate::cli::settings::Settings;
use crate::cli::shared::credentials::IdentificationKeyArgs;
use crate::cli::shared::subscription::SubscriptionArgs;
use crate::cli::shared::subscription::keeper::{self, Keeper};
use crate::cli::shared::{profile, seconds, signals};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat listen --forward-to http://127.0.0.1:3000/divar/events
  kenar-chat listen --port 8800 -f http://127.0.0.1:3000/events -c http://127.0.0.1:3000/divar/actions --events NEW_MESSAGE,SERVER_LINK
  kenar-chat listen --accept-any-key --format json | jq .
  kenar-chat listen -f http://127.0.0.1:3000/divar/events --subscribe --post-token gZd7omnS

The identification key comes from KENAR_IDENTIFICATION_KEY or --identification-key-file,
never from a flag's value. Every request received is kept in the event log (events.jsonl
in the config directory, or --log), which `kenar-chat events replay` sends again.")]
pub struct ListenArgs {
    /// Listen on this port (0 picks any free port)
    #[arg(long, default_value_t = 8800)]
    pub port: u16,
    /// Listen on this address (a tunnel's agent on this machine reaches 127.0.0.1)
    #[arg(long, value_name = "ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    #[command(flatten)]
    pub key: IdentificationKeyArgs,
    /// Accept every request, whatever its Authorization header, even with
    /// KENAR_IDENTIFICATION_KEY set: for trying listen on this machine, never behind a
    /// public tunnel
    #[arg(long, conflicts_with = "identification_key_file")]
    pub accept_any_key: bool,
    /// Also refuse (403) callers not at Divar's documented addresses (78.111.6.41-43,
    /// 31.214.250.128/27); behind a tunnel on this machine, its X-Forwarded-For names them
    #[arg(long)]
    pub divar_sources_only: bool,
    /// Forward events to this URL, and relay the app's answer
    #[arg(short = 'f', long, value_name = "URL", value_hint = ValueHint::Url)]
    pub forward_to: Option<String>,
    /// Forward server-link and dynamic-action calls to this URL instead [default: --forward-to]
    #[arg(short = 'c', long, value_name = "URL", value_hint = ValueHint::Url)]
    pub forward_actions_to: Option<String>,
    /// Forward only these (comma-separated): event types, SERVER_LINK, DYNAMIC_ACTION
    /// [default: all]; the others are recorded and answered 200
    #[arg(short = 'e', long, value_name = "NAMES", value_delimiter = ',')]
    pub events: Vec<String>,
    /// Add this header to every forwarded request (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = forward::header)]
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// One line per request in and out, or one JSON object a line
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Keep the requests received in this JSON Lines file [default: events.jsonl in the
    /// config directory]
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub log: Option<PathBuf>,
    /// Refuse (413) bodies larger than this many bytes (at most 8 MiB, so that the event
    /// log's records stay bounded)
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(..=MAX_BODY_BYTES as u64))]
    pub max_body: u64,
    /// Answer 503 while this many requests are being handled
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent: u32,
    /// Give the app this many seconds to answer (504 past it)
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds::positive)]
    pub forward_timeout: Duration,
    /// Give a caller this many seconds to send its request head, then its body (closed, or 408, past it)
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds::positive)]
    pub read_timeout: Duration,
    /// Subscribe to Divar's events at start (--post-token or --all-posts), and again with
    /// every new stored token, refreshed by listen itself or by another run, as long as
    /// listen runs
    #[arg(long)]
    pub subscribe: bool,
    #[command(
        flatten,
        next_help_heading = "Subscribing (with --subscribe), and reaching the API and the app"
    )]
    pub subscription: SubscriptionArgs,
}

pub fn run(args: ListenArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let log_path = match &args.log {
        Some(path) => path.clone(),
        None => profile::dir()?.join(LOG_FILE),
    };
    let options = options(&args)?;
    let key_passed_over = args.accept_any_key && matches!(args.key.divar_key(), Ok(Some(_)));
    let keeper = match (args.subscribe, args.subscription.given()) {
        (true, _) => Some(Keeper::prepare(&args.subscription, settings, verbosity)?),
        (false, true) => {
            return Err(Error::invalid(
                "--post-token, --all-posts, --type and --metadata say what to subscribe to: \
                 give --subscribe with them",
            )
            .into());
        }
        (false, false) => None,
    };
    let log = Log::open(&log_path).map_err(|e| match args.log {
        Some(_) => e.prefixed("--log: "),
        None => e,
    })?;
    if let Some(warning) = secret::exposure_warning(&log_path, "event log") {
        output::note(&format!("warning: {warning}"));
    }
    if log.ended_torn() {
        output::note(&format!(
            "warning: the event log {} ended in a record cut short (a listen stopped while \
             writing it): it is kept on a line of its own, and events replay passes it over",
            log_path.display()
        ));
    }
    // The app is reached as the API is: --cacert and --resolve hold for both.
    let client = args
        .subscription
        .connection
        .reach
        .client(options.forward_timeout)?;
    let format = args.format;
    let observe = Arc::new(move |activity: Activity| {
        // With -v, the request to the app and its answer go to stderr as other commands
        // log theirs, whatever the format of stdout.
        if let Activity::Forwarding {
            id,
            to,
            headers,
            bytes,
        } = &activity
        {
            return report::to_app(verbosity, to, headers, *bytes, Some(id));
        }
        if let Activity::Out {
            to: Some(_),
            status,
            elapsed_ms: Some(elapsed),
            ..
        } = &activity
        {
            let elapsed = Duration::from_millis(u64::try_from(*elapsed).unwrap_or(u64::MAX));
            report::event(
                verbosity,
                Event::Answered {
                    status: *status,
                    elapsed,
                },
            );
        }
        // A closed or failing stdout does not stop the receiver: the log keeps everything.
        let _ = match format {
            Format::Text => describe(&activity).map_or(Ok(()), |line| output::line(&line)),
            Format::Json => serde_json::to_value(&activity)
                .map_err(anyhow::Error::from)
                .and_then(|value| output::json(&value)),
        };
    });
    crate::cli::block_on(async {
        let receiver = BoundReceiver::bind(options.clone(), log, client, observe).await?;
        let signals = signals::listen()?;
        ready(
            &options,
            key_passed_over,
            &receiver.local_addr()?,
            &log_path,
        );
        let kept = keeper.map(Keeper::start).transpose()?;
        let (stop, ending) = keeper::until_stopped(kept, signals);
        let stopped = receiver.serve(stop, SIGNAL_GRACE).await?;
        ending.finish()?;
        output::note(&match stopped {
            Stopped::Drained => "listen stopped".to_owned(),
            Stopped::CutShort => format!(
                "listen stopped: requests still under way after {} were cut short, without \
                 an answer (a forwarded one may have reached the app)",
                humantime::format_duration(SIGNAL_GRACE)
            ),
        });
        Ok(())
    })?
}

/// Checks every flag at once.
fn options(args: &ListenArgs) -> Result<Options, Error> {
    let mut problems = Vec::new();
    let mut target = |flag: &str, value: Option<&str>| -> Result<Option<Url>, Error> {
        let Some(value) = value else { return Ok(None) };
        let url = http_url::endpoint(flag, value)
            .and_then(|url| http_url::check_transport(flag, &url).map(|()| url));
        error::gather(url, &mut problems)
    };
    let forward_to = target("--forward-to", args.forward_to.as_deref())?;
    let forward_actions_to = target("--forward-actions-to", args.forward_actions_to.as_deref())?;
    // --accept-any-key wins over KENAR_IDENTIFICATION_KEY, which the sandbox's export lines
    // set: the flag is the later, more deliberate word (`ready` says the key is not checked).
    let key = if args.accept_any_key {
        None
    } else {
        match error::gather(args.key.divar_key(), &mut problems)? {
            Some(Some(key)) => Some(IdentificationKey::new(key)),
            // Unfit, which `problems` says already.
            None => None,
            Some(None) => {
                problems.push(format!(
                    "{}; or give --accept-any-key to take requests without checking",
                    IdentificationKeyArgs::MISSING
                ));
                None
            }
        }
    };
    let forward_key = error::gather(args.key.forward_key(), &mut problems)?.flatten();
    for name in &args.events {
        let known = EVENT_TYPES.contains(&name.as_str())
            || [SERVER_LINK, DYNAMIC_ACTION].contains(&name.as_str());
        if !known {
            problems.push(format!(
                "--events: {name:?} is none of {}, {SERVER_LINK}, {DYNAMIC_ACTION}",
                EVENT_TYPES.join(", ")
            ));
        }
    }
    let options = Options {
        address: SocketAddr::new(args.bind, args.port),
        key,
        divar_sources_only: args.divar_sources_only,
        events: args.events.clone(),
        forward_to,
        forward_actions_to,
        forward_key,
        headers: args.headers.clone(),
        // Within MAX_BODY_BYTES, a usize.
        max_body: usize::try_from(args.max_body).unwrap_or(MAX_BODY_BYTES),
        max_concurrent: args.max_concurrent as usize,
        forward_timeout: args.forward_timeout,
        read_timeout: args.read_timeout,
    };
    error::valid(options, problems)
}

/// Says on stderr where listen is, what it checks and where requests go; `key_passed_over`
/// when an identification key is set but --accept-any-key has listen check none.
fn ready(options: &Options, key_passed_over: bool, address: &SocketAddr, log: &std::path::Path) {
    let mut lines = vec![format!("listening on http://{address}")];
    lines.push(match (&options.key, key_passed_over) {
        (Some(_), _) => "checking Authorization against the identification key (***)".to_owned(),
        (None, false) => {
            "warning: accepting every request, whatever its Authorization header".to_owned()
        }
        (None, true) => "warning: accepting every request, whatever its Authorization header: \
             --accept-any-key wins over the identification key that is set, which is not checked"
            .to_owned(),
    });
    if options.divar_sources_only {
        lines.push("refusing callers not at Divar's documented addresses".into());
    }
    lines.push(match (&options.forward_to, &options.forward_actions_to) {
        (None, None) => "forwarding nothing: events are answered 200 and calls 502".to_owned(),
        (events, actions) => {
            let shown = |url: Option<&Url>| url.map_or("nowhere".to_owned(), Url::to_string);
            format!(
                "forwarding events to {} and server-link and dynamic-action calls to {}",
                shown(events.as_ref()),
                shown(actions.as_ref().or(events.as_ref()))
            )
        }
    });
    lines.push(format!("recording every request in {}", log.display()));
    lines.push("Ctrl-C stops listen".into());
    output::note(&lines.join("\n"));
}

/// One line for a person: `-->` for a request in, `<--` for its answer; `None` for what
/// only `-v` shows.
fn describe(activity: &Activity) -> Option<String> {
    let now = humantime::format_rfc3339_seconds(SystemTime::now());
    match activity {
        Activity::In {
            id,
            summary,
            api_version,
            ..
        } => {
            let mut line = format!(
                "{now}  --> {} [{id}]",
                if summary.name.is_empty() {
                    "?"
                } else {
                    &summary.name
                }
            );
            if let Some(conversation) = &summary.conversation {
                line.push_str(&format!(" conversation {conversation}"));
            }
            if let Some(side) = &summary.side {
                line.push_str(&format!(" {side}"));
            }
            if let Some(excerpt) = &summary.excerpt {
                line.push_str(&format!(
                    " {}",
                    kenar_chat::visible::quote(format!("{excerpt:?}").as_bytes())
                ));
            }
            if let Some(version) = api_version {
                line.push_str(&format!(" API version {version}"));
            }
            if let Some(problem) = &summary.problem {
                line.push_str(&format!(" ({problem})"));
            }
            Some(line)
        }
        Activity::Out {
            id,
            method,
            path,
            status,
            to,
            elapsed_ms,
            note,
        } => {
            let mut line = format!(
                "{now}  <-- [{status}] {method} {}",
                to.as_deref().unwrap_or(path)
            );
            if let Some(ms) = elapsed_ms {
                line.push_str(&format!(" ({ms} ms)"));
            }
            if let Some(id) = id {
                line.push_str(&format!(" [{id}]"));
            }
            if let Some(note) = note {
                line.push_str(&format!(": {note}"));
            }
            Some(line)
        }
        // Shown by -v alone, on stderr.
        Activity::Forwarding { .. } => None,
    }
}
