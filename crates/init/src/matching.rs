//! Which downloaded file is which page entry's input or annex: by the link's address where
//! the page was saved as HTML, else by evidence in the files (their names, their title
//! pages), fuzzy and language-aware, with a confidence for each assignment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cfi_ingest::Gazetteer;
use unicode_normalization::UnicodeNormalization;

use crate::page::{Entry, LinkKind};
use crate::words::{self, fold, match_tokens as tokens};

/// A file of the downloads folder as matching sees it.
#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    /// The file on disk.
    pub path: PathBuf,
    /// Its path relative to the folder, with `/`.
    pub rel: String,
    /// The beginning of its text (title page, letterhead), empty when unreadable.
    pub head: String,
    /// Its language, detected from its text.
    pub language: Option<String>,
    /// Why its text could not be read, if it could not.
    pub error: Option<String>,
    /// For a zip archive: its members (indexes into the file list), unpacked beside it.
    pub members: Vec<usize>,
    /// For a member of a zip archive: the archive's index.
    pub archive: Option<usize>,
}

impl FileInfo {
    /// The file's name (last path segment).
    pub fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }

    fn is_archive(&self) -> bool {
        self.rel.to_lowercase().ends_with(".zip")
    }
}

/// How a file was tied to its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The page's link names the file.
    Link,
    /// A member of a zip archive the page's link names.
    Archive,
    /// Evidence in the file's name or text.
    Evidence,
}

/// One file given to one entry's link.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The entry (index into the page's entries).
    pub entry: usize,
    /// The entry's link (index into its links).
    pub link: usize,
    /// The file (index into the file list).
    pub file: usize,
    /// Input or annex.
    pub kind: LinkKind,
    /// 0..=1: how sure the match is.
    pub confidence: f32,
    /// How it was found.
    pub how: How,
    /// What staff should check, if anything.
    pub review: Option<String>,
}

/// Everything matching decided.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    /// Files given to entries, in page order.
    pub assigned: Vec<Assignment>,
    /// Links of entries that no file answers: (entry, link).
    pub unanswered: Vec<(usize, usize)>,
}

/// A page link and the files its address may name, with the confidence of each.
struct Linked {
    entry: usize,
    link: usize,
    candidates: Vec<(usize, f32)>,
}

/// Confidence below which an evidence match is not made at all.
const MIN_SCORE: f32 = 0.45;
/// Confidence below which a match is flagged for review.
const REVIEW_BELOW: f32 = 0.75;

