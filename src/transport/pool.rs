//! Kept-alive connections waiting for their next request.

use std::sync::{Arc, Mutex};

use super::connect::{Route, Sender};

/// Idle connections, each with the route it was opened for. A batch keeps as many as it
/// sends at once, so a list searched from its end is all the structure this needs.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<Vec<(Arc<Route>, Sender)>>,
}

impl Pool {
    /// The connection to `route` that went idle last (the one least likely to have been
    /// closed by the server meanwhile); connections found closed are dropped.
    pub(crate) fn take(&self, route: &Arc<Route>) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(position) = idle
            .iter()
            .rposition(|(to, _)| Arc::ptr_eq(to, route) || **to == **route)
        {
            let (_, sender) = idle.remove(position);
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    /// Keeps a connection whose last answer was read in full, for another request.
    pub(crate) fn put(&self, route: Arc<Route>, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push((route, sender));
    }
}
