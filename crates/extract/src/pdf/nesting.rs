//! Objects nested deeper than lopdf parses.
//!
//! lopdf's parser gives up on an object nested more than 100 arrays or dictionaries deep (it
//! stops there rather than overflow the stack) and drops the whole indirect object: when that
//! object is a page, the catalog or a content stream, the page's text is lost, though the
//! nesting usually sits in an entry nothing reads. Here, in a copy of the file's bytes (or of
//! an object stream's), whatever opens deeper than [`MAX_DEPTH`] is overwritten with an empty
//! array padded with spaces, so every offset in the file still holds, and the objects lopdf
//! dropped are read again from the copy. Only objects lopdf dropped are taken from it.
//!
//! Well-formed files pay for none of it: the scan runs only when the cross-reference table
//! lists an object lopdf does not hold (dropped, or one it removes itself, such as the
//! encryption dictionary), and the file is parsed again only when the scan finds such nesting.

use std::collections::BTreeMap;
use std::ops::Range;

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, ObjectStream, Stream};

use super::stream_bytes;
use crate::limits::MAX_PDF_STREAM_SIZE;

/// Deepest nesting of arrays and dictionaries kept, well inside lopdf's limit of 100 (counted
/// from the indirect object) and far past what real files use.
const MAX_DEPTH: usize = 64;

/// Reads again, from a copy of `bytes` with over-deep nesting cut, the objects the cross-
/// reference table lists that lopdf could not parse.
pub(crate) fn restore_dropped_objects(doc: &mut Document, bytes: &[u8], options: &LoadOptions) {
    let mut in_file = Vec::new();
    let mut in_streams: BTreeMap<u32, Vec<ObjectId>> = BTreeMap::new();
    for (number, entry) in &doc.reference_table.entries {
        match *entry {
            XrefEntry::Normal { generation, .. }
                if !doc.objects.contains_key(&(*number, generation)) =>
            {
                in_file.push((*number, generation));
            }
            XrefEntry::Compressed { container, .. } if !doc.objects.contains_key(&(*number, 0)) => {
                in_streams.entry(container).or_default().push((*number, 0));
            }
            _ => {}
        }
    }
    if !in_file.is_empty()
        && let Some(flat) = flattened(bytes)
        && let Ok(again) = Document::load_mem_with_options(&flat, options.clone())
    {
        for id in in_file {
            if let Some(object) = again.objects.get(&id) {
                doc.objects.insert(id, object.clone());
            }
        }
    }
    for (container, ids) in in_streams {
        let Some(objects) = doc
            .objects
            .get(&(container, 0))
            .and_then(|o| o.as_stream().ok())
            .and_then(flattened_object_stream)
        else {
            continue;
        };
        for id in ids {
            if let Some(object) = objects.get(&id) {
                doc.objects.insert(id, object.clone());
            }
        }
    }
}

/// A copy of the file with over-deep nesting cut; `None` when it has none (lopdf dropped the
/// objects for another reason).
fn flattened(bytes: &[u8]) -> Option<Vec<u8>> {
    let regions = too_deep(bytes);
    if regions.is_empty() {
        return None;
    }
    let mut copy = bytes.to_vec();
    flatten(&mut copy, &regions);
    Some(copy)
}

/// The objects of an object stream read again with over-deep nesting cut.
fn flattened_object_stream(stream: &Stream) -> Option<BTreeMap<ObjectId, Object>> {
    let mut content = stream_bytes(stream)?;
    let regions = too_deep(&content);
    if regions.is_empty() {
        return None;
    }
    flatten(&mut content, &regions);
    let mut dict = Dictionary::new();
    for key in [&b"Type"[..], b"N", b"First"] {
        if let Ok(value) = stream.dict.get(key) {
            dict.set(key, value.clone());
        }
    }
    let plain = Stream::new(dict, content);
    ObjectStream::new_with_limit(&plain, Some(MAX_PDF_STREAM_SIZE))
        .ok()
        .map(|s| s.objects)
}

/// Overwrites each region with an empty array padded with spaces.
fn flatten(bytes: &mut [u8], regions: &[Range<usize>]) {
    for range in regions {
        if let Some(region) = bytes.get_mut(range.clone()) {
            region.fill(b' ');
            if let Some(empty) = region.get_mut(..2) {
                empty.copy_from_slice(b"[]");
            }
        }
    }
}