/// Matches page entries to files: links first (HTML), then evidence for what is left.
pub fn match_files(entries: &[Entry], files: &[FileInfo]) -> Matches {
    let mut taken = vec![false; files.len()];
    let mut assigned: Vec<Assignment> = Vec::new();
    let mut pending: Vec<(usize, usize)> = Vec::new();
    // Members of archives are matched through their archive's link, or by evidence; an
    // archive itself is never a row.
    let scorer = Scorer::new(entries, files);
    // Each link's candidates: the files its last path segment names, exactly or loosely.
    let mut linked: Vec<Linked> = Vec::new();
    let mut wanted_by: BTreeMap<usize, usize> = BTreeMap::new();
    for (e, entry) in entries.iter().enumerate() {
        for (l, link) in entry.links.iter().enumerate() {
            let candidates = link
                .href
                .as_deref()
                .map(|href| by_link(href, files))
                .unwrap_or_default();
            if candidates.is_empty() {
                pending.push((e, l));
                continue;
            }
            for (f, _) in &candidates {
                *wanted_by.entry(*f).or_default() += 1;
            }
            linked.push(Linked {
                entry: e,
                link: l,
                candidates,
            });
        }
    }
    // A file only one link names, and that link names no other, is settled. Where names
    // repeat ("Submission.pdf" from two entries, saved as "Submission (1).pdf"), the
    // files' evidence decides, best first.
    let mut choices: Vec<(f32, usize, usize, usize, f32, bool)> = Vec::new();
    for Linked {
        entry: e,
        link: l,
        candidates,
    } in &linked
    {
        let unique = candidates.len() == 1
            && candidates
                .first()
                .is_some_and(|(f, _)| wanted_by.get(f) == Some(&1));
        for &(f, confidence) in candidates {
            let rank = if unique {
                2.0
            } else {
                scorer.score(*e, f) + confidence / 10.0 + scorer.coverage(*e, f) / 10.0
            };
            choices.push((rank, *e, *l, f, confidence, unique));
        }
    }
    choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.3.cmp(&b.3)));
    let mut filled: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (rank, e, l, file, confidence, unique) in choices {
        if taken[file] || filled.contains(&(e, l)) {
            continue;
        }
        let Some(link) = entries.get(e).and_then(|x| x.links.get(l)) else {
            continue;
        };
        filled.insert((e, l));
        let named = last_segment(link.href.as_deref().unwrap_or_default());
        let review = if !unique {
            Some(format!(
                "several files answer the link {named:?}: chosen by its name and title page{}",
                if rank < MIN_SCORE {
                    " (little evidence)"
                } else {
                    ""
                }
            ))
        } else {
            (confidence < REVIEW_BELOW).then(|| format!("the link names {named:?}"))
        };
        taken[file] = true;
        if files[file].is_archive() {
            for &m in &files[file].members {
                if !taken[m] {
                    taken[m] = true;
                    assigned.push(Assignment {
                        entry: e,
                        link: l,
                        file: m,
                        kind: link.kind,
                        confidence,
                        how: How::Archive,
                        review: review.clone(),
                    });
                }
            }
            continue;
        }
        assigned.push(Assignment {
            entry: e,
            link: l,
            file,
            kind: link.kind,
            confidence: if unique {
                confidence
            } else {
                confidence.min(rank.clamp(0.0, 1.0))
            },
            how: How::Link,
            review,
        });
    }
    for linked in &linked {
        if !filled.contains(&(linked.entry, linked.link)) {
            pending.push((linked.entry, linked.link));
        }
    }
    pending.sort_unstable();
    for (i, file) in files.iter().enumerate() {
        if file.is_archive() {
            taken[i] = true;
        }
    }
    let unanswered = by_evidence(&scorer, entries, files, &mut taken, pending, &mut assigned);
    // Page order: entries, then their links, then archive members in order.
    assigned.sort_by_key(|a| (a.entry, a.link, a.file));
    Matches {
        assigned,
        unanswered,
    }
}

/// The last path segment of a link, percent-decoded, without query or fragment.
pub fn last_segment(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or(href);
    let segment = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .nfc()
        .collect()
}

/// A file name as compared loosely: the submission-id form of its name without the copy
/// number a browser adds to a second download ("x (1).pdf").
fn loose(name: &str) -> String {
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let stem = stem.trim_end();
    let stem = match stem.rsplit_once(" (") {
        Some((base, n)) if n.trim_end_matches(')').chars().all(|c| c.is_ascii_digit()) => base,
        _ => stem,
    };
    format!("{}.{}", cfi_core_like_id(stem), extension.to_lowercase())
}

