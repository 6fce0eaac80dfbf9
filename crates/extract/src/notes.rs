//! What a parser logs while it reads a file (lopdf reports the objects it could not load
//! through the `log` crate): caught on the reading thread and turned into the document's
//! warnings, so it reaches the file's report line instead of the terminal.
//!
//! A binary that forwards `log` records to `tracing` (tracing-subscriber does) sends them
//! to the thread's current subscriber, which [`capture`] replaces for the length of a call.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Messages kept per file: the first few say what is wrong; the rest are counted.
const KEPT: usize = 3;

/// Warnings and errors logged under `target` (a crate name) while `f` runs on this thread.
pub(crate) fn capture<T>(target: &'static str, f: impl FnOnce() -> T) -> (T, Notes) {
    let notes = Arc::new(Mutex::new(Notes::default()));
    let subscriber = Catcher {
        target,
        notes: Arc::clone(&notes),
    };
    let out = tracing::subscriber::with_default(subscriber, f);
    let notes = match notes.lock() {
        Ok(n) => n.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    (out, notes)
}

/// What was logged: the first messages, distinct, and how many there were in all.
#[derive(Debug, Clone, Default)]
pub(crate) struct Notes {
    pub(crate) messages: Vec<String>,
    pub(crate) total: usize,
}

impl Notes {
    /// One line for the report, or none when nothing was logged.
    pub(crate) fn summary(&self, what: &str) -> Option<String> {
        let first = self.messages.first()?;
        let others = self.total.saturating_sub(1);
        Some(match others {
            0 => format!("{what}: {first}"),
            1 => format!("{what}: {first} (and 1 other problem)"),
            n => format!("{what}: {first} (and {n} other problems)"),
        })
    }
}

struct Catcher {
    target: &'static str,
    notes: Arc<Mutex<Notes>>,
}

/// The `message` field of an event (a `log` record's text).
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_string();
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Catcher {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::WARN && metadata.target().starts_with(self.target)
    }
    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _span: &Id, _values: &Record<'_>) {}
    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut message = Message::default();
        event.record(&mut message);
        let text = message.0.trim().to_string();
        if text.is_empty() {
            return;
        }
        if let Ok(mut notes) = self.notes.lock() {
            notes.total += 1;
            if notes.messages.len() < KEPT && !notes.messages.contains(&text) {
                notes.messages.push(text);
            }
        }
    }
    fn enter(&self, _span: &Id) {}
    fn exit(&self, _span: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_target_s_warnings_are_caught_and_counted() {
        let ((), notes) = capture("lopdf", || {
            tracing::error!(target: "lopdf::reader", "Object load error at offset 121");
            tracing::warn!(target: "lopdf::reader", "Object load error at offset 121");
            tracing::warn!(target: "lopdf::parser", "bad xref");
            tracing::info!(target: "lopdf::reader", "not a problem");
            tracing::error!(target: "tantivy", "someone else's");
        });
        assert_eq!(notes.total, 3);
        assert_eq!(
            notes.summary("damaged PDF, read around").as_deref(),
            Some(
                "damaged PDF, read around: Object load error at offset 121 (and 2 other problems)"
            )
        );
        let ((), none) = capture("lopdf", || {});
        assert_eq!(none.summary("x"), None);
    }
}
