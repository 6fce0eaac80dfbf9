//! Files waiting for the classifier (the second pass): spilled to a temporary file as they
//! finish, read back in batches and tagged on every core.

use std::panic::{AssertUnwindSafe, catch_unwind};

use cfi_core::ManifestEntry;

use crate::{Cut, FileError, QuestionClassifier, Tagged};

/// Held files tagged at once: enough to keep every core busy, few enough to keep memory flat.
pub(crate) const HELD_BATCH: usize = 64;

/// Tags a batch of held files on `threads` threads; the result keeps the batch's order.
pub(crate) fn tag_held(
    chunk: Vec<(usize, std::io::Result<Held>)>,
    classifier: &QuestionClassifier,
    entries: &[ManifestEntry],
    threads: usize,
) -> Vec<(usize, std::result::Result<Tagged, FileError>)> {
    let path = |slot: usize| {
        entries
            .get(slot)
            .map(|e| e.path.clone())
            .unwrap_or_default()
    };
    let tag = |(slot, held): (usize, std::io::Result<Held>)| {
        let tagged = held
            .map_err(|source| FileError::Spill {
                path: path(slot),
                source,
            })
            .and_then(|held| {
                catch_unwind(AssertUnwindSafe(|| Tagged {
                    pages: held.pages,
                    passages: held.cut.tag(classifier),
                    warnings: held.warnings,
                }))
                .map_err(|_| FileError::ClassifierCrashed { path: path(slot) })
            });
        (slot, tagged)
    };
    if threads < 2 || chunk.len() < 2 {
        return chunk.into_iter().map(tag).collect();
    }
    let per_thread = chunk.len().div_ceil(threads);
    let mut parts: Vec<Vec<(usize, std::io::Result<Held>)>> = Vec::new();
    let mut rest = chunk.into_iter();
    loop {
        let part: Vec<_> = rest.by_ref().take(per_thread).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(tag).collect::<Vec<_>>()))
            .collect();
        // Each file's panic is caught inside `tag`: a thread itself does not fail.
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

/// A file waiting for the classifier.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Held {
    pub(crate) slot: usize,
    pub(crate) pages: Option<u32>,
    pub(crate) warnings: Vec<String>,
    pub(crate) cut: Cut,
}

/// Files waiting for the classifier, written as they finish to an unnamed temporary file
/// (gone when the run ends, even if it is killed) and read back one at a time, so memory
/// stays flat however many essays a call holds. Where no temporary file can be made, or
/// writing to it fails, they wait in memory.
pub(crate) struct Waiting {
    spill: Option<std::io::BufWriter<std::fs::File>>,
    /// After a failed write the spill takes nothing more (a part line may end it).
    closed: bool,
    /// Slots written whole to the spill, in order.
    spilled: Vec<usize>,
    memory: Vec<Held>,
}

impl Waiting {
    pub(crate) fn new() -> Waiting {
        Waiting {
            spill: tempfile::tempfile().ok().map(std::io::BufWriter::new),
            closed: false,
            spilled: Vec::new(),
            memory: Vec::new(),
        }
    }

    pub(crate) fn hold(&mut self, held: Held) {
        use std::io::Write;
        if let Some(spill) = self.spill.as_mut().filter(|_| !self.closed) {
            let written = serde_json::to_writer(&mut *spill, &held)
                .map_err(std::io::Error::from)
                .and_then(|()| spill.write_all(b"\n"));
            if written.is_ok() {
                self.spilled.push(held.slot);
                return;
            }
            self.closed = true;
        }
        self.memory.push(held);
    }

    /// Every held file with its slot, read back one at a time, or why it could not be.
    pub(crate) fn release(self) -> impl Iterator<Item = (usize, std::io::Result<Held>)> {
        use std::io::{BufRead, Seek};
        let memory = self.memory.into_iter().map(|h| (h.slot, Ok(h)));
        let reader = self.spill.map(|spill| {
            spill
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)
                .and_then(|mut file| {
                    file.rewind()?;
                    Ok(std::io::BufReader::new(file).lines())
                })
                .map_err(|e| e.to_string())
        });
        let mut lines = match reader {
            Some(Ok(lines)) => Ok(Some(lines)),
            Some(Err(message)) => Err(message),
            None => Ok(None),
        };
        let spilled = self.spilled.into_iter().map(move |slot| {
            let line = match lines.as_mut() {
                Ok(Some(lines)) => lines.next().unwrap_or_else(|| {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the temporary file ended early",
                    ))
                }),
                Ok(None) => Err(std::io::Error::other("no temporary file")),
                Err(message) => Err(std::io::Error::other(message.clone())),
            };
            let held = line.and_then(|line| {
                serde_json::from_str::<Held>(&line).map_err(std::io::Error::other)
            });
            (slot, held)
        });
        memory.chain(spilled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Analyzer, test_call};

    #[test]
    fn files_held_for_the_classifier_come_back_whole_and_in_order() {
        let call = test_call(
            &["en"],
            "[[questions]]\nnumber = 1\nshort = \"q\"\ntext.en = \"What are the trends?\"\n",
        );
        let analyzer = Analyzer::new(&call);
        let block = |text: &str| cfi_extract::Block {
            text: text.into(),
            page: Some(1),
            page_label: None,
            paragraph: 1,
            kind: cfi_extract::BlockKind::Paragraph,
            ocr: false,
        };
        let cuts: Vec<Cut> = [
            "Första stycket, på svenska.",
            "A second file, in English, with «quotes».",
        ]
        .iter()
        .enumerate()
        .map(|(n, text)| analyzer.cut(&format!("s{n}"), &[block(text)], None))
        .collect();
        let mut waiting = Waiting::new();
        assert!(waiting.spill.is_some(), "a temporary file could be made");
        for (slot, cut) in cuts.iter().enumerate() {
            waiting.hold(Held {
                slot: slot * 7,
                pages: Some(3),
                warnings: vec![format!("w{slot}")],
                cut: cut.clone(),
            });
        }
        let back: Vec<_> = waiting.release().collect();
        assert_eq!(back.len(), 2);
        for ((slot, held), cut) in back.into_iter().zip(&cuts) {
            let held = held.expect("read back");
            assert_eq!(held.slot, slot);
            assert_eq!(held.cut.passages, cut.passages);
            assert_eq!(
                held.cut.tag(analyzer.classifier()),
                cut.clone().tag(analyzer.classifier())
            );
        }
    }
}
