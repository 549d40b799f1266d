//! The binary's one listener for SIGINT and SIGTERM (Ctrl-C where there are no others).
//! What a signal does depends on what the process is doing when it comes: at a question
//! it cancels, while a request that may reach the API is under way it gives the request a
//! grace and then says the request is in doubt, and otherwise it is handed to whoever
//! listens (a batch, the sandbox), which stops as it sees fit.

use std::sync::{Mutex, MutexGuard, OnceLock};

use kenar_chat::Error;
use kenar_chat::batch::{Interrupts, SIGNAL_GRACE, Signal};
use kenar_chat::http::retry::Event;
use tokio::sync::broadcast;

use crate::cli::output;

/// What a signal does now.
enum Mode {
    /// Handed to those listening; with none, the process ends as the signal asks.
    Deliver,
    /// A question waits in a read that nothing else can interrupt: `cancel` puts the
    /// terminal back and says nothing was sent, then the process ends.
    Asking(Box<dyn Fn() + Send>),
    /// A request that may reach the API is under way: it gets [`SIGNAL_GRACE`] to end (a
    /// second signal cuts that short), then the process ends saying `doubt`.
    InFlight { doubt: &'static str },
    /// That request waits to be tried again (after a 429, say): no attempt is on its way,
    /// so a signal ends the process at once, saying so; `doubt` is for the next attempt.
    Waiting { doubt: &'static str },
}

struct State {
    mode: Mode,
    /// Changes with every change of mode, so that a grace that outlived its request
    /// ends nothing.
    epoch: u64,
    /// The signal that came while a request was in flight.
    pending: Option<Signal>,
}

struct Listener {
    state: Mutex<State>,
    delivered: broadcast::Sender<Signal>,
}

static LISTENER: OnceLock<Result<Listener, String>> = OnceLock::new();

/// The listener, started on first use: a thread of its own, so that a signal is seen
/// whatever the main thread is blocked in.
fn listener() -> Result<&'static Listener, Error> {
    LISTENER
        .get_or_init(|| {
            let (ready, installed) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || watch(&ready))
                .map_err(|e| e.to_string())?;
            installed
                .recv()
                .unwrap_or_else(|_| Err("the listener stopped".into()))?;
            Ok(Listener {
                state: Mutex::new(State {
                    mode: Mode::Deliver,
                    epoch: 0,
                    pending: None,
                }),
                delivered: broadcast::channel(4).0,
            })
        })
        .as_ref()
        .map_err(|e| Error::Unavailable(format!("cannot listen for signals: {e}")))
}

