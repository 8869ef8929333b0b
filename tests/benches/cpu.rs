//! CPU time of this process's client side: the sum of its threads' run time
//! (`/proc/self/task/*/schedstat`, nanoseconds), leaving out the threads of the canned-page
//! server, which runs in this process but is not the client under test.
//!
//! Threads that end between two readings take their time with them; the bench's runtimes keep
//! their worker threads for the whole run, so this loses only short-lived blocking threads.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;

/// The thread name the canned server's thread carries (and the CPU reading leaves out).
pub(crate) const SERVER_THREAD: &str = "canned-server";

/// Run time per thread id, at one moment.
pub(crate) struct CpuSnapshot {
    threads: HashMap<u32, u64>,
}

impl CpuSnapshot {
    /// Reads every thread of this process except the server's.
    pub(crate) fn now() -> anyhow::Result<Self> {
        let mut threads = HashMap::new();
        for entry in
            std::fs::read_dir("/proc/self/task").context("no /proc/self/task (not Linux?)")?
        {
            let entry = entry?;
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            // A thread may end between listing and reading: skip it.
            let Ok(comm) = std::fs::read_to_string(entry.path().join("comm")) else {
                continue;
            };
            if comm.trim_end() == SERVER_THREAD {
                continue;
            }
            let Ok(stat) = std::fs::read_to_string(entry.path().join("schedstat")) else {
                continue;
            };
            threads.insert(tid, run_ns(&stat)?);
        }
        Ok(Self { threads })
    }

    /// Client CPU time spent since `self` (threads born since count from zero).
    pub(crate) fn elapsed(&self) -> anyhow::Result<Duration> {
        let later = Self::now()?;
        let ns: u64 = later
            .threads
            .iter()
            .map(|(tid, run)| run.saturating_sub(self.threads.get(tid).copied().unwrap_or(0)))
            .sum();
        Ok(Duration::from_nanos(ns))
    }
}

/// The run time (nanoseconds) in a `schedstat` file's text: its first field.
fn run_ns(schedstat: &str) -> anyhow::Result<u64> {
    schedstat
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .context("unreadable schedstat")
}

/// The calling thread's run time so far (`/proc/thread-self/schedstat`).
pub(crate) fn this_thread() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
        .context("no /proc/thread-self/schedstat (not Linux?)")?;
    Ok(Duration::from_nanos(run_ns(&stat)?))
}
