//! PDFs whose structure is broken in ways poppler tolerates: a page tree that loops or lists a
//! node twice, objects nested 10,000 deep. Built here byte by byte with correct cross-reference
//! offsets, so that only the breakage under test is wrong with them.

use std::path::Path;
use std::process::{Command, Stdio};

use cfi_extract::{Document, Options, extract_bytes};

use crate::common;

/// How deep the hostile objects nest: far past any parser's limit (lopdf 100, poppler 500).
const DEEP: usize = 10_000;

/// The font every page shows its text in.
const FONT: (u32, &str) = (99, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

/// Writes `objects` (number, body) after the header; returns each one's offset by number.
fn write_objects(out: &mut Vec<u8>, objects: &[(u32, String)]) -> Vec<Option<usize>> {
    let size = objects
        .iter()
        .map(|(n, _)| *n as usize + 1)
        .max()
        .unwrap_or(1);
    let mut offsets = vec![None; size];
    for (number, body) in objects {
        offsets[*number as usize] = Some(out.len());
        out.extend(format!("{number} 0 obj\n{body}\nendobj\n").into_bytes());
    }
    offsets
}

/// A PDF of the numbered object bodies (object 1 the catalog) with a classic xref table.
fn pdf(objects: &[(u32, String)]) -> Vec<u8> {
    pdf_with_trailer(objects, "")
}

/// [`pdf`] with `extra` entries in the trailer.
fn pdf_with_trailer(objects: &[(u32, String)], extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let offsets = write_objects(&mut out, objects);
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n", offsets.len()).into_bytes());
    for offset in &offsets {
        match offset {
            Some(at) => out.extend(format!("{at:010} 00000 n \n").into_bytes()),
            None => out.extend(b"0000000000 65535 f \n"),
        }
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {extra} >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len()
        )
        .into_bytes(),
    );
    out
}

