//! The lines a run has taken to send, so that an identical line is counted as the
//! duplicate it is, in memory that stays flat however long the input: 64 bits of each
//! line's ID. The latest few thousand wait in a small set and are merged, in place, into
//! one sorted vector; once that holds [`SPILL`] IDs it is written to a file as a sorted
//! run, and only a filter of it stays in memory (16 bits an ID), which sends the rare
//! line it may hold to a binary search of the run on disk.

use std::collections::HashSet;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write as _;

/// Lines kept in the set before they are merged into the sorted vector.
const RECENT: usize = 4096;
/// IDs in the sorted vector before it is written out as a run: 128 KiB.
const SPILL: usize = 16 * 1024;
/// Bits of a run's filter per ID, and the bits each ID sets: about 0.05% of the IDs a run
/// does not hold go to the disk.
const FILTER_BITS: usize = 16;
const FILTER_HASHES: u32 = 11;

#[derive(Default)]
pub(super) struct Seen {
    sorted: Vec<u64>,
    recent: HashSet<u64, BuildHasherDefault<IdHasher>>,
    /// The file of the runs written out; none while nothing was, or when none can be
    /// created (the IDs then stay in memory).
    file: Option<File>,
    runs: Vec<Run>,
}

/// A sorted run of IDs in the file, from `offset`, and its filter.
struct Run {
    offset: u64,
    len: u64,
    filter: Vec<u64>,
}

impl Run {
    /// The filter's bits for `id`: the ID is uniformly random already, so its two halves
    /// make the hashes (double hashing).
    fn bits(id: u64, len: usize) -> impl Iterator<Item = usize> {
        let (a, b) = (id, id.rotate_left(32) | 1);
        let bits = (len * 64) as u64;
        (0..u64::from(FILTER_HASHES))
            .map(move |i| (a.wrapping_add(i.wrapping_mul(b)) % bits) as usize)
    }

    fn new(offset: u64, ids: &[u64]) -> Self {
        let mut filter = vec![0u64; (ids.len() * FILTER_BITS).div_ceil(64).max(1)];
        for &id in ids {
            for bit in Self::bits(id, filter.len()) {
                filter[bit / 64] |= 1 << (bit % 64);
            }
        }
        Run {
            offset,
            len: ids.len() as u64,
            filter,
        }
    }

    fn may_hold(&self, id: u64) -> bool {
        Self::bits(id, self.filter.len()).all(|bit| self.filter[bit / 64] & (1 << (bit % 64)) != 0)
    }

    /// Whether the run holds `id`, by a binary search of the file; a read that fails
    /// counts as a hit, so that a line is never sent twice for a disk error.
    fn holds(&self, file: &File, id: u64) -> bool {
        let (mut low, mut high) = (0, self.len);
        while low < high {
            let middle = low + (high - low) / 2;
            let mut bytes = [0u8; 8];
            if read_at(file, &mut bytes, self.offset + middle * 8).is_err() {
                return true;
            }
            match u64::from_le_bytes(bytes).cmp(&id) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    let read = std::os::windows::fs::FileExt::seek_read(file, bytes, offset)?;
    if read == bytes.len() {
        Ok(())
    } else {
        Err(std::io::ErrorKind::UnexpectedEof.into())
    }
}

impl Seen {
    /// Adds `id`; `false` when it was there already.
    pub(super) fn insert(&mut self, id: u64) -> bool {
        if self.sorted.binary_search(&id).is_ok() || self.recent.contains(&id) {
            return false;
        }
        if let Some(file) = &self.file
            && self
                .runs
                .iter()
                .any(|run| run.may_hold(id) && run.holds(file, id))
        {
            return false;
        }
        self.recent.insert(id);
        if self.recent.len() >= RECENT {
            self.merge();
            if self.sorted.len() >= SPILL {
                self.spill();
            }
        }
        true
    }

    /// Writes the sorted vector out as a run, keeping its filter; keeps it in memory when
    /// no file can be written.
    fn spill(&mut self) {
        if self.file.is_none() {
            self.file = tempfile::tempfile().ok();
        }
        let Some(file) = &mut self.file else {
            return;
        };
        let offset = self.runs.iter().map(|run| run.len * 8).sum();
        let bytes: Vec<u8> = self.sorted.iter().flat_map(|id| id.to_le_bytes()).collect();
        if file.write_all(&bytes).is_err() {
            // The run may be half written: the file is dropped, and what it held with it
            // would be lost, so everything stays in memory from now on.
            return;
        }
        self.runs.push(Run::new(offset, &self.sorted));
        self.sorted.clear();
    }

    /// Moves the recent IDs into the sorted vector, merging from its end so that no second
    /// vector is needed.
    fn merge(&mut self) {
        let mut recent: Vec<u64> = self.recent.drain().collect();
        recent.sort_unstable();
        let old = self.sorted.len();
        // Room for a whole run at once, so that growing never holds two copies.
        self.sorted.reserve_exact(SPILL.saturating_sub(old));
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

    #[test]
    fn ids_written_out_to_runs_are_still_seen() {
        let mut seen = Seen::default();
        let ids: Vec<u64> = (0..3 * SPILL as u64 + 5)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for &id in &ids {
            assert!(seen.insert(id), "{id} is new");
        }
        assert_eq!(seen.runs.len(), 3);
        assert!(seen.sorted.len() + seen.recent.len() < SPILL);
        for &id in &ids {
            assert!(!seen.insert(id), "{id} was seen");
        }
        // What no run holds is new, whatever the filters say.
        let fresh =
            (0..10_000u64).filter(|&i| seen.insert(i.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1));
        assert!(fresh.count() > 9_990);
    }
}
