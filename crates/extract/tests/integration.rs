//! Extraction from whole files: documents built here, error kinds, and the wild corpus.

mod common;

use std::io::Write;
use std::path::Path;

use cfi_extract::{BlockKind, Error, Format, Options, extract_bytes, extract_path};
use lopdf::{Dictionary, Object, Stream, dictionary};

// ---------------------------------------------------------------------------------------------
// A PDF built here whose text is only readable through its ToUnicode map.

/// A Type0 font with Identity-H codes: code 0x0001 + i is the i-th character of `ALPHABET`.
const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéöß.,: 0123456789-";

fn codes(text: &str) -> Vec<u8> {
    text.chars()
        .flat_map(|c| {
            let index = ALPHABET
                .chars()
                .position(|a| a == c)
                .expect("character in the test alphabet")
                + 1;
            (index as u16).to_be_bytes()
        })
        .collect()
}

fn to_unicode_cmap() -> Vec<u8> {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    cmap.push_str(&format!("{} beginbfchar\n", ALPHABET.chars().count()));
    for (i, c) in ALPHABET.chars().enumerate() {
        let mut units = [0u16; 2];
        let encoded = c.encode_utf16(&mut units);
        let hex: String = encoded.iter().map(|u| format!("{u:04X}")).collect();
        cmap.push_str(&format!("<{:04X}> <{hex}>\n", i + 1));
    }
    cmap.push_str("endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n");
    cmap.into_bytes()
}

/// Text operations: each (size, x, y, text) shown at its place in font F1.
fn page_content(lines: &[(f64, f64, f64, &str)]) -> Vec<u8> {
    let mut content = Vec::new();
    for (size, x, y, text) in lines {
        content.extend(format!("BT /F1 {size} Tf 1 0 0 1 {x} {y} Tm <").into_bytes());
        for b in codes(text) {
            content.extend(format!("{b:02X}").into_bytes());
        }
        content.extend(b"> Tj ET\n");
    }
    content
}

fn build_pdf(pages: &[Vec<u8>], encrypt_with: Option<&str>) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let cmap_id = doc.add_object(Stream::new(Dictionary::new(), to_unicode_cmap()));
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "TestSans",
        "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
        "DW" => 500,
    });
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "TestSans",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(descendant)],
        "ToUnicode" => Object::Reference(cmap_id),
    });
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => Object::Reference(font_id) },
    });
    let mut kids = Vec::new();
    for content in pages {
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content.clone()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => Object::Reference(pages_id),
            "Contents" => Object::Reference(content_id),
            "Resources" => Object::Reference(resources),
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => Object::Reference(pages_id),
        "PageLabels" => dictionary! { "Nums" => vec![
            0.into(), Object::Dictionary(dictionary! { "S" => "r" }),
            1.into(), Object::Dictionary(dictionary! { "S" => "D", "P" => Object::string_literal("A-") }),
        ] },
    });
    doc.trailer.set("Root", Object::Reference(catalog));
    doc.trailer.set(
        "ID",
        vec![
            Object::String(
                b"0123456789abcdef".to_vec(),
                lopdf::StringFormat::Hexadecimal,
            ),
            Object::String(
                b"0123456789abcdef".to_vec(),
                lopdf::StringFormat::Hexadecimal,
            ),
        ],
    );
    if let Some(password) = encrypt_with {
        let version = lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner",
            user_password: password,
            key_length: 128,
            permissions: lopdf::Permissions::default(),
        };
        let state = lopdf::EncryptionState::try_from(version).expect("encryption state");
        doc.encrypt(&state).expect("encrypt");
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save pdf");
    bytes
}

fn sample_pdf(encrypt_with: Option<&str>) -> Vec<u8> {
    let page1 = page_content(&[
        (18.0, 72.0, 720.0, "Submission on water rights"),
        (
            10.0,
            72.0,
            690.0,
            "Our organisation works with farmers in three dis-",
        ),
        (
            10.0,
            72.0,
            678.0,
            "tricts. Access to water is the first concern.",
        ),
        (10.0, 72.0, 650.0, "A second paragraph starts after a gap."),
        (7.0, 72.0, 100.0, "1 Footnote text at the foot of the page."),
        (10.0, 300.0, 40.0, "1"),
    ]);
    let page2 = page_content(&[
        (10.0, 72.0, 720.0, "Page two has body text only."),
        (10.0, 300.0, 40.0, "2"),
    ]);
    build_pdf(&[page1, page2], encrypt_with)
}

