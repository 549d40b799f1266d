//! Kept-alive connections waiting for their next request.

use std::sync::{Arc, Mutex};

use super::connect::Route;
use super::connection::Connection;

/// Idle connections, each with the route it was opened for. A batch keeps as many as it
/// sends at once, so a list searched from its end is all the structure this needs.
#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<Vec<(Arc<Route>, Connection)>>,
}

impl Pool {
    /// The connection to `route` that went idle last (the one least likely to have been
    /// closed by the server meanwhile); connections found closed are dropped. The check
    /// comes as late as it can, right before the connection carries a request.
    pub(crate) fn take(&self, route: &Arc<Route>) -> Option<Connection> {
        loop {
            // Checked, and dropped if closed, outside the lock: both ask the kernel.
            let connection = {
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                let position = idle
                    .iter()
                    .rposition(|(to, _)| Arc::ptr_eq(to, route) || **to == **route)?;
                idle.remove(position).1
            };
            if connection.is_open() {
                return Some(connection);
            }
        }
    }

    /// Keeps a connection whose last answer was read in full, for another request.
    pub(crate) fn put(&self, route: Arc<Route>, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push((route, connection));
    }
}