/// Lowercase letters and digits, runs of anything else as one `-` (accents folded).
fn cfi_core_like_id(text: &str) -> String {
    let mut id = String::new();
    for c in fold(text).chars() {
        if c.is_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

/// The files a link may name, each with the confidence of the match: its exact name (1),
/// its name in another case (0.98), or loosely (0.9: a browser's copy number, characters
/// it replaces when saving).
fn by_link(href: &str, files: &[FileInfo]) -> Vec<(usize, f32)> {
    let wanted = last_segment(href);
    if wanted.is_empty() {
        return Vec::new();
    }
    let loosely = loose(&wanted);
    files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.archive.is_none() && loose(f.name()) == loosely)
        .map(|(i, f)| {
            let confidence = if f.name().nfc().collect::<String>() == wanted {
                1.0
            } else if f.name().to_lowercase() == wanted.to_lowercase() {
                0.98
            } else {
                0.9
            };
            (i, confidence)
        })
        .collect()
}

/// What is known of an entry for evidence matching.
struct EntryEvidence {
    /// Its significant words with their weights.
    words: Vec<(String, f32)>,
    /// Acronyms it goes by (explicit capitals, or the initials of its words).
    acronyms: Vec<String>,
    /// The country it names or is, in English.
    countries: Vec<String>,
    /// Whether it is a State (its country is who it is).
    state: bool,
    /// Words of its name no other entry has, long enough to be a name of its own
    /// ("SafeReport", "Kestrelwave", "(Irlande)" beside "(Suède)").
    distinctive: Vec<String>,
}

/// What is known of a file for evidence matching.
struct FileEvidence {
    name_words: BTreeSet<String>,
    head_words: BTreeSet<String>,
    name_countries: Vec<String>,
    head_countries: Vec<String>,
    annex_like: bool,
    /// Its name says it is the submission itself ("input", "submission", "response").
    input_like: bool,
}

fn entry_evidence(
    entry: &Entry,
    weight: &dyn Fn(&str) -> f32,
    unique: &dyn Fn(&str) -> bool,
    gazetteer: &Gazetteer,
) -> EntryEvidence {
    let significant: Vec<String> = tokens(&entry.name)
        .into_iter()
        .filter(|w| !words::is_generic(w) && w.chars().count() > 1)
        .collect();
    let mut acronyms: Vec<String> = entry
        .name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .map(fold)
        .filter(|w| !words::is_generic(w))
        .collect();
    // The initials of its capitalised words, with and without what a bracket adds
    // ("Oficina del Comisionado para la Niñez y la Adolescencia (Dominican Republic)": OCNA).
    let bare = entry.name.split(['(', '[']).next().unwrap_or(&entry.name);
    for name in [entry.name.as_str(), bare] {
        let capitals: String = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.starts_with(char::is_uppercase) && !words::is_generic(&fold(w)))
            .filter_map(|w| w.chars().next())
            .collect();
        if capitals.chars().count() >= 3 && !acronyms.contains(&fold(&capitals)) {
            acronyms.push(fold(&capitals));
        }
    }
    let state = words::usual_category(&entry.category) == Some("States");
    let mut countries = gazetteer.mentions(&entry.name);
    if state && countries.is_empty() {
        countries = gazetteer.mentions(&title_case(&entry.name));
    }
    let distinctive = significant
        .iter()
        .filter(|w| w.chars().count() >= 5 && unique(w))
        .cloned()
        .collect();
    EntryEvidence {
        distinctive,
        words: significant
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|w| {
                let weight = weight(&w);
                (w, weight)
            })
            .collect(),
        acronyms,
        countries,
        state,
    }
}

