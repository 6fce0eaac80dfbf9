//! The query language staff type: words (all must match), `OR`, `"exact phrases"`,
//! `-excluded`, `prefix*`, and inline filters (`question:7 category:CSOs country:Chile
//! lang:es kind:annex key:true`) equal to the URL parameters. Errors say where.

use std::fmt;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most words, phrases and prefixes in one query.
pub const MAX_TERMS: usize = 32;

/// Filter names usable inline, and the request field each sets.
pub const FILTER_NAMES: [&str; 10] = [
    "question",
    "category",
    "country",
    "mentioned",
    "lang",
    "language",
    "kind",
    "call",
    "submitter",
    "key",
];

/// One searchable unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A word, matched in every language's word forms.
    Word(String),
    /// Words starting with this.
    Prefix(String),
    /// These words in this order.
    Phrase(String),
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Every slot must match; a slot matches when any of its atoms does (`a OR b`).
    pub required: Vec<Vec<Atom>>,
    /// None of these may match.
    pub excluded: Vec<Atom>,
    /// Inline filters, by name, in order.
    pub filters: Vec<(String, String)>,
}

/// A query that cannot be understood, with the character position where it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// 1-based character position.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

#[derive(Debug, PartialEq)]
enum Token {
    Or,
    Item { negated: bool, atom: Atom },
    Filter { name: String, value: String },
}

/// Parses a query. Never panics, whatever the input.
pub fn parse(input: &str) -> Result<ParsedQuery, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(QueryError {
            position: MAX_QUERY_CHARS + 1,
            message: format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        });
    }
    let tokens = tokenize(&chars)?;
    let mut parsed = ParsedQuery::default();
    let mut join_next = false;
    let mut count = 0;
    let last = tokens.len().saturating_sub(1);
    for (i, (position, token)) in tokens.into_iter().enumerate() {
        match token {
            // An OR with no word on one side (at either end, doubled, before a filter or an
            // excluded word) joins nothing and is left out, as a typed query means it.
            Token::Or => {
                let after_item = parsed.required.last().is_some();
                join_next = after_item && i != last;
            }
            Token::Filter { name, value } => {
                join_next = false;
                parsed.filters.push((name, value));
            }
            Token::Item { negated, atom } => {
                count += 1;
                if count > MAX_TERMS {
                    return Err(QueryError {
                        position,
                        message: format!("more than {MAX_TERMS} words or phrases"),
                    });
                }
                if negated {
                    join_next = false;
                    parsed.excluded.push(atom);
                } else if join_next {
                    join_next = false;
                    if let Some(slot) = parsed.required.last_mut() {
                        slot.push(atom);
                    }
                } else {
                    parsed.required.push(vec![atom]);
                }
            }
        }
    }
    Ok(parsed)
}

fn tokenize(chars: &[char]) -> Result<Vec<(usize, Token)>, QueryError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let negated = c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace());
        if negated {
            i += 1;
        }
        if chars.get(i) == Some(&'"') {
            // A quote never closed runs to the end of the query.
            let close = chars
                .iter()
                .skip(i + 1)
                .position(|&c| c == '"')
                .unwrap_or(chars.len().saturating_sub(i + 1));
            let phrase: String = chars.iter().skip(i + 1).take(close).collect();
            i += close + 2;
            if !phrase.trim().is_empty() {
                tokens.push((
                    start + 1,
                    Token::Item {
                        negated,
                        atom: Atom::Phrase(phrase.trim().to_string()),
                    },
                ));
            }
            continue;
        }
        let end = chars
            .iter()
            .skip(i)
            .position(|c| c.is_whitespace())
            .map_or(chars.len(), |n| i + n);
        let word: String = chars.get(i..end).unwrap_or_default().iter().collect();
        i = end;
        if word == "OR" && !negated {
            tokens.push((start + 1, Token::Or));
            continue;
        }
        if let Some((name, value)) = word.split_once(':') {
            let lower = name.to_lowercase();
            if !negated && FILTER_NAMES.contains(&lower.as_str()) {
                let (value, consumed) = filter_value(value, chars, i)?;
                i = consumed;
                if value.trim().is_empty() {
                    return Err(QueryError {
                        position: start + 1,
                        message: format!("`{name}:` needs a value, e.g. {name}:7"),
                    });
                }
                if lower == "key" && !matches!(value.trim(), "true" | "false") {
                    return Err(QueryError {
                        position: start + 1,
                        message: format!("`{word}` takes true or false: key:true"),
                    });
                }
                if lower == "question" && value.trim().parse::<u32>().is_err() {
                    return Err(QueryError {
                        position: start + 1,
                        message: format!("`{word}` needs a question number, e.g. question:7"),
                    });
                }
                let name = if lower == "language" {
                    "lang".into()
                } else {
                    lower
                };
                tokens.push((start + 1, Token::Filter { name, value }));
                continue;
            }
        }
        let atom = match word.strip_suffix('*') {
            Some(stem) if !stem.is_empty() && !stem.contains('*') => Atom::Prefix(stem.to_string()),
            _ => Atom::Word(word.trim_matches('*').to_string()),
        };
        if matches!(&atom, Atom::Word(w) if w.is_empty()) {
            continue;
        }
        tokens.push((start + 1, Token::Item { negated, atom }));
    }
    Ok(tokens)
}