/// A PDF 1.5 whose `packed` objects sit in an object stream (number `container`), with a
/// cross-reference stream.
fn pdf_with_object_stream(
    objects: &[(u32, String)],
    container: u32,
    packed: &[(u32, String)],
) -> Vec<u8> {
    let mut index = String::new();
    let mut bodies = String::new();
    for (number, body) in packed {
        index.push_str(&format!("{number} {} ", bodies.len()));
        bodies.push_str(body);
        bodies.push('\n');
    }
    let stream = format!(
        "<< /Type /ObjStm /N {} /First {} /Length {} >>\nstream\n{index}{bodies}\nendstream",
        packed.len(),
        index.len(),
        index.len() + bodies.len()
    );
    let mut all = objects.to_vec();
    all.push((container, stream));
    let mut out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = write_objects(&mut out, &all);
    let xref_number = all.iter().chain(packed).map(|(n, _)| *n).max().unwrap_or(0) + 1;
    let size = xref_number as usize + 1;
    offsets.resize(size, None);
    let xref = out.len();
    offsets[xref_number as usize] = Some(xref);
    // Entries of 1 + 4 + 2 bytes: type, offset or container, generation or index.
    let mut entries = Vec::new();
    for (number, offset) in offsets.iter().enumerate() {
        let in_stream = packed.iter().position(|(n, _)| *n as usize == number);
        let (kind, field, index) = match (offset, in_stream) {
            (Some(at), _) => (1u8, *at as u32, 0u16),
            (None, Some(index)) => (2, container, index as u16),
            (None, None) => (0, 0, 0xffff),
        };
        entries.push(kind);
        entries.extend(field.to_be_bytes());
        entries.extend(index.to_be_bytes());
    }
    out.extend(
        format!(
            "{xref_number} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n",
            entries.len()
        )
        .into_bytes(),
    );
    out.extend(entries);
    out.extend(format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").into_bytes());
    out
}

fn catalog() -> (u32, String) {
    (1, "<< /Type /Catalog /Pages 2 0 R >>".into())
}

fn pages(number: u32, kids: &[u32]) -> (u32, String) {
    let kids: Vec<String> = kids.iter().map(|k| format!("{k} 0 R")).collect();
    (
        number,
        format!("<< /Type /Pages /Kids [{}] >>", kids.join(" ")),
    )
}

/// A page showing what content stream `content` shows, with `resources` (a dictionary or a
/// reference).
fn page(number: u32, content: u32, resources: &str) -> (u32, String) {
    (
        number,
        format!(
            "<< /Type /Page /MediaBox [0 0 612 792] /Resources {resources} /Contents {content} 0 R >>"
        ),
    )
}

/// Resources naming the font, with `extra` entries.
fn resources(extra: &str) -> String {
    format!("<< /Font << /F1 {} 0 R >> {extra} >>", FONT.0)
}

/// A content stream showing `text`, with `extra` entries in its dictionary.
fn content(number: u32, text: &str, extra: &str) -> (u32, String) {
    let ops = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    (
        number,
        format!(
            "<< /Length {} {extra} >>\nstream\n{ops}\nendstream",
            ops.len()
        ),
    )
}

fn font() -> (u32, String) {
    (FONT.0, FONT.1.into())
}

fn nested_arrays() -> String {
    "[".repeat(DEEP) + "1" + &"]".repeat(DEEP)
}

fn nested_dictionaries() -> String {
    "<< /Inner ".repeat(DEEP) + "1" + &" >>".repeat(DEEP)
}

/// The text of each page, trimmed.
fn page_texts(doc: &Document) -> Vec<String> {
    doc.to_plain_text()
        .split('\u{c}')
        .map(|page| page.trim().to_string())
        .collect()
}

fn extract(name: &str, bytes: &[u8]) -> Document {
    extract_bytes(Path::new(name), bytes, &Options::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// poppler's text of the file, page by page; `None` when pdftotext is not installed.
fn pdftotext(bytes: &[u8]) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.pdf");
    std::fs::write(&file, bytes).expect("write pdf");
    let output = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.split('\u{c}')
            .map(|page| page.trim().to_string())
            .filter(|page| !page.is_empty())
            .collect(),
    )
}

/// Every page text poppler reads from the file, cfi reads too.
fn assert_reads_what_poppler_reads(name: &str, bytes: &[u8], ours: &[String]) {
    let Some(theirs) = pdftotext(bytes) else {
        common::skip_without("pdftotext (poppler-utils)");
        return;
    };
    for page in &theirs {
        assert!(
            ours.contains(page),
            "{name}: pdftotext reads {page:?}, cfi only {ours:?}"
        );
    }
}

#[test]
fn page_tree_loops_are_skipped_and_the_pages_after_them_read() {
    // The root lists itself; a second pages node lists the root and itself.
    let bytes = pdf(&[
        catalog(),
        pages(2, &[3, 2, 4, 7]),
        page(3, 5, &resources("")),
        pages(4, &[2, 8, 4]),
        content(5, "Page one before the loops", ""),
        content(6, "Page three after them", ""),
        page(7, 6, &resources("")),
        page(8, 10, &resources("")),
        font(),
        content(10, "Page two inside the loop", ""),
    ]);
    let doc = extract("loop.pdf", &bytes);
    let texts = page_texts(&doc);
    assert_eq!(
        texts,
        [
            "Page one before the loops",
            "Page two inside the loop",
            "Page three after them"
        ]
    );
    assert_eq!(doc.pages, Some(3));
    assert_reads_what_poppler_reads("loop.pdf", &bytes, &texts);
}

#[test]
fn a_page_listed_twice_is_read_once() {
    let bytes = pdf(&[
        catalog(),
        pages(2, &[3, 3, 4, 4]),
        page(3, 5, &resources("")),
        pages(4, &[7]),
        content(5, "The first page", ""),
        content(6, "The second page", ""),
        page(7, 6, &resources("")),
        font(),
    ]);
    let doc = extract("twice.pdf", &bytes);
    let texts = page_texts(&doc);
    assert_eq!(texts, ["The first page", "The second page"]);
    // poppler shows a page listed twice twice; its text is the same.
    assert_reads_what_poppler_reads("twice.pdf", &bytes, &texts);
}

#[test]
fn a_page_tree_of_many_paths_is_walked_once_a_node() {
    // Each pages node lists the next one twice: 2^60 paths to the one page at the bottom,
    // which a walk that only stopped at loops would never finish.
    let mut objects = vec![catalog()];
    for number in 2..62 {
        objects.push(pages(number, &[number + 1, number + 1]));
    }
    objects.push(page(62, 63, &resources("")));
    objects.push(content(63, "At the bottom of the tree", ""));
    objects.push(font());
    let bytes = pdf(&objects);
    let doc = extract("paths.pdf", &bytes);
    assert_eq!(page_texts(&doc), ["At the bottom of the tree"]);
}

/// Two-page documents with an object nested [`DEEP`] levels in one place or another; the text
/// of both pages is read from each.
fn deeply_nested_documents() -> Vec<(&'static str, Vec<u8>)> {
    let two_pages = |page_one_resources: &str, content_extra: &str, extra: Vec<(u32, String)>| {
        let mut objects = vec![
            catalog(),
            pages(2, &[3, 4]),
            page(3, 5, page_one_resources),
            page(4, 6, &resources("")),
            content(5, "The first page text", content_extra),
            content(6, "The second page text", ""),
            font(),
        ];
        objects.extend(extra);
        objects
    };
    vec![
        (
            "arrays in an object no page uses",
            pdf(&two_pages(&resources(""), "", vec![(7, nested_arrays())])),
        ),
        (
            "dictionaries in an object no page uses",
            pdf(&two_pages(
                &resources(""),
                "",
                vec![(7, nested_dictionaries())],
            )),
        ),
        (
            "arrays in a page's resources",
            pdf(&two_pages(
                &resources(&format!("/Properties << /P0 {} >>", nested_arrays())),
                "",
                vec![],
            )),
        ),
        (
            "dictionaries in a page's resources",
            pdf(&two_pages(
                &resources(&format!("/ExtGState << /G0 {} >>", nested_dictionaries())),
                "",
                vec![],
            )),
        ),
        (
            "arrays in the content stream's dictionary",
            pdf(&two_pages(
                &resources(""),
                &format!("/Junk {}", nested_arrays()),
                vec![],
            )),
        ),
        (
            "dictionaries in the catalog",
            pdf(&{
                let mut objects = two_pages(&resources(""), "", vec![]);
                objects[0].1 = format!(
                    "<< /Type /Catalog /Pages 2 0 R /Junk {} >>",
                    nested_dictionaries()
                );
                objects
            }),
        ),
        (
            "dictionaries in the trailer",
            pdf_with_trailer(
                &two_pages(&resources(""), "", vec![]),
                &format!("/Junk {}", nested_dictionaries()),
            ),
        ),
        (
            "dictionaries in a page kept in an object stream",
            pdf_with_object_stream(
                &two_pages(&resources(""), "", vec![])
                    .into_iter()
                    .filter(|(number, _)| *number != 3)
                    .collect::<Vec<_>>(),
                8,
                &[page(
                    3,
                    5,
                    &resources(&format!("/ExtGState << /G0 {} >>", nested_dictionaries())),
                )],
            ),
        ),
    ]
}

#[test]
fn objects_nested_past_the_parser_s_limit_leave_the_pages_text_whole() {
    let mut wrong = Vec::new();
    for (name, bytes) in deeply_nested_documents() {
        let doc = match extract_bytes(Path::new(name), &bytes, &Options::default()) {
            Ok(doc) => doc,
            Err(e) => {
                wrong.push(e.to_string());
                continue;
            }
        };
        let texts = page_texts(&doc);
        if texts != ["The first page text", "The second page text"] {
            wrong.push(format!("{name}: {texts:?}"));
        }
        assert_reads_what_poppler_reads(name, &bytes, &texts);
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn what_lopdf_logs_about_a_damaged_file_becomes_the_document_s_warning() {
    // The cross-reference table sends object 6 into the header: lopdf logs that it cannot
    // load it, and reads the rest.
    let mut bytes = pdf(&[
        catalog(),
        pages(2, &[3]),
        page(3, 4, &resources("")),
        content(4, "The page is still read.", ""),
        font(),
    ]);
    let table = String::from_utf8_lossy(&bytes).into_owned();
    // Object 5 is unused: point its entry at the header.
    let free = "0000000000 65535 f \n";
    let at = table
        .match_indices(free)
        .nth(1)
        .map(|(i, _)| i)
        .expect("a free entry for object 5");
    bytes.splice(
        at..at + free.len(),
        b"0000000003 00000 n \n".iter().copied(),
    );
    // As the cfi binary does (tracing-subscriber): `log` records forwarded to `tracing`.
    let _ = tracing_log::LogTracer::init();
    let doc = extract("damaged-xref.pdf", &bytes);
    assert_eq!(
        page_texts(&doc),
        vec!["The page is still read.".to_string()]
    );
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.starts_with("damaged PDF") && w.contains("offset 3")),
        "{:?}",
        doc.warnings
    );
}
