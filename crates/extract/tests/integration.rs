//! Extraction from whole files: documents built here, error kinds, and the wild corpus.

mod broken_pdf;
mod common;

use std::io::Write;
use std::path::Path;

use std::time::Duration;

use cfi_extract::{
    BlockKind, Error, Extractor, Format, Options, Tools, extract_bytes, extract_path,
};
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

/// Enough of the package for Word and LibreOffice to open it.
const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>"#;
const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

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
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
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
// An ODT built here.

const ODF_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/""#;

fn sample_odt() -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {ODF_NS} office:version="1.3">
<office:automatic-styles>
  <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard" style:list-style-name="L1"/>
  <text:list-style style:name="L1">
    <text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"/>
    <text:list-level-style-number text:level="2" style:num-suffix=")" style:num-format="a"/>
  </text:list-style>
  <text:list-style style:name="L2">
    <text:list-level-style-bullet text:level="1" text:bullet-char="•"/>
  </text:list-style>
</office:automatic-styles>
<office:body><office:text>
  <text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>deleted words</text:p></text:deletion></text:changed-region></text:tracked-changes>
  <text:table-of-content text:name="TOC"><text:index-body><text:p>Question 1 ....... 1</text:p></text:index-body></text:table-of-content>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">Question 1: access to justice</text:h>
  <text:p text:style-name="Standard">We answer<text:s text:c="2"/>in <text:span>three</text:span> points.<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>See the 2023 report.</text:p></text:note-body></text:note><office:annotation><dc:creator>Reviewer</dc:creator><text:p>A comment to leave out</text:p></office:annotation></text:p>
  <text:list text:style-name="L1">
    <text:list-item><text:p text:style-name="P1">First point</text:p></text:list-item>
    <text:list-item><text:p text:style-name="P1">Second point</text:p>
      <text:list><text:list-item><text:p text:style-name="P1">A detail</text:p></text:list-item></text:list>
    </text:list-item>
    <text:list-item><text:p text:style-name="P1">Third point</text:p></text:list-item>
  </text:list>
  <text:list text:style-name="L2"><text:list-item><text:p>A bullet</text:p></text:list-item></text:list>
  <text:h text:outline-level="2">Question 2</text:h>
  <table:table table:name="T1">
    <table:table-column table:number-columns-repeated="2"/>
    <table:table-header-rows><table:table-row><table:table-cell><text:p>Year</text:p></table:table-cell><table:table-cell><text:p>Cases</text:p></table:table-cell></table:table-row></table:table-header-rows>
    <table:table-row><table:table-cell><text:p>2023</text:p></table:table-cell><table:table-cell><text:p>1204</text:p></table:table-cell><table:table-cell table:number-columns-repeated="5"/></table:table-row>
  </table:table>
  <text:p>Box: <draw:frame draw:name="f1"><svg:title>Picture title</svg:title><draw:text-box><text:p>Text in a box</text:p></draw:text-box></draw:frame>end.<text:note text:id="e1" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>An endnote.</text:p></text:note-body></text:note></text:p>
</office:text></office:body></office:document-content>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {ODF_NS}><office:styles>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"/>
</office:styles>
<office:master-styles><style:master-page style:name="Standard">
  <style:header><text:p>Ministry of Justice</text:p></style:header>
  <style:header-left><text:p>Ministry of Justice</text:p></style:header-left>
</style:master-page></office:master-styles></office:document-styles>"#
    );
    zip(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", &content),
        ("styles.xml", &styles),
    ])
}

#[test]
fn odt_headings_lists_tables_notes_and_boxes() {
    let doc = extract_bytes(Path::new("answer.odt"), &sample_odt(), &Options::default())
        .expect("extract");
    assert_eq!(doc.format, Format::Odt);
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
            (
                "A bullet".into(),
                BlockKind::ListItem {
                    level: 0,
                    label: None
                }
            ),
            ("Question 2".into(), BlockKind::Heading { level: 2 }),
            ("Year | Cases".into(), BlockKind::TableRow),
            ("2023 | 1204".into(), BlockKind::TableRow),
            ("Text in a box".into(), BlockKind::Paragraph),
            ("Box: end.".into(), BlockKind::Paragraph),
            ("An endnote.".into(), BlockKind::Footnote),
            ("Ministry of Justice".into(), BlockKind::Running),
        ],
        "{:#?}",
        doc.blocks
    );
}

// ---------------------------------------------------------------------------------------------
// RTF written here.

