//! The resident memory of a process and all its descendants, sampled from `/proc` (Linux), so
//! a build's peak is the sum over cargo and the rustc processes it runs at once.

use std::collections::HashMap;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the tree is sampled.
const EVERY: Duration = Duration::from_millis(50);
/// Bytes per page of `/proc/PID/stat`'s RSS field (4 KiB on the Linux targets we build on).
const PAGE_BYTES: u64 = 4096;

/// A sampler of one process tree's summed RSS, running until [`finish`](Self::finish).
pub(crate) struct PeakRss {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl PeakRss {
    /// Starts sampling the tree rooted at `child`.
    pub(crate) fn watch(child: &Child) -> Self {
        let root = child.id();
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (peak, stop) = (Arc::clone(&peak), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(tree_rss(root), Ordering::Relaxed);
                    std::thread::sleep(EVERY);
                }
            })
        };
        Self { peak, stop, thread }
    }

    /// Stops sampling; the highest sum seen, in bytes (0 where `/proc` is missing).
    pub(crate) fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak.load(Ordering::Relaxed)
    }
}

/// The summed RSS of `root` and its descendants now, in bytes.
fn tree_rss(root: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    // pid -> (parent, rss pages), for every process readable now.
    let mut processes: HashMap<u32, (u32, u64)> = HashMap::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(fields) = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .as_deref()
            .and_then(stat_fields)
        {
            processes.insert(pid, fields);
        }
    }
    let mut total = 0;
    let mut frontier = vec![root];
    while let Some(pid) = frontier.pop() {
        if let Some((_, rss)) = processes.get(&pid) {
            total += rss * PAGE_BYTES;
        }
        frontier.extend(
            processes
                .iter()
                .filter(|(_, (parent, _))| *parent == pid)
                .map(|(child, _)| *child),
        );
    }
    total
}

/// `(ppid, rss)` from a `/proc/PID/stat` line (fields after the parenthesised name: state,
/// ppid, ... with rss the 22nd of them).
fn stat_fields(stat: &str) -> Option<(u32, u64)> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    Some((fields.get(1)?.parse().ok()?, fields.get(21)?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::stat_fields;

    #[test]
    fn reads_ppid_and_rss_even_with_spaces_in_the_name() {
        let line = "4242 (rustc (x) y) S 17 4242 17 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 1 0 99 123456 789 18446744073709551615";
        assert_eq!(stat_fields(line), Some((17, 789)));
    }
}
