//! A SentencePiece unigram tokenizer: the teacher's normalisation map, whitespace as `▁`,
//! and the most probable segmentation of each word into the model's pieces (Viterbi over
//! the pieces' log-probabilities). Characters no piece covers are left out.

use std::collections::HashMap;

/// The metaspace SentencePiece writes for a space.
const META: char = '\u{2581}';

/// Pieces with their log-probabilities, and the normalisation of characters.
#[derive(Debug, Clone)]
pub(crate) struct Unigram {
    /// Piece text to index.
    index: HashMap<String, u32>,
    /// Log-probability of each piece.
    scores: Vec<f32>,
    /// Longest piece, in bytes.
    longest: usize,
    /// Characters replaced by others before segmenting (the teacher's normaliser).
    normal: HashMap<char, Vec<char>>,
    /// The score of a character no piece covers: below every piece's (read once here,
    /// not at every word: the vocabulary has a quarter of a million pieces).
    unknown: f32,
}

impl Unigram {
    pub(crate) fn new(
        pieces: &[String],
        scores: Vec<f32>,
        normal: HashMap<char, Vec<char>>,
    ) -> Unigram {
        let index = pieces
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let unknown = scores.iter().copied().fold(0.0f32, f32::min) - 10.0;
        Unigram {
            index,
            scores,
            unknown,
            longest: pieces.iter().map(String::len).max().unwrap_or(1),
            normal,
        }
    }

    /// The text as the model sees it: normalised, with `▁` for each run of spaces and
    /// before the first word, cut into words each starting with `▁`.
    pub(crate) fn words(&self, text: &str) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        let mut current = String::new();
        for c in text.chars() {
            let mapped: &[char] = match self.normal.get(&c) {
                Some(out) => out,
                None => std::slice::from_ref(&c),
            };
            for &m in mapped {
                if m.is_whitespace() {
                    if !current.is_empty() {
                        words.push(std::mem::take(&mut current));
                    }
                } else {
                    if current.is_empty() {
                        current.push(META);
                    }
                    current.push(m);
                }
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
        words
    }

    /// The pieces of one word (as [`Unigram::words`] gives it), most probable first to
    /// last; characters no piece covers are skipped.
    pub(crate) fn segment(&self, word: &str) -> Vec<u32> {
        let starts: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let n = starts.len() - 1;
        // best[i]: the best score of the first i characters; back[i]: (from, piece).
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut back: Vec<(usize, Option<u32>)> = vec![(0, None); n + 1];
        best[0] = 0.0;
        let unknown = self.unknown;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            for e in i + 1..=n {
                let (from, to) = (starts[i], starts[e]);
                if to - from > self.longest {
                    break;
                }
                if let Some(&id) = word.get(from..to).and_then(|p| self.index.get(p)) {
                    let score = best[i] + self.scores.get(id as usize).copied().unwrap_or(unknown);
                    if score > best[e] {
                        best[e] = score;
                        back[e] = (i, Some(id));
                    }
                }
            }
            if best[i] + unknown > best[i + 1] {
                best[i + 1] = best[i] + unknown;
                back[i + 1] = (i, None);
            }
        }
        let mut pieces = Vec::new();
        let mut at = n;
        while at > 0 {
            let (from, piece) = back[at];
            pieces.extend(piece);
            at = from;
        }
        pieces.reverse();
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer() -> (Unigram, Vec<String>) {
        let pieces: Vec<String> = [
            "▁the",
            "▁chiffre",
            "ment",
            "▁chiffrement",
            "▁ch",
            "i",
            "f",
            "r",
            "e",
            "m",
            "n",
            "t",
            "▁",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        let scores = vec![
            -2.0, -9.0, -6.0, -8.0, -7.0, -8.0, -8.0, -8.0, -8.0, -8.0, -8.0, -8.0, -5.0,
        ];
        let normal = HashMap::from([('\u{a0}', vec![' ']), ('ﬁ', vec!['f', 'i'])]);
        (Unigram::new(&pieces, scores, normal), pieces)
    }

    #[test]
    fn words_are_segmented_into_their_most_probable_pieces() {
        let (t, pieces) = tokenizer();
        let words = t.words("The\u{a0}chiffrement  chiffre");
        assert_eq!(words, ["▁The", "▁chiffrement", "▁chiffre"]);
        let names = |w: &str| -> Vec<&str> {
            t.segment(w)
                .iter()
                .map(|&i| pieces[i as usize].as_str())
                .collect()
        };
        // One piece of -8 beats "▁chiffre" + "ment" (-15).
        assert_eq!(names("▁chiffrement"), ["▁chiffrement"]);
        // "T" is no piece: left out; "he" is no piece either but its letters... only "e".
        assert_eq!(names("▁the"), ["▁the"]);
        assert_eq!(names("▁chiffre"), ["▁chiffre"]);
        let unknown: Vec<&str> = t
            .segment("▁日本")
            .iter()
            .map(|&i| pieces[i as usize].as_str())
            .collect();
        assert_eq!(unknown, ["▁"], "characters no piece covers are skipped");
    }
}
