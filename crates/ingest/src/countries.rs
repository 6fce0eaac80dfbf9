//! Countries a passage talks about, from a gazetteer of UN member and observer States
//! with their names in English, Spanish, French and Russian, normalised to one English name.

use std::collections::{BTreeSet, HashMap};

const GAZETTEER: &str = include_str!("../data/countries.txt");

/// Names that are also people's or places' names elsewhere: kept only when the words
/// around them do not say otherwise.
const AMBIGUOUS: [&str; 3] = ["Chad", "Jordan", "Georgia"];
const TITLES: [&str; 8] = ["Mr", "Mrs", "Ms", "Dr", "Prof", "Professor", "Sr", "Sra"];
const US_STATE_HINTS: [&str; 5] = ["Atlanta", "U.S.", "USA", "Savannah", "state of Georgia"];

/// Finds country names in text.
pub struct Gazetteer {
    /// First word of a name -> (all its words, English name); longest names first.
    by_first: HashMap<String, Vec<(Vec<String>, &'static str)>>,
    /// Russian single-word names by stem, matched with case endings ("Бразилией").
    russian_stems: Vec<(String, &'static str)>,
}

impl Default for Gazetteer {
    fn default() -> Self {
        let mut by_first: HashMap<String, Vec<(Vec<String>, &'static str)>> = HashMap::new();
        let mut russian_stems = Vec::new();
        for line in GAZETTEER
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut names = line.split('|');
            let Some(english) = names.next() else {
                continue;
            };
            for name in std::iter::once(english).chain(names) {
                let words = words(name);
                let Some(first) = words.first().cloned() else {
                    continue;
                };
                let cyrillic = name.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
                if cyrillic && words.len() == 1 && name.chars().count() >= 5 {
                    let stem: String = name
                        .trim_end_matches(['а', 'я', 'о', 'е', 'и', 'й', 'ы'])
                        .to_string();
                    russian_stems.push((stem, english));
                }
                by_first.entry(first).or_default().push((words, english));
            }
        }
        for names in by_first.values_mut() {
            names.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        }
        russian_stems.sort_by_key(|(s, _)| std::cmp::Reverse(s.chars().count()));
        Gazetteer {
            by_first,
            russian_stems,
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.replace('’', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '.'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-' || c == '.'))
        // "Ireland's", "l'Allemagne", "d'Ivoire": the name without the possessive or elision.
        .map(|w| w.strip_suffix("'s").unwrap_or(w))
        .map(|w| {
            ["l'", "d'", "L'", "D'"]
                .iter()
                .find_map(|p| w.strip_prefix(p))
                .unwrap_or(w)
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

impl Gazetteer {
    /// English names of the countries `text` mentions, sorted.
    pub fn mentions(&self, text: &str) -> Vec<String> {
        let tokens = words(text);
        let mut found = BTreeSet::new();
        let mut i = 0;
        while let Some(token) = tokens.get(i) {
            if let Some((len, english)) = self.match_at(&tokens, i) {
                if !self.excluded(&tokens, i, len, english, text) {
                    found.insert(english.to_string());
                }
                i += len;
                continue;
            }
            if let Some(english) = self.russian(token) {
                found.insert(english.to_string());
            }
            i += 1;
        }
        found.into_iter().collect()
    }

    fn match_at(&self, tokens: &[String], i: usize) -> Option<(usize, &'static str)> {
        let token = tokens.get(i)?;
        let candidates = self.by_first.get(token).or_else(|| {
            self.by_first
                .get(&title_case(token))
                .filter(|_| is_upper(token))
        })?;
        candidates.iter().find_map(|(words, english)| {
            let matches = words.iter().enumerate().all(|(k, w)| {
                tokens.get(i + k).is_some_and(|t| {
                    t == w || (is_upper(t) && t.to_lowercase() == w.to_lowercase())
                })
            });
            matches.then_some((words.len(), *english))
        })
    }

    fn russian(&self, token: &str) -> Option<&'static str> {
        if !token
            .chars()
            .next()
            .is_some_and(|c| ('\u{410}'..='\u{42f}').contains(&c))
        {
            return None;
        }
        self.russian_stems.iter().find_map(|(stem, english)| {
            let rest = token.strip_prefix(stem.as_str())?;
            (rest.chars().count() <= 3
                && rest.chars().all(|c| ('\u{430}'..='\u{44f}').contains(&c)))
            .then_some(*english)
        })
    }

    fn excluded(&self, tokens: &[String], i: usize, len: usize, english: &str, text: &str) -> bool {
        if !AMBIGUOUS.contains(&english) || len != 1 {
            return false;
        }
        let before = i.checked_sub(1).and_then(|p| tokens.get(p));
        let after = tokens.get(i + 1);
        // "Mr Jordan", "Jordan Smith": a person.
        if before.is_some_and(|b| TITLES.contains(&b.as_str())) {
            return true;
        }
        if after.is_some_and(|a| {
            a.chars().next().is_some_and(char::is_uppercase)
                && a.chars().count() > 1
                && !is_upper(a)
        }) {
            return true;
        }
        english == "Georgia" && US_STATE_HINTS.iter().any(|h| text.contains(h))
    }
}

fn is_upper(token: &str) -> bool {
    token.chars().any(char::is_alphabetic) && !token.chars().any(char::is_lowercase)
}

fn title_case(token: &str) -> String {
    let lower = token.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Vec<String> {
        Gazetteer::default().mentions(text)
    }

    #[test]
    fn names_in_four_languages_become_one_english_name() {
        assert_eq!(
            m("Cooperation with Brazil and Mexico."),
            ["Brazil", "Mexico"]
        );
        assert_eq!(m("Cooperación con Brasil y México."), ["Brazil", "Mexico"]);
        assert_eq!(
            m("Coopération avec le Brésil et la Côte d’Ivoire."),
            ["Brazil", "Côte d'Ivoire"]
        );
        assert_eq!(
            m("Сотрудничество с Бразилией и Россией."),
            ["Brazil", "Russian Federation"]
        );
        assert_eq!(
            m("the UK, the USA and Türkiye (Turkey)"),
            ["Türkiye", "United Kingdom", "United States"]
        );
        assert_eq!(m("REPORT FROM CHILE"), ["Chile"]);
    }

    #[test]
    fn longest_name_wins() {
        assert_eq!(
            m("the Democratic Republic of the Congo and Papua New Guinea"),
            ["Democratic Republic of the Congo", "Papua New Guinea"]
        );
        assert_eq!(
            m("Guinea-Bissau and the Dominican Republic"),
            ["Dominican Republic", "Guinea-Bissau"]
        );
    }

    #[test]
    fn people_and_other_places_are_not_countries() {
        assert!(m("Chad Miller of the Alliance said so.").is_empty());
        assert!(m("as Mr Jordan explained").is_empty());
        assert!(m("offices in Atlanta, Georgia").is_empty());
        assert!(m("a chile pepper and a turkey sandwich").is_empty());
        assert_eq!(m("refugees in Chad and Jordan."), ["Chad", "Jordan"]);
    }
}

#[cfg(test)]
mod sample {
    use super::Gazetteer;

    /// Precision and recall on a labelled sample (fixtures/countries/sample.jsonl), with
    /// traps: people called Chad or Jordan, the US state of Georgia, turkey and chile.
    #[test]
    fn precision_and_recall_on_the_labelled_sample() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/countries/sample.jsonl"
        );
        let text = std::fs::read_to_string(path).expect("sample");
        let g = Gazetteer::default();
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let want: Vec<String> = v["countries"]
                .as_array()
                .expect("countries")
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            let got = g.mentions(v["text"].as_str().expect("text"));
            tp += got.iter().filter(|c| want.contains(c)).count();
            fp += got.iter().filter(|c| !want.contains(c)).count();
            fn_ += want.iter().filter(|c| !got.contains(c)).count();
            if got != want {
                eprintln!("{got:?} vs {want:?}: {}", v["text"]);
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        eprintln!(
            "country mentions: precision {precision:.3}, recall {recall:.3} ({tp}/{fp}/{fn_})"
        );
        assert!(precision >= 0.95, "precision {precision:.3}");
        assert!(recall >= 0.9, "recall {recall:.3}");
    }
}
