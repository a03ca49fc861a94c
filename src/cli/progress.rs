//! A progress bar on stderr for runs longer than a second, on a terminal only (never
//! in pipes, files or snapshots).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parkrules::progress::Observer;
use std::io::IsTerminal;
use std::time::Duration;

/// Shown after this long, so quick runs print nothing.
const DELAY: Duration = Duration::from_secs(1);

pub struct Bar {
    bar: ProgressBar,
    /// Whether phases set the bar's length (false: the caller set one total).
    phases: bool,
}

impl Bar {
    /// A bar that appears after a second if stderr is a terminal; hidden otherwise.
    pub fn start() -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if std::io::stderr().is_terminal() {
            let delayed = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                if !delayed.is_finished() {
                    delayed.set_draw_target(ProgressDrawTarget::stderr());
                    delayed.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Bar { bar, phases: true }
    }

    /// A bar over one known total, whatever phases the work reports (for `diff`, which
    /// evaluates two policies at once).
    pub fn total(message: &str, total: u64) -> Bar {
        let mut b = Bar::start();
        b.show(message, Some(total));
        b.phases = false;
        b
    }

    /// Count records under `message`, out of `total` when known.
    fn show(&self, message: &str, total: Option<u64>) {
        self.bar.set_message(message.to_string());
        self.bar.set_position(0);
        let template = match total {
            Some(t) => {
                self.bar.set_length(t);
                "{spinner} {msg} {wide_bar} {human_pos}/{human_len} records ({per_sec}, {eta} left)"
            }
            None => {
                self.bar.unset_length();
                "{spinner} {msg} {human_pos} records ({per_sec})"
            }
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Bar {
    fn phase(&self, name: &str, total: Option<u64>) {
        if self.phases {
            self.show(name, total);
        }
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}