const SAMPLE_RTF: &str = r#"{\rtf1\ansi\ansicpg1252\deff0
{\fonttbl{\f0\froman Times New Roman;}{\f1\fnil\fcharset2 Symbol;}{\f2\fswiss\fcharset204 Arial;}}
{\colortbl;\red0\green0\blue0;}
{\stylesheet{\ql Normal;}{\s1\ql\outlinelevel0 heading 1;}{\s2\ql Titre 2;}{\*\cs10 Default Paragraph Font;}}
{\info{\title Not the text}{\author Someone}}
{\*\generator Microsoft Word;}
{\header \pard\plain Running header\par}
\pard\plain\s1 Question 1: access to justice\par
\pard\plain We answer in three points, from Bogot\'e1 and \u8220?Gen\u232?ve\u8221?.{\super\chftn}{\footnote\pard\plain {\super\chftn} See the 2023 report.}\par
{\listtext\pard\plain 1.\tab}\pard\plain\ls1\ilvl0 First point\par
{\listtext\pard\plain 2.\tab}\pard\plain\ls1\ilvl0 Second point\par
{\listtext\pard\plain\f1 \'b7\tab}\pard\plain\ls2\ilvl1 A detail\par
\pard\plain\s2 Question 2\par
\trowd\cellx2000\cellx4000
\pard\intbl Year\cell Cases\cell\row
\trowd\cellx2000\cellx4000
\pard\intbl 2023\cell 1204\cell\row
\pard\plain\f2 \'cf\'f0\'e8\'e2\'e5\'f2{\*\bkmkstart b1}{\field{\*\fldinst HYPERLINK "http://example.org"}{\fldrslt  link}}\par
{\pict\pngblip 89504e470d0a1a0a}
}"#;

#[test]
fn rtf_headings_lists_tables_notes_and_code_pages() {
    let doc = extract_bytes(
        Path::new("answer.rtf"),
        SAMPLE_RTF.as_bytes(),
        &Options::default(),
    )
    .expect("extract");
    assert_eq!(doc.format, Format::Rtf);
    let summary: Vec<(String, BlockKind)> = doc
        .blocks
        .iter()
        .map(|b| (b.text.clone(), b.kind.clone()))
        .collect();
    let item = |level: u8, label: Option<&str>| BlockKind::ListItem {
        level,
        label: label.map(Into::into),
    };
    assert_eq!(
        summary,
        vec![
            (
                "Question 1: access to justice".into(),
                BlockKind::Heading { level: 1 }
            ),
            (
                "We answer in three points, from Bogotá and “Genève”.".into(),
                BlockKind::Paragraph
            ),
            ("See the 2023 report.".into(), BlockKind::Footnote),
            ("1. First point".into(), item(0, Some("1."))),
            ("2. Second point".into(), item(0, Some("2."))),
            ("A detail".into(), item(1, None)),
            ("Question 2".into(), BlockKind::Heading { level: 2 }),
            ("Year | Cases".into(), BlockKind::TableRow),
            ("2023 | 1204".into(), BlockKind::TableRow),
            ("Привет link".into(), BlockKind::Paragraph),
            ("Running header".into(), BlockKind::Running),
        ],
        "{:#?}",
        doc.blocks
    );
}