/// Where each outermost array or dictionary that opens deeper than [`MAX_DEPTH`] in PDF object
/// syntax begins and ends. Strings, names, comments and stream data are stepped over; `obj`
/// and `endobj` start the count afresh, so an object left unclosed does not count against the
/// next.
fn too_deep(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut regions = Vec::new();
    let mut depth = 0usize;
    // Where the outermost array or dictionary past the limit opened.
    let mut cut: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        let (opens, closes, width) = match (b, next) {
            (b'[', _) => (true, false, 1),
            (b'<', Some(b'<')) => (true, false, 2),
            (b']', _) => (false, true, 1),
            (b'>', Some(b'>')) => (false, true, 2),
            _ => (false, false, 0),
        };
        if opens {
            depth += 1;
            if depth > MAX_DEPTH && cut.is_none() {
                cut = Some(i);
            }
            i += width;
            continue;
        }
        if closes {
            depth = depth.saturating_sub(1);
            i += width;
            if depth == MAX_DEPTH
                && let Some(start) = cut.take()
            {
                regions.push(start..i);
            }
            continue;
        }
        i = match b {
            b'(' => literal_string_end(bytes, i),
            b'<' => bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|c| *c == b'>'))
                .map_or(bytes.len(), |at| i + at + 1),
            b'%' => bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|c| matches!(c, b'\r' | b'\n')))
                .map_or(bytes.len(), |at| i + at),
            b'/' => i + 1 + token_len(bytes, i + 1),
            _ if is_regular(b) => {
                let len = token_len(bytes, i);
                let token = bytes.get(i..i + len).unwrap_or_default();
                match token {
                    b"obj" | b"endobj" => {
                        depth = 0;
                        cut = None;
                        i + len
                    }
                    b"stream" => stream_end(bytes, i + len),
                    _ => i + len,
                }
            }
            _ => i + 1,
        };
    }
    regions
}

fn is_regular(b: u8) -> bool {
    !b.is_ascii_whitespace()
        && b != 0
        && !matches!(
            b,
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
        )
}

fn token_len(bytes: &[u8], start: usize) -> usize {
    bytes.get(start..).map_or(0, |rest| {
        rest.iter().take_while(|b| is_regular(**b)).count()
    })
}

/// Just past the literal string opening at `open`: balanced parentheses, backslash escapes.
fn literal_string_end(bytes: &[u8], open: usize) -> usize {
    let mut parens = 0usize;
    let mut i = open;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 1,
            b'(' => parens += 1,
            b')' => {
                parens -= 1;
                if parens == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Just past the `endstream` after stream data starting at `start`.
fn stream_end(bytes: &[u8], start: usize) -> usize {
    const END: &[u8] = b"endstream";
    bytes
        .get(start..)
        .and_then(|rest| rest.windows(END.len()).position(|w| w == END))
        .map_or(bytes.len(), |at| start + at + END.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> Option<String> {
        flattened(text.as_bytes()).map(|bytes| String::from_utf8(bytes).expect("ascii"))
    }

    #[test]
    fn nesting_within_the_limit_is_left_alone() {
        // The dictionary is one level, the arrays the rest.
        let deep = "[".repeat(MAX_DEPTH - 1) + &"]".repeat(MAX_DEPTH - 1);
        assert_eq!(flat(&format!("1 0 obj << /A {deep} >> endobj")), None);
    }

    #[test]
    fn arrays_past_the_limit_become_an_empty_array_of_the_same_length() {
        let depth = MAX_DEPTH + 10;
        let deep = "[".repeat(depth) + "1 2" + &"]".repeat(depth);
        let text = format!("1 0 obj\n[{deep} /Next]\nendobj\n");
        let out = flat(&text).expect("changed");
        assert_eq!(out.len(), text.len());
        let kept = "[".repeat(MAX_DEPTH - 1);
        let closed = "]".repeat(MAX_DEPTH - 1);
        assert!(out.starts_with(&format!("1 0 obj\n[{kept}[]")), "{out}");
        assert!(
            out.ends_with(&format!("{closed} /Next]\nendobj\n")),
            "{out}"
        );
    }

    #[test]
    fn dictionaries_past_the_limit_are_cut_and_the_object_parses() {
        let depth = 10_000;
        let deep = "<< /A ".repeat(depth) + &">>".repeat(depth);
        let text = format!("<< /Junk {deep} /Keep 7 >>");
        let out = flat(&text).expect("changed");
        assert!(out.ends_with(" /Keep 7 >>"), "{out}");
        assert_eq!(out.matches("<<").count(), MAX_DEPTH);
    }

    #[test]
    fn strings_names_comments_and_streams_are_not_counted() {
        let brackets = "[".repeat(MAX_DEPTH + 1);
        let text = format!(
            "1 0 obj << /Length 80 >> stream\n{brackets}\nendstream endobj\n\
             2 0 obj [ ({brackets}) <5B5B> /a[ % {brackets}\n ] endobj"
        );
        assert_eq!(flat(&text), None);
    }

    #[test]
    fn an_unclosed_object_does_not_count_against_the_next() {
        let open = "[".repeat(MAX_DEPTH);
        let text = format!("1 0 obj {open} endobj 2 0 obj [[1]] endobj");
        assert_eq!(flat(&text), None);
    }
}