#[test]
fn pdf_with_to_unicode_font_reads_as_paragraphs() {
    let doc = extract_bytes(
        Path::new("built.pdf"),
        &sample_pdf(None),
        &Options::default(),
    )
    .expect("extract");
    assert_eq!(doc.format, Format::Pdf);
    assert_eq!(doc.pages, Some(2));
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Submission on water rights",
            "Our organisation works with farmers in three districts. Access to water is the first concern.",
            "A second paragraph starts after a gap.",
            "1 Footnote text at the foot of the page.",
            "Page two has body text only.",
        ],
        "{:#?}",
        doc.blocks
    );
    let first = &doc.blocks[0];
    assert_eq!(first.kind, BlockKind::Heading { level: 1 });
    assert_eq!(first.page, Some(1));
    assert_eq!(first.page_label.as_deref(), Some("i"));
    assert_eq!(doc.blocks[3].kind, BlockKind::Footnote);
    assert_eq!(doc.blocks[4].page_label.as_deref(), Some("A-1"));
    assert_eq!(
        doc.blocks.iter().map(|b| b.paragraph).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
}

#[test]
fn encrypted_pdf_needs_its_password() {
    let bytes = sample_pdf(Some("secret"));
    let without = extract_bytes(Path::new("locked.pdf"), &bytes, &Options::default());
    assert!(
        matches!(without, Err(Error::Encrypted { .. })),
        "{without:?}"
    );
    let wrong = Options {
        password: Some("guess".into()),
    };
    assert!(matches!(
        extract_bytes(Path::new("locked.pdf"), &bytes, &wrong),
        Err(Error::Encrypted { .. })
    ));
    let right = Options {
        password: Some("secret".into()),
    };
    let doc = extract_bytes(Path::new("locked.pdf"), &bytes, &right).expect("decrypts");
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.text == "Page two has body text only.")
    );
}

#[test]
fn pdf_with_empty_user_password_opens_without_one() {
    let bytes = sample_pdf(Some(""));
    let doc = extract_bytes(Path::new("open.pdf"), &bytes, &Options::default()).expect("decrypts");
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.text == "Submission on water rights")
    );
}

// ---------------------------------------------------------------------------------------------
// A DOCX built here.

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn zip(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, content) in entries {
        writer.start_file(*name, options).expect("zip entry");
        writer.write_all(content.as_bytes()).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

fn sample_docx() -> Vec<u8> {
    let para = |style: &str, body: &str| {
        format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{body}</w:p>"#)
    };
    let run = |text: &str| format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#);
    let item = |text: &str, ilvl: u8| {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="5"/></w:numPr></w:pPr>{}</w:p>"#,
            run(text)
        )
    };
    let body = [
        para("Titre1", &run("Question 1: access to justice")),
        format!(
            "<w:p>{}<w:del w:id=\"9\"><w:r><w:delText>removed words </w:delText></w:r></w:del>{}\
             <w:r><w:footnoteReference w:id=\"2\"/></w:r></w:p>",
            run("We answer "),
            run("in three points.")
        ),
        item("First point", 0),
        item("Second point", 0),
        item("A detail", 1),
        item("Third point", 0),
        format!(
            "<w:tbl><w:tr><w:tc><w:p>{}</w:p></w:tc><w:tc><w:p>{}</w:p></w:tc></w:tr>\
             <w:tr><w:tc><w:p>{}</w:p></w:tc><w:tc><w:p>{}</w:p></w:tc></w:tr></w:tbl>",
            run("Year"),
            run("Cases"),
            run("2023"),
            run("1204")
        ),
        format!(
            "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>\
             <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>{}<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
             <w:ins w:id=\"3\">{}</w:ins></w:p>",
            run("7"),
            run(" inserted text")
        ),
    ]
    .join("");
    let document = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{W}\"><w:body>{body}</w:body></w:document>"
    );
    let styles = format!(
        r#"<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/></w:style></w:styles>"#
    );
    let numbering = format!(
        r#"<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="1">
             <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
             <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
           </w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
    );
    let footnotes = format!(
        r#"<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
           <w:footnote w:id="2"><w:p><w:r><w:t>See the 2023 report.</w:t></w:r></w:p></w:footnote></w:footnotes>"#
    );
    zip(&[
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", &document),
        ("word/styles.xml", &styles),
        ("word/numbering.xml", &numbering),
        ("word/footnotes.xml", &footnotes),
    ])
}