#[test]
fn rtf_nesting_past_the_limit_is_refused() {
    let rtf = format!("{{\\rtf1 {}x{}}}", "{".repeat(10_000), "}".repeat(10_000));
    match extract_bytes(Path::new("deep.rtf"), rtf.as_bytes(), &Options::default()) {
        Err(Error::Limit { limit, .. }) => assert!(limit.contains("RTF groups"), "{limit}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Legacy Word (.doc) through LibreOffice.

/// The start of an OLE2 compound file whose directory has a WordDocument stream.
fn legacy_doc_header() -> Vec<u8> {
    let mut bytes = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
    bytes.resize(512, 0);
    bytes.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(512 + 64, 0);
    bytes.extend(26u16.to_le_bytes());
    bytes.resize(512 + 128, 0);
    bytes
}

#[test]
fn legacy_doc_without_libreoffice_says_what_is_needed() {
    let extractor = Extractor::new(&Options::default()).tools(Tools::default());
    match extractor.extract_bytes(Path::new("old-letter.doc"), &legacy_doc_header()) {
        Err(e @ Error::Unsupported { .. }) => {
            let message = e.to_string();
            assert!(message.starts_with("old-letter.doc: "), "{message}");
            assert!(message.contains(".doc"), "{message}");
            assert!(message.contains("LibreOffice"), "{message}");
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn legacy_doc_is_read_through_libreoffice_when_installed() {
    let tools = Tools::from_path();
    let Some(soffice) = tools.soffice.clone() else {
        common::skip_without("soffice (libreoffice-writer-nogui)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // LibreOffice writes the .doc from the RTF sample.
    let source = dir.path().join("answer.rtf");
    std::fs::write(&source, SAMPLE_RTF).expect("write rtf");
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let status = std::process::Command::new(soffice)
        .args([&profile, "--headless", "--convert-to", "doc", "--outdir"])
        .arg(dir.path())
        .arg(&source)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run soffice");
    assert!(status.success());
    let doc = Extractor::new(&Options::default())
        .tools(tools)
        .extract_path(&dir.path().join("answer.doc"))
        .expect("extract .doc");
    assert_eq!(doc.format, Format::Doc);
    let text = doc.to_plain_text();
    for expected in [
        "Question 1: access to justice",
        "We answer in three points, from Bogotá and “Genève”.",
        "Second point",
        "2023 | 1204",
        "Привет",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Scanned pages and the time budget.

/// A one-page PDF whose page is a grey image and, optionally, a line of text.
fn scanned_pdf(text: Option<&str>) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => 2,
            "Height" => 2,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
        },
        vec![200, 200, 200, 200],
    ));
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut content = b"q 612 0 0 792 0 0 cm /Im1 Do Q\n".to_vec();
    if let Some(text) = text {
        content.extend(format!("BT /F1 10 Tf 72 720 Td ({text}) Tj ET\n").into_bytes());
    }
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => Object::Reference(pages_id),
        "Contents" => Object::Reference(content_id),
        "Resources" => dictionary! {
            "XObject" => dictionary! { "Im1" => Object::Reference(image) },
            "Font" => dictionary! { "F1" => Object::Reference(font) },
        },
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(page)], "Count" => 1 },
        ),
    );
    let catalog =
        doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => Object::Reference(pages_id) });
    doc.trailer.set("Root", Object::Reference(catalog));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save pdf");
    bytes
}

#[test]
fn scanned_page_without_ocr_is_reported_as_needing_it() {
    let extractor = Extractor::new(&Options::default()).tools(Tools::default());
    let doc = extractor
        .extract_bytes(Path::new("scan.pdf"), &scanned_pdf(None))
        .expect("extract");
    assert_eq!(doc.needs_ocr, [1]);
    assert!(doc.blocks.is_empty());
    let json = serde_json::to_value(&doc).expect("json");
    assert_eq!(json["needsOcr"], serde_json::json!([1]));

    // A page with its own text over a background picture is not a scan.
    let letterhead = scanned_pdf(Some("Submission of the Ombudsman on water rights"));
    let doc = extractor
        .extract_bytes(Path::new("letterhead.pdf"), &letterhead)
        .expect("extract");
    assert!(doc.needs_ocr.is_empty());
    assert_eq!(doc.blocks.len(), 1);
    assert!(!doc.blocks[0].ocr);
    let json = serde_json::to_value(&doc).expect("json");
    assert!(json.get("needsOcr").is_none());
    assert!(json["blocks"][0].get("ocr").is_none());
}

#[test]
fn scanned_page_is_read_by_ocr_when_tesseract_is_installed() {
    let tools = Tools::from_path();
    if tools.tesseract.is_none() || tools.pdftoppm.is_none() {
        common::skip_without("tesseract and pdftoppm (tesseract-ocr, poppler-utils)");
        return;
    }
    let Some(dir) = common::wild_dir() else {
        eprintln!("SKIPPED: shared/wild is not beside the repository");
        return;
    };
    let doc = Extractor::new(&Options::default())
        .tools(tools)
        .extract_path(&dir.join("pdf/tika-testOCR.pdf"))
        .expect("extract");
    assert!(doc.needs_ocr.is_empty(), "{:?}", doc.needs_ocr);
    let text = common::normalise(&doc.to_plain_text());
    assert!(text.contains("Happy New Year 2003!"), "{text}");
    assert!(doc.blocks.iter().all(|b| b.ocr && b.page == Some(1)));
    let json = serde_json::to_value(&doc).expect("json");
    assert_eq!(json["blocks"][0]["ocr"], serde_json::json!(true));
}

#[test]
fn ocr_budget_spent_leaves_the_page_needing_ocr() {
    let tools = Tools {
        tesseract: Some("/nonexistent/tesseract".into()),
        pdftoppm: Some("/nonexistent/pdftoppm".into()),
        soffice: None,
    };
    let doc = Extractor::new(&Options::default())
        .tools(tools)
        .ocr_budget(Duration::ZERO)
        .extract_bytes(Path::new("scan.pdf"), &scanned_pdf(None))
        .expect("extract");
    assert_eq!(doc.needs_ocr, [1]);
}

