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
    /// Processor time of the whole process when the stage started, to tell how many cores the
    /// stage kept busy.
    cpu: Option<f64>,
}

impl Stage {
    /// Starts timing `name`; costs one relaxed load when timings are off.
    pub fn start(name: &'static str) -> Stage {
        let on = enabled();
        Stage {
            name,
            start: on.then(Instant::now),
            cpu: if on { cpu_seconds() } else { None },
        }
    }

    /// Ends the stage now (same as dropping it), for stages that end mid-scope.
    pub fn end(self) {}
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            let cpu = match (self.cpu, cpu_seconds()) {
                (Some(a), Some(b)) => format!("{:>6.2}", b - a),
                _ => "?".to_string(),
            };
            eprintln!(
                "timing: {:<28} {:>7.3} s {:>7} MB resident {cpu} s cpu",
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

/// User and system processor time of the process so far, in seconds (Linux `/proc`, in the
/// kernel's clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}
