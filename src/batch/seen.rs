//! The lines a run has taken to send, so that an identical line is counted as the
//! duplicate it is: 64 bits of each line's ID, 8 bytes a line. Most are in one sorted
//! vector; the latest few thousand wait in a small set and are merged into it, in place,
//! once there are enough of them. A hash set of every line would take more than twice the
//! memory, and twice that again while it grows.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// Lines kept in the set before they are merged into the sorted vector.
const RECENT: usize = 4096;

#[derive(Default)]
pub(super) struct Seen {
    sorted: Vec<u64>,
    recent: HashSet<u64, BuildHasherDefault<IdHasher>>,
}

impl Seen {
    /// Adds `id`; `false` when it was there already.
    pub(super) fn insert(&mut self, id: u64) -> bool {
        if self.sorted.binary_search(&id).is_ok() || !self.recent.insert(id) {
            return false;
        }
        if self.recent.len() >= RECENT {
            self.merge();
        }
        true
    }

    /// Moves the recent IDs into the sorted vector, merging from its end so that no second
    /// vector is needed.
    fn merge(&mut self) {
        let mut recent: Vec<u64> = self.recent.drain().collect();
        recent.sort_unstable();
        let old = self.sorted.len();
        self.sorted.resize(old + recent.len(), 0);
        let (mut from_old, mut from_recent) = (old, recent.len());
        for at in (0..self.sorted.len()).rev() {
            let take_old = from_recent == 0
                || (from_old > 0 && self.sorted[from_old - 1] > recent[from_recent - 1]);
            if take_old {
                from_old -= 1;
                self.sorted[at] = self.sorted[from_old];
            } else {
                from_recent -= 1;
                self.sorted[at] = recent[from_recent];
            }
            if from_recent == 0 {
                // What is left of the old IDs is in place already.
                break;
            }
        }
    }
}

/// The IDs are uniformly random already: they are their own hash.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_new_once_across_merges() {
        let mut seen = Seen::default();
        // A spread of values in no order, each twice.
        let ids: Vec<u64> = (0..3 * RECENT as u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for &id in &ids {
            assert!(seen.insert(id), "{id} is new");
        }
        assert!(seen.sorted.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(seen.sorted.len() + seen.recent.len(), ids.len());
        for &id in ids.iter().rev() {
            assert!(!seen.insert(id), "{id} was seen");
        }
        assert!(seen.insert(1));
        assert!(!seen.insert(1));
    }
}