/// A filter value: the rest of the word, or a quoted value that may hold spaces
/// (`submitter:"Child Safety Alliance"`). Returns the value and where parsing goes on.
fn filter_value(rest: &str, chars: &[char], after: usize) -> Result<(String, usize), QueryError> {
    if !rest.starts_with('"') {
        return Ok((rest.to_string(), after));
    }
    if rest.len() > 1 && rest.ends_with('"') {
        return Ok((rest.trim_matches('"').to_string(), after));
    }
    // The quoted value goes on past the space: find its closing quote.
    // A value whose quote is never closed runs to the end of the query.
    let close = chars
        .iter()
        .skip(after)
        .position(|&c| c == '"')
        .unwrap_or(chars.len().saturating_sub(after));
    let tail: String = chars.iter().skip(after).take(close).collect();
    let value = format!("{}{}", rest.trim_start_matches('"'), tail);
    Ok((value.trim().to_string(), after + close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<Vec<Atom>> {
        ws.iter().map(|w| vec![Atom::Word((*w).into())]).collect()
    }

    fn w(word: &str) -> Atom {
        Atom::Word(word.into())
    }

    #[test]
    fn operators() {
        let q = parse("end-to-end encryption detection").expect("ok");
        assert_eq!(
            q.required,
            words(&["end-to-end", "encryption", "detection"])
        );

        let q = parse("grooming OR sextortion children").expect("ok");
        assert_eq!(
            q.required,
            vec![
                vec![
                    Atom::Word("grooming".into()),
                    Atom::Word("sextortion".into())
                ],
                vec![Atom::Word("children".into())]
            ]
        );

        let q = parse("\"safety by design\" -scanning encrypt*").expect("ok");
        assert_eq!(
            q.required,
            vec![
                vec![Atom::Phrase("safety by design".into())],
                vec![Atom::Prefix("encrypt".into())]
            ]
        );
        assert_eq!(q.excluded, vec![Atom::Word("scanning".into())]);

        let q = parse("hotlines question:7 category:CSOs country:Chile lang:es Kind:annex submitter:\"Child Safety Alliance\"").expect("ok");
        assert_eq!(q.required, words(&["hotlines"]));
        assert_eq!(
            q.filters,
            vec![
                ("question".into(), "7".into()),
                ("category".into(), "CSOs".into()),
                ("country".into(), "Chile".into()),
                ("lang".into(), "es".into()),
                ("kind".into(), "annex".into()),
                ("submitter".into(), "Child Safety Alliance".into()),
            ]
        );
    }

    #[test]
    fn colons_that_are_not_filters_are_text() {
        let q = parse("Article:3 note:").expect("ok");
        assert_eq!(q.required, words(&["Article:3", "note:"]));
    }

    #[test]
    fn what_a_user_types_by_mistake_is_read_as_meant() {
        let q = parse("grooming \"safety by design").expect("an open quote");
        assert_eq!(q.required.len(), 2);
        assert_eq!(
            q.required.last(),
            Some(&vec![Atom::Phrase("safety by design".into())])
        );
        let q = parse("submitter:\"Child Safety").expect("an open quoted value");
        assert_eq!(q.filters, vec![("submitter".into(), "Child Safety".into())]);
        for (query, expected) in [
            ("OR grooming", words(&["grooming"])),
            ("grooming OR", words(&["grooming"])),
            ("a OR OR b", vec![vec![w("a"), w("b")]]),
            ("a OR -b", words(&["a"])),
            ("a OR question:7", words(&["a"])),
        ] {
            let q = parse(query).expect(query);
            assert_eq!(q.required, expected, "{query}");
        }
    }

    #[test]
    fn malformed_queries_say_where() {
        let cases = [
            ("question: encryption", 1, "needs a value"),
            ("a key:maybe", 3, "true or false"),
        ];
        for (query, position, message) in cases {
            let err = parse(query).expect_err(query);
            assert_eq!(err.position, position, "{query}: {err}");
            assert!(err.message.contains(message), "{query}: {err}");
        }
        let long = "a ".repeat(40);
        assert!(
            parse(&long)
                .expect_err("too many")
                .message
                .contains("more than")
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,80}") {
            let _ = parse(&input);
        }

        #[test]
        fn plain_words_always_parse(ws in proptest::collection::vec("[a-zñé]{1,10}", 1..8)) {
            let q = parse(&ws.join(" ")).expect("plain words");
            proptest::prop_assert_eq!(q.required.len(), ws.len());
        }
    }
}