#[test]
fn docx_headings_lists_tables_notes_and_changes() {
    let doc = extract_bytes(
        Path::new("answer.docx"),
        &sample_docx(),
        &Options::default(),
    )
    .expect("extract");
    assert_eq!(doc.format, Format::Docx);
    let summary: Vec<(String, BlockKind)> = doc
        .blocks
        .iter()
        .map(|b| (b.text.clone(), b.kind.clone()))
        .collect();
    let item = |level: u8, label: &str| BlockKind::ListItem {
        level,
        label: Some(label.into()),
    };
    assert_eq!(
        summary,
        vec![
            (
                "Question 1: access to justice".into(),
                BlockKind::Heading { level: 1 }
            ),
            ("We answer in three points.".into(), BlockKind::Paragraph),
            ("See the 2023 report.".into(), BlockKind::Footnote),
            ("1. First point".into(), item(0, "1.")),
            ("2. Second point".into(), item(0, "2.")),
            ("a) A detail".into(), item(1, "a)")),
            ("3. Third point".into(), item(0, "3.")),
            ("Year | Cases".into(), BlockKind::TableRow),
            ("2023 | 1204".into(), BlockKind::TableRow),
            ("7 inserted text".into(), BlockKind::Paragraph),
        ]
    );
    assert!(doc.blocks.iter().all(|b| b.page.is_none()));
}

// ---------------------------------------------------------------------------------------------
// Spreadsheet annex as CSV.

