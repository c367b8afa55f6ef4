//! Wall-clock time per stage of a run, printed to standard error when `CHIPTRAIL_TIMINGS` is
//! set, so that where the time of a big file goes can be read off any build without a profiler
//! (docs/performance.md quotes these lines), with the memory resident when each stage ends.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CHIPTRAIL_TIMINGS").is_some_and(|v| !v.is_empty()))
}

/// A stage being timed: prints `timing: <name> <seconds> s` when dropped (only when enabled).
pub struct Stage {
    name: &'static str,
    start: Option<Instant>,
}

impl Stage {
    /// Starts timing `name`; costs one relaxed load when timings are off.
    pub fn start(name: &'static str) -> Stage {
        Stage {
            name,
            start: enabled().then(Instant::now),
        }
    }

    /// Ends the stage now (same as dropping it), for stages that end mid-scope.
    pub fn end(self) {}
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            eprintln!(
                "timing: {:<28} {:>7.3} s {:>7} MB resident",
                self.name,
                start.elapsed().as_secs_f64(),
                resident_mb().map_or_else(|| "?".to_string(), |m| m.to_string())
            );
        }
    }
}

/// The process's resident memory in MB, where the system tells it (Linux `/proc`).
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