#[test]
fn reading_past_the_time_budget_is_a_limit_error() {
    let tiny = Extractor::new(&Options::default()).time_budget(Duration::ZERO);
    for (name, bytes) in [
        ("slow.pdf", sample_pdf(None)),
        ("slow.docx", sample_docx()),
        ("slow.odt", sample_odt()),
        ("slow.rtf", SAMPLE_RTF.as_bytes().to_vec()),
    ] {
        match tiny.extract_bytes(Path::new(name), &bytes) {
            Err(e @ Error::Limit { .. }) => {
                let message = e.to_string();
                assert!(message.starts_with(name), "{message}");
                assert!(message.contains("time budget of 0 s"), "{message}");
            }
            other => panic!("{name}: expected a limit error, got {other:?}"),
        }
    }
    // The same files within the default budget.
    let normal = Extractor::new(&Options::default());
    assert!(
        normal
            .extract_bytes(Path::new("ok.pdf"), &sample_pdf(None))
            .is_ok()
    );
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
    (
        "tika-testOCR.pdf",
        "image-only page: read by OCR only where tesseract and pdftoppm are installed",
    ),
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
        eprintln!("SKIPPED: shared/wild is not beside the repository");
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
    let tools = Tools::from_path();
    let ocr = usize::from(tools.tesseract.is_some() && tools.pdftoppm.is_some());
    assert!(
        passed.len() >= MIN_PASSING + ocr,
        "only {} files pass\n{report}",
        passed.len()
    );
}

/// Word keeps one count per abstract list definition: a second list instance of the same
/// definition continues it ("Question 3." after "Question 2."), and one with a start override
/// restarts it.
#[test]
fn docx_list_instances_share_their_definition_s_numbering_unless_restarted() {
    let item = |text: &str, num: u8| {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let body = [
        item("Question one", 1),
        item("Question two", 1),
        "<w:p><w:r><w:t>An answer in between.</w:t></w:r></w:p>".to_string(),
        item("Question three", 2),
        item("A new list", 3),
        item("Its second item", 3),
    ]
    .join("");
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"{W}\"><w:body>{body}</w:body></w:document>"
    );
    let numbering = format!(
        r#"<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0">
             <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
           </w:abstractNum>
           <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
           <w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
           <w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
           </w:numbering>"#
    );
    let bytes = zip(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/document.xml", &document),
        ("word/numbering.xml", &numbering),
    ]);
    let doc = extract_bytes(Path::new("lists.docx"), &bytes, &Options::default()).expect("extract");
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "1. Question one",
            "2. Question two",
            "An answer in between.",
            "3. Question three",
            "1. A new list",
            "2. Its second item",
        ]
    );
}

#[test]
fn pdf_running_header_and_footer_are_kept_once_and_marked() {
    // A three-page LibreOffice PDF of the second demo call with a running header and a
    // "Page N of 3" footer on every page.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../fixtures/calls/sr-sale-children-digital-2024/files/private-sector-kestrelwave.pdf",
    );
    let doc = extract_path(&path, &Options::default()).expect("extract");
    assert_eq!(doc.pages, Some(3));
    let running: Vec<(Option<u32>, &str)> = doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Running)
        .map(|b| (b.page, b.text.as_str()))
        .collect();
    assert_eq!(
        running,
        vec![
            (
                Some(1),
                "Kestrelwave Technologies Inc. — Submission to the Special Rapporteur"
            ),
            (Some(1), "Page 1 of 3"),
        ],
        "{:#?}",
        doc.blocks
    );
    // The header opens page 1, the footer closes it, and the repeats are gone.
    let first = doc.blocks.first().expect("blocks");
    assert_eq!(first.kind, BlockKind::Running);
    let last_of_page_1 = doc.blocks.iter().rposition(|b| b.page == Some(1));
    let footer = doc.blocks.iter().position(|b| b.text == "Page 1 of 3");
    assert_eq!(last_of_page_1, footer);
    for block in doc.blocks.iter().filter(|b| b.kind != BlockKind::Running) {
        assert!(
            !block.text.contains("Page 2 of 3")
                && !block.text.contains("Kestrelwave Technologies Inc. —"),
            "{block:#?}"
        );
    }
}

