//! One submission sent as several files (the same answer as DOCX and PDF, or in two
//! languages): a passage of a later version identical to one of the first version is
//! marked as its duplicate, so search shows it once and names both files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cfi_core::{ManifestEntry, Passage};

/// The first versions' passages, by folded text, while an ingest run writes the call.
pub(crate) struct Versions {
    /// Ids of inputs that have later versions in this manifest.
    firsts: BTreeSet<String>,
    /// For each of them, its passages' folded texts and ids.
    texts: BTreeMap<String, HashMap<String, String>>,
}

impl Versions {
    pub(crate) fn new(entries: &[ManifestEntry]) -> Versions {
        Versions {
            firsts: entries
                .iter()
                .filter_map(|e| e.version_of.clone())
                .collect(),
            texts: BTreeMap::new(),
        }
    }

    /// Whether this file must wait until the first version of its submission is written.
    pub(crate) fn is_later(entry: &ManifestEntry) -> bool {
        entry.version_of.is_some()
    }

    /// Keeps the passages of a first version that later versions will be compared with.
    pub(crate) fn remember(&mut self, entry: &ManifestEntry, passages: &[Passage]) {
        if !self.firsts.contains(&entry.id) {
            return;
        }
        let texts = self.texts.entry(entry.id.clone()).or_default();
        for passage in passages {
            texts
                .entry(fold(&passage.full_text()))
                .or_insert_with(|| passage.id.clone());
        }
    }

    /// Marks each passage of a later version that its first version also holds.
    pub(crate) fn fold(&self, entry: &ManifestEntry, passages: &mut [Passage]) {
        let Some(texts) = entry.version_of.as_ref().and_then(|id| self.texts.get(id)) else {
            return;
        };
        for passage in passages {
            // With the heading a passage opens: one rendering may read as a heading what the
            // other reads as the passage's first line.
            passage.duplicate_of = texts.get(&fold(&passage.full_text())).cloned();
        }
    }
}

/// A passage's text as two renderings of one document share it: letters and digits only,
/// lowercased, one space between words (a PDF and its DOCX differ in quotes, dashes,
/// hyphenation spaces and line breaks).
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.extend(word.chars().flat_map(char::to_lowercase));
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(id: &str, text: &str) -> Passage {
        Passage {
            id: id.into(),
            ordinal: 1,
            text: text.into(),
            heading: None,
            page: None,
            page_end: None,
            page_label: None,
            paragraph: 1,
            language: None,
            questions: Vec::new(),
            mentioned_countries: Vec::new(),
            duplicate_of: None,
            key: false,
            opens_section: false,
        }
    }

    fn entry(id: &str, version_of: Option<&str>) -> ManifestEntry {
        ManifestEntry {
            row: 2,
            id: id.into(),
            file: format!("{id}.pdf"),
            path: format!("{id}.pdf").into(),
            submitter: "Chile".into(),
            category: "States".into(),
            country: None,
            kind: cfi_core::Kind::Input,
            annex_of: None,
            version_of: version_of.map(str::to_string),
            language: None,
            confidential: false,
            received: None,
            password: None,
        }
    }

    #[test]
    fn a_later_version_s_identical_passages_name_the_first_version_s() {
        let (first, later) = (entry("chile", None), entry("chile-pdf", Some("chile")));
        let mut versions = Versions::new(&[first.clone(), later.clone()]);
        versions.remember(
            &first,
            &[
                passage("chile-1", "Ley N° 21.575 — “delitos informáticos”."),
                passage("chile-2", "Otra cosa."),
            ],
        );
        // The first version read "Marco legal" as a heading above its passage; the later one
        // as the passage's first line.
        let mut headed = passage("chile-3", "La ley protege a los niños en línea.");
        headed.heading = Some("Marco legal".into());
        headed.opens_section = true;
        versions.remember(&first, &[headed]);
        let mut passages = [
            passage("chile-pdf-1", "Ley N°  21.575 - \"delitos\ninformáticos\""),
            passage("chile-pdf-2", "Una página nueva."),
            passage(
                "chile-pdf-3",
                "Marco legal\nLa ley protege a los niños en línea.",
            ),
        ];
        versions.fold(&later, &mut passages);
        assert_eq!(passages[0].duplicate_of.as_deref(), Some("chile-1"));
        assert_eq!(passages[1].duplicate_of, None);
        assert_eq!(passages[2].duplicate_of.as_deref(), Some("chile-3"));
        // A file with no later version is not remembered.
        let mut other = Versions::new(&[entry("spain", None)]);
        other.remember(&entry("spain", None), &[passage("spain-1", "x")]);
        assert!(other.texts.is_empty());
    }
}