fn title_case(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Characters of a file's text read as its title page and letterhead.
const HEAD_CHARS: usize = 1500;
/// Characters read for the countries a letterhead names.
const LETTERHEAD_CHARS: usize = 600;

fn file_evidence(index: usize, files: &[FileInfo], gazetteer: &Gazetteer) -> FileEvidence {
    let file = &files[index];
    // An archive is known by its name, its members' names and its first member's text.
    let mut names = vec![file.rel.clone()];
    let mut head_of = file.head.clone();
    for &m in &file.members {
        if let Some(member) = files.get(m) {
            names.push(member.name().to_string());
            if head_of.is_empty() {
                head_of.clone_from(&member.head);
            }
        }
    }
    let stems: Vec<&str> = names
        .iter()
        .map(|n| n.rsplit_once('.').map_or(n.as_str(), |(s, _)| s))
        .collect();
    let stem = stems.join(" ");
    let stem = stem.as_str();
    let name_words: BTreeSet<String> = tokens(stem).into_iter().collect();
    let head: String = head_of.chars().take(HEAD_CHARS).collect();
    let letterhead: String = head_of.chars().take(LETTERHEAD_CHARS).collect();
    FileEvidence {
        head_words: tokens(&head).into_iter().collect(),
        name_countries: gazetteer.mentions(&title_case(stem)),
        head_countries: gazetteer.mentions(&letterhead),
        annex_like: annex_name(&file.rel),
        input_like: {
            let words = tokens(file.name());
            [
                "input",
                "submission",
                "contribution",
                "contribucion",
                "aporte",
                "respuesta",
                "response",
                "reponse",
                "reply",
                "memoire",
            ]
            .iter()
            .any(|w| words.iter().any(|x| x == w))
        },
        name_words,
    }
}

/// Evidence for every entry and file, and the statistics that weigh it.
struct Scorer {
    entries: Vec<EntryEvidence>,
    files: Vec<FileEvidence>,
    /// In how many files' title pages each word is.
    file_df: BTreeMap<String, usize>,
    file_count: f32,
}

impl Scorer {
    fn new(entries: &[Entry], files: &[FileInfo]) -> Scorer {
        let gazetteer = Gazetteer::default();
        // Words many entries share ("International", "Centre") say little about which one
        // a file is: weigh each word by how few entries use it.
        let mut df: BTreeMap<String, usize> = BTreeMap::new();
        for entry in entries {
            for word in tokens(&entry.name).into_iter().collect::<BTreeSet<_>>() {
                *df.entry(word).or_default() += 1;
            }
        }
        let n = entries.len().max(1) as f32;
        let weight = |w: &str| (1.0 + n / *df.get(w).unwrap_or(&1) as f32).ln();
        let entries = entries
            .iter()
            .map(|e| entry_evidence(e, &weight, &|w| df.get(w) == Some(&1), &gazetteer))
            .collect();
        let files: Vec<FileEvidence> = (0..files.len())
            .map(|i| file_evidence(i, files, &gazetteer))
            .collect();
        let mut file_df: BTreeMap<String, usize> = BTreeMap::new();
        for fe in &files {
            for w in &fe.head_words {
                *file_df.entry(w.clone()).or_default() += 1;
            }
        }
        Scorer {
            file_count: files.len().max(2) as f32,
            entries,
            files,
            file_df,
        }
    }

    fn rarity(&self, word: &str) -> f32 {
        let df = *self.file_df.get(word).unwrap_or(&1) as f32;
        ((1.0 + self.file_count / df).ln() / (1.0 + self.file_count).ln()).min(1.0)
    }

    /// How much of a file's name the entry's name explains, 0..=1: between two entries
    /// a file fits equally well ("Kenya" and "Centre for Digital Childhoods (Kenya)" for
    /// "Centre for Digital Childhoods (Kenya).pdf"), the one naming more of it.
    fn coverage(&self, entry: usize, file: usize) -> f32 {
        let (Some(e), Some(f)) = (self.entries.get(entry), self.files.get(file)) else {
            return 0.0;
        };
        let significant: Vec<&String> = f
            .name_words
            .iter()
            .filter(|w| !words::is_generic(w) && w.chars().count() > 1)
            .collect();
        if significant.is_empty() {
            return 0.0;
        }
        let explained = significant
            .iter()
            .filter(|w| e.words.iter().any(|(x, _)| x == **w) || e.acronyms.contains(w))
            .count();
        explained as f32 / significant.len() as f32
    }

    fn score(&self, entry: usize, file: usize) -> f32 {
        match (self.entries.get(entry), self.files.get(file)) {
            (Some(e), Some(f)) => score(e, f, &|w| self.rarity(w)),
            _ => 0.0,
        }
    }
}

/// How well a file fits an entry, 0..=1. `rarity` weighs a word by how few of the files'
/// title pages use it (1 for a word in one file, near 0 for one in all: the call's own
/// topic words say nothing of who wrote a file).
fn score(entry: &EntryEvidence, file: &FileEvidence, rarity: &dyn Fn(&str) -> f32) -> f32 {
    let total: f32 = entry.words.iter().map(|(_, w)| w).sum();
    let share = |found: &BTreeSet<String>, weigh_by_files: bool| {
        if total <= 0.0 {
            return 0.0;
        }
        entry
            .words
            .iter()
            .filter(|(w, _)| {
                found.contains(w)
                    || found.iter().any(|f| {
                        f.len() >= 5
                            && w.len() >= 5
                            && (f.starts_with(w.as_str()) || w.starts_with(f.as_str()))
                    })
            })
            .map(|(w, weight)| {
                if weigh_by_files {
                    weight * rarity(w)
                } else {
                    *weight
                }
            })
            .sum::<f32>()
            / total
    };
    let mut signals = vec![
        share(&file.name_words, false),
        0.8 * share(&file.head_words, true),
    ];
    // A word only this entry's name has, in the file's name or folder, names it.
    if entry
        .distinctive
        .iter()
        .any(|w| file.name_words.contains(w))
    {
        signals.push(0.7);
    }
    if let Some(w) = entry
        .distinctive
        .iter()
        .find(|w| file.head_words.contains(*w))
    {
        signals.push(0.6 * rarity(w));
    }
    if entry
        .acronyms
        .iter()
        .any(|a| a.chars().count() >= 3 && file.name_words.contains(a))
    {
        signals.push(0.9);
    } else if file
        .name_words
        .iter()
        .any(|w| entry.acronyms.iter().any(|a| abbreviates(w, a)))
    {
        // "CDHNS" for the initials CDHENS: an acronym that drops a word.
        signals.push(0.75);
    }
    if let Some(a) = entry
        .acronyms
        .iter()
        .find(|a| a.chars().count() >= 3 && file.head_words.contains(*a))
    {
        signals.push(0.7 * rarity(a));
    }
    let country_in = |found: &[String]| entry.countries.iter().any(|c| found.contains(c));
    if country_in(&file.name_countries) {
        signals.push(if entry.state { 0.9 } else { 0.35 });
    }
    if entry.state && country_in(&file.head_countries) {
        // A letterhead naming one country is strong; one naming several, less so.
        signals.push(0.75 / file.head_countries.len().max(1) as f32);
    }
    signals.sort_by(|a, b| b.total_cmp(a));
    let best = signals.first().copied().unwrap_or(0.0);
    let second = signals.get(1).copied().unwrap_or(0.0);
    (best + 0.15 * second).min(1.0)
}

/// Gives the links no file answered by name the files left, by evidence; returns the links
/// still unanswered.
fn by_evidence(
    scorer: &Scorer,
    entries: &[Entry],
    files: &[FileInfo],
    taken: &mut [bool],
    pending: Vec<(usize, usize)>,
    assigned: &mut Vec<Assignment>,
) -> Vec<(usize, usize)> {
    if pending.is_empty() {
        return Vec::new();
    }
    let pending_entries: BTreeSet<usize> = pending.iter().map(|(e, _)| *e).collect();
    // An archive whose members are all still free is one candidate (its members are its
    // files); its members are not candidates of their own.
    let free_archives: Vec<usize> = (0..files.len())
        .filter(|&i| {
            files[i].is_archive()
                && !files[i].members.is_empty()
                && files[i].members.iter().all(|&m| !taken[m])
        })
        .collect();
    let in_free_archive = |i: usize| files[i].archive.is_some_and(|a| free_archives.contains(&a));
    let candidates: Vec<usize> = (0..files.len())
        .filter(|&i| (!taken[i] && !in_free_archive(i)) || free_archives.contains(&i))
        .collect();
    let mut scores: Vec<(f32, usize, usize)> = Vec::new();
    for &e in &pending_entries {
        for &f in &candidates {
            let s = scorer.score(e, f);
            if s >= MIN_SCORE {
                scores.push((s, e, f));
            }
        }
    }
    for &a in &free_archives {
        taken[a] = false;
    }
    // Best first; between equal scores, the entry that explains more of the file's name.
    scores.sort_by(|a, b| {
        let rank = |(s, e, f): &(f32, usize, usize)| s + 0.1 * scorer.coverage(*e, *f);
        rank(b)
            .total_cmp(&rank(a))
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut open: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (e, l) in &pending {
        open.entry(*e).or_default().push(*l);
    }
    let mut given: BTreeMap<usize, Vec<(usize, f32)>> = BTreeMap::new();
    for &(s, e, f) in &scores {
        if taken[f] {
            continue;
        }
        let Some(slots) = open.get(&e) else { continue };
        let used = given.get(&e).map_or(0, Vec::len);
        if used >= slots.len() {
            continue;
        }
        taken[f] = true;
        given.entry(e).or_default().push((f, s));
    }
    let mut unanswered = Vec::new();
    for (e, slots) in open {
        let mut got = given.remove(&e).unwrap_or_default();
        // Within an entry: files that look like annexes take the annex links, in name order.
        got.sort_by(|a, b| {
            let annex = |f: usize| scorer.files.get(f).is_some_and(|x| x.annex_like);
            let input = |f: usize| scorer.files.get(f).is_some_and(|x| x.input_like);
            annex(a.0)
                .cmp(&annex(b.0))
                .then_with(|| input(b.0).cmp(&input(a.0)))
                .then_with(|| natural_key(&files[a.0].rel).cmp(&natural_key(&files[b.0].rel)))
        });
        let Some(entry) = entries.get(e) else {
            continue;
        };
        let mut inputs: Vec<usize> = slots
            .iter()
            .copied()
            .filter(|&l| entry.links[l].kind == LinkKind::Input)
            .collect();
        let mut annexes: Vec<usize> = slots
            .iter()
            .copied()
            .filter(|&l| entry.links[l].kind == LinkKind::Annex)
            .collect();
        inputs.reverse();
        annexes.reverse();
        for (f, s) in got {
            let annex_like = scorer.files.get(f).is_some_and(|x| x.annex_like);
            let link = if annex_like {
                annexes.pop().or_else(|| inputs.pop())
            } else {
                inputs.pop().or_else(|| annexes.pop())
            };
            let Some(link) = link else { continue };
            let rival = scores
                .iter()
                .filter(|(rs, re, rf)| *rf == f && *re != e && *rs >= s - 0.1)
                .map(|(_, re, _)| *re)
                .next();
            let review = match rival {
                Some(other) => Some(format!(
                    "matched by its name or title page; it could also be {:?}'s",
                    entries.get(other).map_or("", |x| x.name.as_str())
                )),
                None if s < REVIEW_BELOW => Some(format!(
                    "matched by its name or title page (confidence {s:.2})"
                )),
                None => None,
            };
            let kind = entry.links[link].kind;
            if files[f].is_archive() {
                // An archive's files: under an input link, the first that does not look
                // like an annex is the input and the rest its annexes.
                let mut members = files[f].members.clone();
                members.sort_by_key(|&m| natural_key(&files[m].rel));
                let input = (kind == LinkKind::Input)
                    .then(|| {
                        members
                            .iter()
                            .copied()
                            .find(|&m| !annex_name(&files[m].rel))
                    })
                    .flatten();
                for m in members {
                    taken[m] = true;
                    let member_kind = if kind == LinkKind::Input && Some(m) != input {
                        LinkKind::Annex
                    } else {
                        kind
                    };
                    assigned.push(Assignment {
                        entry: e,
                        link,
                        file: m,
                        kind: member_kind,
                        confidence: s,
                        how: How::Archive,
                        review: review.clone(),
                    });
                }
                continue;
            }
            assigned.push(Assignment {
                entry: e,
                link,
                file: f,
                kind,
                confidence: s,
                how: How::Evidence,
                review,
            });
        }
        unanswered.extend(inputs.into_iter().chain(annexes).map(|l| (e, l)));
    }
    unanswered.sort_unstable();
    unanswered
}

/// Whether `word` is `initials` with one letter left out (not the first): the acronym an
/// organisation uses often skips a word of its name.
fn abbreviates(word: &str, initials: &str) -> bool {
    let (w, i): (Vec<char>, Vec<char>) = (word.chars().collect(), initials.chars().collect());
    if w.len() < 4 || w.len() + 1 != i.len() || w.first() != i.first() {
        return false;
    }
    (1..i.len()).any(|skip| {
        i.iter()
            .enumerate()
            .filter(|(k, _)| *k != skip)
            .map(|(_, c)| c)
            .eq(w.iter())
    })
}

/// Whether a file's name or folder says it is an annex.
fn annex_name(rel: &str) -> bool {
    let folded = fold(rel);
    [
        "annex",
        "anexo",
        "appendix",
        "attachment",
        "adjunto",
        "piece jointe",
        "приложение",
    ]
    .iter()
    .any(|w| folded.contains(w))
}

/// Sorts "annex-2" before "annex-10".
fn natural_key(text: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut word = String::new();
    let mut number = String::new();
    for c in fold(text).chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else {
            if !number.is_empty() {
                key.push((
                    std::mem::take(&mut word),
                    number.parse().unwrap_or(u64::MAX),
                ));
                number.clear();
            }
            word.push(c);
        }
    }
    key.push((word, number.parse().unwrap_or(0)));
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::EntryLink;

    fn entry(name: &str, category: &str, labels: &[(&str, Option<&str>)]) -> Entry {
        Entry {
            name: name.into(),
            category: category.into(),
            links: labels
                .iter()
                .map(|(label, href)| EntryLink {
                    label: (*label).into(),
                    href: href.map(str::to_string),
                    kind: if words::is_annex_label(label) {
                        LinkKind::Annex
                    } else {
                        LinkKind::Input
                    },
                })
                .collect(),
        }
    }

    fn file(rel: &str, head: &str) -> FileInfo {
        FileInfo {
            path: rel.into(),
            rel: rel.into(),
            head: head.into(),
            ..FileInfo::default()
        }
    }

    #[test]
    fn links_name_their_files_even_when_a_browser_renamed_them() {
        assert_eq!(
            last_segment("https://x.org/a/R%C3%A9ponse%20(1).pdf?v=2#p"),
            "Réponse (1).pdf"
        );
        let entries = [
            entry(
                "Chile",
                "States",
                &[
                    ("input", Some("https://x/subm-chile.pdf")),
                    ("annex", Some("https://x/Chile%20annex.pdf")),
                ],
            ),
            entry(
                "Kenya",
                "States",
                &[("Kenya", Some("https://x/Kenya-Submission.pdf"))],
            ),
        ];
        let files = [
            file("a/Chile annex.pdf", ""),
            file("subm-chile.pdf", ""),
            file("Kenya-Submission (1).pdf", ""),
        ];
        let m = match_files(&entries, &files);
        let got: Vec<(usize, usize, LinkKind, How)> = m
            .assigned
            .iter()
            .map(|a| (a.entry, a.file, a.kind, a.how))
            .collect();
        assert_eq!(
            got,
            [
                (0, 1, LinkKind::Input, How::Link),
                (0, 0, LinkKind::Annex, How::Link),
                (1, 2, LinkKind::Input, How::Link)
            ]
        );
        assert!(m.unanswered.is_empty());
    }

    #[test]
    fn without_links_files_are_matched_by_names_acronyms_countries_and_title_pages() {
        let entries = [
            entry("España", "States", &[("", None)]),
            entry("Montenegro", "States", &[("", None)]),
            entry(
                "Global Alliance of Survivors Advocating Change",
                "CSOs",
                &[("input", None), ("annex", None)],
            ),
            entry(
                "Permanent Mission of Chile to the United Nations",
                "States",
                &[("", None)],
            ),
            entry("Nobody Sent This", "CSOs", &[("", None)]),
        ];
        let files = [
            file(
                "submission_final_v2.pdf",
                "Ministry of Foreign Affairs of Montenegro\nResponse to the questionnaire",
            ),
            file("GASAC input.docx", "Our alliance"),
            file("GASAC annex 1.pdf", ""),
            file("Aportación de España.pdf", ""),
            file("Chile.pdf", "Misión Permanente de Chile"),
            file("unrelated.pdf", "A letter from an unknown group"),
        ];
        let m = match_files(&entries, &files);
        let got: BTreeMap<usize, (usize, LinkKind)> = m
            .assigned
            .iter()
            .map(|a| (a.file, (a.entry, a.kind)))
            .collect();
        assert_eq!(got.get(&0), Some(&(1, LinkKind::Input)));
        assert_eq!(got.get(&1), Some(&(2, LinkKind::Input)));
        assert_eq!(got.get(&2), Some(&(2, LinkKind::Annex)));
        assert_eq!(got.get(&3), Some(&(0, LinkKind::Input)));
        assert_eq!(got.get(&4), Some(&(3, LinkKind::Input)));
        assert_eq!(got.get(&5), None, "an unrelated file is not guessed");
        assert_eq!(m.unanswered, [(4, 0)]);
    }
}