/// Every input fuzzing found to crash, hang or exhaust memory is kept in `tests/regressions/`
/// as the file a submitter would send; each must now give a result or a clear error, quickly.
#[test]
fn fuzz_regressions_end_with_a_result_or_an_error() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("regressions folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        folder.display()
    );
    for file in files {
        let (send, receive) = std::sync::mpsc::channel();
        let path = file.clone();
        std::thread::spawn(move || {
            let outcome = extract_path(&path, &Options::default()).map(|d| d.blocks.len());
            let _ = send.send(outcome);
        });
        match receive.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
                assert!(e.to_string().contains(name), "{name}: {e}");
            }
            Err(_) => panic!("{}: no answer within 60 s", file.display()),
        }
    }
}

/// A forged cell reference ("OOOO…C16") wraps calamine's column arithmetic in a release build
/// into a column so far right that the dense sheet it allocates exhausts memory and aborts the
/// process (found by fuzzing): such files are refused before calamine reads them.
#[test]
fn forged_cell_references_are_refused_before_calamine_reads_them() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    for name in [
        "xlsx-huge-sheet-area.xlsx",
        "xlsx-cell-reference-overflow.xlsx",
    ] {
        match extract_path(&folder.join(name), &Options::default()) {
            Err(Error::Corrupt { detail, .. }) => {
                assert!(detail.contains("outside any worksheet"), "{name}: {detail}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn pdf_table_rows_are_read_across_each_a_block_of_its_own() {
    // A statistical annex of the second demo call: two tables whose cells leave gutters a
    // column finder would split (pdftotext reads them column by column: "2021 2022 2023
    // 410 465 540 …").
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../fixtures/calls/sr-sale-children-digital-2024/files/annex-states-chile-statistics.pdf",
    );
    let doc = extract_path(&path, &Options::default()).expect("extract");
    let rows: Vec<&str> = doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::TableRow)
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(
        rows,
        vec![
            // A wrapped header cell is read whole, in its column.
            "Año Grooming Sextorsión Producción o difusión de material Total",
            "2021 410 95 620 1 125",
            "2022 465 160 655 1 280",
            "2023 540 290 700 1 530",
            "Canal Solicitudes Mediana de días hasta la respuesta",
            "Solicitud directa al proveedor 820 12",
            "Asistencia judicial mutua 74 210",
            "Red regional de fiscales 31 45",
        ],
        "{:#?}",
        doc.blocks
    );
    // The prose around the tables is untouched.
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.kind == BlockKind::Paragraph
                && b.text.starts_with("Fuente: cifras sintéticas"))
    );
}

#[test]
fn pdf_table_rows_too_tight_for_a_cell_gap_follow_their_header_s_columns() {
    // The second demo call's Spain: label and figure one space apart ("proveedores 1 200"),
    // labels wrapped onto a second line, the table broken across a page with its header
    // repeated, prose right under it.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/calls/sr-sale-children-digital-2024/files/states-spain.pdf");
    let doc = extract_path(&path, &Options::default()).expect("extract");
    let rows: Vec<(Option<u32>, &str)> = doc
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::TableRow)
        .map(|b| (b.page, b.text.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                Some(1),
                "Canal de solicitud Solicitudes Tiempo medio de respuesta"
            ),
            (
                Some(1),
                "Solicitud directa a proveedores de la Unión Europea 1 200 9 días"
            ),
            (
                Some(1),
                "Solicitud directa a proveedores de fuera de la Unión 650 21 días"
            ),
            (
                Some(2),
                "Canal de solicitud Solicitudes Tiempo medio de respuesta"
            ),
            (
                Some(2),
                "Comisión rogatoria o asistencia judicial mutua 85 7 meses"
            ),
        ],
        "{:#?}",
        doc.blocks
    );
    assert!(doc.blocks.iter().any(
        |b| b.kind == BlockKind::Paragraph && b.text.starts_with("La cooperación con Portugal")
    ));
}

#[test]
fn pdf_two_column_prose_is_not_taken_for_a_table() {
    let Some(dir) = common::wild_dir() else {
        eprintln!("skipped: ../shared/wild is absent");
        return;
    };
    let path = dir.join("pdf/pypdf-multicolumn.pdf");
    let doc = extract_path(&path, &Options::default()).expect("extract");
    // Its one real table (page 3) is read by rows; none of its two-column prose is.
    for block in doc.blocks.iter().filter(|b| b.kind == BlockKind::TableRow) {
        assert_eq!(block.page, Some(3), "{block:?}");
    }
    assert!(
        doc.blocks
            .iter()
            .any(|b| b.kind == BlockKind::TableRow && b.text == "Austria 8.9 83,879 Vienna German")
    );
}