#[test]
fn csv_annex_rows_carry_headers() {
    let csv = "\u{feff}Country,Reports received,Comment\nChile,12,\"late, partial\"\nKenya,7,\n";
    let doc = extract_bytes(Path::new("annex.csv"), csv.as_bytes(), &Options::default())
        .expect("extract");
    assert_eq!(doc.format, Format::Spreadsheet);
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Country | Reports received | Comment",
            "Country: Chile; Reports received: 12; Comment: late, partial",
            "Country: Kenya; Reports received: 7",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Errors.

#[test]
fn corrupt_pdf_is_reported() {
    let result = extract_bytes(
        Path::new("broken.pdf"),
        b"%PDF-1.7\nthis is not a pdf",
        &Options::default(),
    );
    assert!(
        matches!(
            result,
            Err(Error::Corrupt {
                format: Format::Pdf,
                ..
            })
        ),
        "{result:?}"
    );
}

#[test]
fn corrupt_docx_is_reported() {
    let mut bytes = sample_docx();
    bytes.truncate(bytes.len() / 2);
    let result = extract_bytes(Path::new("broken.docx"), &bytes, &Options::default());
    assert!(
        matches!(
            result,
            Err(Error::Corrupt {
                format: Format::Docx,
                ..
            })
        ),
        "{result:?}"
    );
}

#[test]
fn unsupported_formats_name_what_they_are() {
    let result = extract_bytes(
        Path::new("photo.pdf"),
        b"\xff\xd8\xff\xe0 JFIF",
        &Options::default(),
    );
    match result {
        Err(Error::Unsupported { detected, .. }) => assert_eq!(detected, "JPEG image"),
        other => panic!("expected unsupported, got {other:?}"),
    }
    let pptx = zip(&[("ppt/presentation.xml", "<p/>")]);
    match extract_bytes(Path::new("slides.pptx"), &pptx, &Options::default()) {
        Err(Error::Unsupported { detected, .. }) => assert!(detected.contains("PowerPoint")),
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn zip_bomb_hits_the_ratio_limit() {
    let spaces = " ".repeat(3_000_000);
    let document = format!(
        "<w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>{spaces}</w:t></w:r></w:p></w:body></w:document>"
    );
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer
        .start_file("word/document.xml", options)
        .expect("entry");
    writer.write_all(document.as_bytes()).expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    match extract_bytes(Path::new("bomb.docx"), &bytes, &Options::default()) {
        Err(Error::Limit { limit, .. }) => assert!(limit.contains("ratio"), "{limit}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn deep_xml_hits_the_depth_limit() {
    let open = "<w:sdt><w:sdtContent>".repeat(200);
    let close = "</w:sdtContent></w:sdt>".repeat(200);
    let document =
        format!("<w:document xmlns:w=\"{W}\"><w:body>{open}{close}</w:body></w:document>");
    let bytes = zip(&[("word/document.xml", &document)]);
    match extract_bytes(Path::new("deep.docx"), &bytes, &Options::default()) {
        Err(Error::Limit { limit, .. }) => assert!(limit.contains("XML"), "{limit}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let result = extract_path(
        Path::new("/nonexistent/submission.pdf"),
        &Options::default(),
    );
    assert!(matches!(result, Err(Error::Io { .. })));
}

// ---------------------------------------------------------------------------------------------
// The wild corpus: real files from other projects' test suites.

/// Files whose expected text we do not find, and why.
const KNOWN_FAILURES: &[(&str, &str)] = &[
    ("tika-testOCR.pdf", "image-only page: the text needs OCR"),
    (
        "pandoc-comments.docx",
        "expects the text of Word comments, which are left out on purpose",
    ),
    (
        "pdfminer-rc4-40.pdf",
        "encryption dictionary written inline in the trailer: lopdf cannot authenticate it",
    ),
    (
        "pdfminer-jo.pdf",
        "CID font without ToUnicode or embedded program: needs the Adobe-Japan1 CID table",
    ),
    (
        "pdfjs-vertical.pdf",
        "vertical CJK text (Identity-V) from a TrueType font whose cmap we do not map",
    ),
];

/// Files that must pass; raise it when more do.
const MIN_PASSING: usize = 46;

#[test]
fn wild_corpus_expected_text_is_found() {
    let Some(dir) = common::wild_dir() else {
        eprintln!("SKIP: shared/wild is not beside the repository");
        return;
    };
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut report = String::new();
    for entry in common::manifest(&dir) {
        let name = entry
            .file
            .rsplit('/')
            .next()
            .unwrap_or(&entry.file)
            .to_string();
        let path = dir.join(&entry.file);
        if entry.expected_file.is_empty() {
            // No key sentences: the file must be refused cleanly or read, never crash.
            let outcome = match extract_path(&path, &Options::default()) {
                Ok(doc) => format!("read, {} blocks", doc.blocks.len()),
                Err(e) => format!("error: {e}"),
            };
            report.push_str(&format!("{name:48} no expected text ({outcome})\n"));
            continue;
        }
        let expected = std::fs::read_to_string(dir.join(&entry.expected_file)).unwrap_or_default();
        let mut result = extract_path(&path, &Options::default());
        for password in common::passwords(&entry.special) {
            if !matches!(result, Err(Error::Encrypted { .. })) {
                break;
            }
            result = extract_path(
                &path,
                &Options {
                    password: Some(password),
                },
            );
        }
        let (status, missing) = match result {
            Ok(doc) => {
                let text = common::normalise(&doc.to_plain_text());
                let missing: Vec<String> = expected
                    .lines()
                    .map(common::normalise)
                    .filter(|line| !line.is_empty() && !text.contains(line.as_str()))
                    .collect();
                (if missing.is_empty() { "ok" } else { "MISSING" }, missing)
            }
            Err(e) => ("ERROR", vec![e.to_string()]),
        };
        report.push_str(&format!("{name:48} {status:8} {}\n", missing.join(" / ")));
        if status == "ok" {
            passed.push(name);
        } else {
            failed.push(name);
        }
    }
    eprintln!("{report}");
    eprintln!("{} passed, {} failed", passed.len(), failed.len());
    let unexpected: Vec<&String> = failed
        .iter()
        .filter(|f| !KNOWN_FAILURES.iter().any(|(known, _)| known == f))
        .collect();
    assert!(
        unexpected.is_empty(),
        "new failures: {unexpected:?}\n{report}"
    );
    assert!(
        passed.len() >= MIN_PASSING,
        "only {} files pass\n{report}",
        passed.len()
    );
}