impl Listener {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The listener thread: installs the handlers, says so on `ready`, then acts on each
/// signal for as long as the process lives.
fn watch(ready: &std::sync::mpsc::Sender<Result<(), String>>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(e.to_string()));
            return;
        }
    };
    runtime.block_on(async {
        let mut signals = match os::Signals::install() {
            Ok(signals) => signals,
            Err(e) => {
                let _ = ready.send(Err(e.to_string()));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        loop {
            let signal = signals.next().await;
            // The listener exists once a signal can come: `ready` came before.
            if let Some(Ok(listener)) = LISTENER.get() {
                act(listener, signal);
            }
        }
    });
}

/// Does what the mode in force says `signal` does.
fn act(listener: &'static Listener, signal: Signal) {
    let mut state = listener.state();
    match &state.mode {
        Mode::Deliver => {
            if listener.delivered.send(signal).is_err() {
                end(signal);
            }
        }
        Mode::Asking(cancel) => {
            cancel();
            end(signal);
        }
        Mode::Waiting { .. } => stop_waiting(signal),
        Mode::InFlight { doubt } if state.pending.is_some() => give_up(doubt, signal),
        Mode::InFlight { .. } => {
            state.pending = Some(signal);
            let epoch = state.epoch;
            tokio::spawn(async move {
                tokio::time::sleep(SIGNAL_GRACE).await;
                let state = listener.state();
                if let (Mode::InFlight { doubt }, true) = (&state.mode, state.epoch == epoch) {
                    give_up(doubt, signal);
                }
            });
        }
    }
}

/// Ends the process while a request is in flight, saying what may have happened.
fn give_up(doubt: &str, signal: Signal) {
    output::note(&format!(
        "\nerror: interrupted by {}; {doubt}",
        signal.name()
    ));
    end(signal);
}

/// Ends the process while a request waits to be tried again: nothing is on its way.
fn stop_waiting(signal: Signal) {
    output::note(&format!(
        "\nerror: interrupted by {} while waiting to try again: no attempt was on its way, \
         and none is sent again (what the attempts were answered is said above)",
        signal.name()
    ));
    end(signal);
}

/// Follows a request under way through its attempts: between them, while it waits to be
/// tried again, a signal ends the run at once; a signal that came during the attempt just
/// answered ends it now, rather than after the wait.
pub fn follow(event: &Event<'_>) {
    let Some(Ok(listener)) = LISTENER.get() else {
        return;
    };
    let mut state = listener.state();
    match (event, &state.mode) {
        (Event::Retrying { .. }, &Mode::InFlight { doubt }) => {
            state.mode = Mode::Waiting { doubt };
            state.epoch += 1;
            if let Some(signal) = state.pending.take() {
                stop_waiting(signal);
            }
        }
        (Event::Sending { .. }, &Mode::Waiting { doubt }) => {
            state.mode = Mode::InFlight { doubt };
            state.epoch += 1;
        }
        _ => {}
    }
}

/// Where a run that a signal ends is reported: `main`, which then ends the process with the
/// signal's exit code.
static ENDING: OnceLock<Box<dyn Fn(Signal) + Send + Sync>> = OnceLock::new();

/// From now on, a signal that ends the run (at a question, or in a request given up on) is
/// handed to `report` rather than waited for: the command's thread cannot be reached then.
pub fn report_endings_to(report: impl Fn(Signal) + Send + Sync + 'static) {
    let _ = ENDING.set(Box::new(report));
}

/// Says that `signal` ends the run: the command's thread is blocked in a terminal read, or
/// in a request given up on.
fn end(signal: Signal) {
    if let Some(report) = ENDING.get() {
        report(signal);
    }
}

/// From now on, until told otherwise, a signal puts the terminal back with `cancel` and
/// ends the process: a question is being asked.
pub fn cancel_at_questions(cancel: impl Fn() + Send + 'static) -> Result<(), Error> {
    let listener = listener()?;
    let mut state = listener.state();
    state.mode = Mode::Asking(Box::new(cancel));
    state.epoch += 1;
    Ok(())
}

/// Runs `work`, a request that may reach the API, whether questions were asked or not: a
/// signal meanwhile gives it [`SIGNAL_GRACE`] to end, then ends the process saying `doubt`
/// (a signal's default would end it at once, saying nothing, though the request may have
/// arrived). Returns what `work` returned, and the signal that came while it ran, if one
/// did and the work still ended. When signals cannot be listened for, `work` just runs.
pub fn in_flight<T>(doubt: &'static str, work: impl FnOnce() -> T) -> (T, Option<Signal>) {
    let Ok(listener) = listener() else {
        return (work(), None);
    };
    let before = {
        let mut state = listener.state();
        state.epoch += 1;
        std::mem::replace(&mut state.mode, Mode::InFlight { doubt })
    };
    let done = work();
    let mut state = listener.state();
    state.mode = before;
    state.epoch += 1;
    (done, state.pending.take())
}

/// The signals handed to a listener: every one that comes from now on, until it is
/// dropped.
pub struct Signals(broadcast::Receiver<Signal>);

/// Listens from now on: a signal before the listener looks is not missed.
pub fn listen() -> Result<Signals, Error> {
    Ok(Signals(listener()?.delivered.subscribe()))
}

impl Signals {
    /// The next signal.
    pub async fn next(&mut self) -> Signal {
        loop {
            match self.0.recv().await {
                Ok(signal) => return signal,
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            }
        }
    }
}

impl Interrupts for Signals {
    fn next(&mut self) -> impl Future<Output = Signal> {
        Signals::next(self)
    }
}

#[cfg(unix)]
mod os {
    use kenar_chat::batch::Signal;
    use tokio::signal::unix::{SignalKind, signal};

    pub struct Signals {
        interrupt: tokio::signal::unix::Signal,
        terminate: tokio::signal::unix::Signal,
    }

    impl Signals {
        pub fn install() -> std::io::Result<Self> {
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }

        pub async fn next(&mut self) -> Signal {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.terminate.recv() => Signal::Terminate,
            }
        }
    }
}

#[cfg(not(unix))]
mod os {
    use kenar_chat::batch::Signal;

    /// Ctrl-C, where there are no Unix signals.
    pub struct Signals;

    impl Signals {
        pub fn install() -> std::io::Result<Self> {
            Ok(Signals)
        }

        pub async fn next(&mut self) -> Signal {
            match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Interrupt,
                Err(_) => std::future::pending().await,
            }
        }
    }
}
