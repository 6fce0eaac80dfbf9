use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A call for input as `call.toml` defines it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// Stable identifier, used in URLs and facets.
    pub id: String,
    /// The call's title.
    pub title: String,
    /// The mandate that issued it ("Special Rapporteur on ...").
    pub mandate: String,
    /// Date the call was issued, where known (a call page does not always say).
    #[serde(
        default,
        deserialize_with = "date::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub issued: Option<NaiveDate>,
    /// Deadline for submissions, where known.
    #[serde(
        default,
        deserialize_with = "date::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub deadline: Option<NaiveDate>,
    /// Languages the call is published in (ISO 639-1).
    pub languages: Vec<String>,
    /// Stakeholder categories, in the order the call page lists them.
    pub categories: Vec<String>,
    /// The numbered guiding questions.
    pub questions: Vec<GuidingQuestion>,
    /// Equivalent terms across languages, so a query in one language finds the others.
    #[serde(default)]
    pub glossary: Vec<GlossaryEntry>,
}

/// One concept's names per language (`en = ["end-to-end encryption", "E2EE"]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(transparent)]
pub struct GlossaryEntry {
    /// Terms per ISO 639-1 language code.
    pub terms: BTreeMap<String, OneOrMany>,
}

/// A TOML value that may be one string or a list of them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single term.
    One(String),
    /// Several terms.
    Many(Vec<String>),
}

impl GlossaryEntry {
    /// Every (language, term) of the entry.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.terms.iter().flat_map(|(lang, terms)| {
            let list: Vec<&str> = match terms {
                OneOrMany::One(t) => vec![t.as_str()],
                OneOrMany::Many(ts) => ts.iter().map(String::as_str).collect(),
            };
            list.into_iter().map(move |t| (lang.as_str(), t))
        })
    }
}

/// One numbered guiding question, in every language the call gives it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GuidingQuestion {
    /// The question's number in the call (1-based).
    pub number: u32,
    /// A few words naming it.
    pub short: String,
    /// Its text per language (`text.en`, `text.es`...).
    pub text: BTreeMap<String, String>,
    /// Optional keywords per language that signal an answer to it.
    #[serde(default)]
    pub keywords: BTreeMap<String, Vec<String>>,
}

impl Call {
    /// Reads and checks `call.toml`.
    pub fn load(path: &Path) -> Result<Call> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Call::parse(path, &text)
    }

    /// Parses and checks the text of a `call.toml`; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Call> {
        let fail = |message: String| Error::Call {
            path: path.to_path_buf(),
            message,
        };
        let call: Call =
            toml::from_str(text).map_err(|e| fail(e.to_string().trim().to_string()))?;
        if call.id.is_empty()
            || !call
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(fail(format!(
                "`id` must be letters, digits, `-` or `_`, got {:?}",
                call.id
            )));
        }
        if call.categories.is_empty() {
            return Err(fail("`categories` is empty".into()));
        }
        if let (Some(issued), Some(deadline)) = (call.issued, call.deadline)
            && deadline < issued
        {
            return Err(fail(format!(
                "`deadline` {deadline} is before `issued` {issued}"
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for q in &call.questions {
            if q.number == 0 || !seen.insert(q.number) {
                return Err(fail(format!(
                    "question number {} is zero or used twice",
                    q.number
                )));
            }
            if q.text.is_empty() {
                return Err(fail(format!("question {} has no `text.<lang>`", q.number)));
            }
        }
        Ok(call)
    }

    /// The category as the call spells it, matched without regard to case.
    pub fn category(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        self.categories
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .map(String::as_str)
    }

    /// The guiding question with this number.
    pub fn question(&self, number: u32) -> Option<&GuidingQuestion> {
        self.questions.iter().find(|q| q.number == number)
    }
}

mod date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer};

    /// Accepts a TOML date literal (`2024-04-30`) or a string holding one.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let value = toml::Value::deserialize(d)?;
        let text = match &value {
            toml::Value::Datetime(dt) => dt.to_string(),
            toml::Value::String(s) => s.clone(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a date like 2024-04-30, got {other}"
                )));
            }
        };
        NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                serde::de::Error::custom(format!("expected a date like 2024-04-30, got {text:?}"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo"
title = "A call"
mandate = "Special Rapporteur"
issued = 2024-02-15
deadline = "2024-04-30"
languages = ["en", "es"]
categories = ["States", "CSOs"]

[[questions]]
number = 1
short = "Facilitation"
text.en = "How are technologies used?"
text.es = "¿Cómo se usan las tecnologías?"
keywords.en = ["grooming"]
"#;

    #[test]
    fn parses_questions_in_every_language() {
        let call = Call::parse(Path::new("call.toml"), GOOD).expect("valid call");
        assert_eq!(call.id, "demo");
        assert_eq!(
            call.issued.map(|d| d.to_string()).as_deref(),
            Some("2024-02-15")
        );
        assert_eq!(
            call.deadline.map(|d| d.to_string()).as_deref(),
            Some("2024-04-30")
        );
        let q = call.question(1).expect("question 1");
        assert_eq!(q.text["es"], "¿Cómo se usan las tecnologías?");
        assert_eq!(q.keywords["en"], vec!["grooming".to_string()]);
        assert_eq!(call.category("csos"), Some("CSOs"));
        assert!(call.glossary.is_empty());
    }

    #[test]
    fn dates_may_be_left_out() {
        let text = GOOD
            .replace("issued = 2024-02-15\n", "")
            .replace("deadline = \"2024-04-30\"\n", "");
        let call = Call::parse(Path::new("call.toml"), &text).expect("valid without dates");
        assert_eq!((call.issued, call.deadline), (None, None));
    }

    #[test]
    fn glossary_entries_take_one_term_or_several() {
        let text = format!(
            "{GOOD}\n[[glossary]]\nen = [\"end-to-end encryption\", \"E2EE\"]\nes = \"cifrado de extremo a extremo\"\n"
        );
        let call = Call::parse(Path::new("call.toml"), &text).expect("valid");
        let terms: Vec<_> = call.glossary[0].all().collect();
        assert_eq!(
            terms,
            [
                ("en", "end-to-end encryption"),
                ("en", "E2EE"),
                ("es", "cifrado de extremo a extremo")
            ]
        );
    }

    #[test]
    fn errors_name_the_file_and_field() {
        let bad = GOOD.replace("issued = 2024-02-15", "issued = \"15/02/2024\"");
        let err = Call::parse(Path::new("x/call.toml"), &bad).expect_err("bad date");
        let msg = err.to_string();
        assert!(msg.starts_with("x/call.toml:"), "{msg}");
        assert!(
            msg.contains("issued") && msg.contains("15/02/2024"),
            "{msg}"
        );

        let dup = format!("{GOOD}\n[[questions]]\nnumber = 1\nshort = \"x\"\ntext.en = \"y\"\n");
        let msg = Call::parse(Path::new("call.toml"), &dup)
            .expect_err("dup")
            .to_string();
        assert!(msg.contains("question number 1"), "{msg}");

        let missing = GOOD.replace("mandate = \"Special Rapporteur\"\n", "");
        let msg = Call::parse(Path::new("call.toml"), &missing)
            .expect_err("missing")
            .to_string();
        assert!(msg.contains("mandate"), "{msg}");
    }
}
