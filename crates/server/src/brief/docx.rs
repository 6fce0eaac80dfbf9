//! The brief as a Word document: OOXML written by hand into a zip. Headings use Word's
//! own heading styles (with outline levels, so the navigation pane lists them), the counts
//! are a table, and each passage's citation is a footnote, as a report's would be.

use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{Brief, BriefPassage, who};

/// The brief as a DOCX file; `base` prefixes the passages' permalinks (left empty, they
/// stay relative to the staff page).
pub fn docx(brief: &Brief, base: &str) -> std::io::Result<Vec<u8>> {
    let title = question_title(brief);
    let mut doc = Document::default();
    doc.paragraph("Title", &[Run::Text(&title)]);
    let call = match brief.mandate.trim() {
        "" => brief.title.clone(),
        mandate => format!("{} — {mandate}", brief.title),
    };
    doc.paragraph("", &[Run::Text(&call)]);
    for line in lines(&brief.text) {
        doc.paragraph("Quote", &[Run::Text(line)]);
    }

    doc.paragraph("Heading1", &[Run::Text("Overview")]);
    if let Some(category) = &brief.category {
        doc.paragraph("", &[Run::Italic(&format!("Only {category}"))]);
    }
    let rows: Vec<[String; 4]> = brief
        .counts
        .iter()
        .map(|c| {
            [
                c.category.clone(),
                c.submissions.to_string(),
                c.of_submissions.to_string(),
                c.passages.to_string(),
            ]
        })
        .collect();
    doc.table(
        ["Category", "Submissions on this question", "of", "Passages"],
        &rows,
    );

    if !brief.key_quotes.is_empty() {
        doc.paragraph("Heading1", &[Run::Text("Key quotes")]);
        for quote in &brief.key_quotes {
            // A staff brief may quote a confidential submission: the quote says so, as
            // every other passage of it in the brief does.
            let citation = if quote.confidential {
                format!("{} (confidential)", quote.citation)
            } else {
                quote.citation.clone()
            };
            doc.passage("Quote", &quote.text, &[&citation]);
        }
    }

    for section in &brief.sections {
        doc.paragraph("Heading1", &[Run::Text(&section.category)]);
        for submission in &section.submissions {
            let heading = who(
                &submission.submitter,
                submission.country.as_deref(),
                submission.confidential,
            );
            doc.paragraph("Heading2", &[Run::Text(&heading)]);
            for passage in &submission.passages {
                doc.quoted(passage, base);
            }
            if submission.more > 0 {
                let more = match submission.more {
                    1 => "1 more passage on this question".to_string(),
                    n => format!("{n} more passages on this question"),
                };
                doc.paragraph("", &[Run::Italic(&more)]);
            }
        }
    }

    if !brief.possible.is_empty() {
        doc.paragraph("Heading1", &[Run::Text("May also address this question")]);
        doc.paragraph(
            "",
            &[Run::Italic(
                "Not tagged with it; their passage closest to the answers above. Check, and tag where it answers.",
            )],
        );
        for passage in &brief.possible {
            let heading = who(&passage.submitter, None, passage.confidential);
            doc.paragraph("Heading2", &[Run::Text(&heading)]);
            doc.quoted(passage, base);
        }
    }

    doc.paragraph("Heading1", &[Run::Text("No input on this question from:")]);
    if brief.no_input.is_empty() {
        doc.paragraph("", &[Run::Italic("None: every submission addresses it.")]);
    }
    for silent in &brief.no_input {
        let about: Vec<&str> = [Some(silent.category.as_str()), silent.country.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect();
        let entry = match about.as_slice() {
            [] => silent.submitter.clone(),
            about => format!("{} ({})", silent.submitter, about.join(", ")),
        };
        doc.paragraph("ListBullet", &[Run::Text(&entry)]);
    }

    let core = core_properties(&title, &brief.title);
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("docProps/core.xml", &core),
        ("word/document.xml", &doc.document_xml()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
        ("word/settings.xml", SETTINGS),
        ("word/numbering.xml", NUMBERING),
        ("word/footnotes.xml", &doc.footnotes_xml()),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, xml) in parts {
        zip.start_file(name, options)?;
        zip.write_all(xml.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// "Question 7: Online safety", as the brief's title and the file's.
fn question_title(brief: &Brief) -> String {
    match brief.short.trim() {
        "" => format!("Question {}", brief.question),
        short => format!("Question {}: {short}", brief.question),
    }
}

/// A piece of a paragraph.
enum Run<'a> {
    Text(&'a str),
    Italic(&'a str),
    /// The mark of the footnote with this id.
    Note(u32),
}

/// The body and the footnotes, written as the brief is walked.
#[derive(Default)]
struct Document {
    body: String,
    footnotes: String,
    /// Footnotes written so far; ids 0 and 1 are the separators, so the first is 2.
    notes: u32,
}

impl Document {
    /// A paragraph in a style (empty: Normal).
    fn paragraph(&mut self, style: &str, runs: &[Run]) {
        paragraph(&mut self.body, style, None, runs);
    }

    /// A passage quoted in full, a footnote with its citation and permalink, and who else
    /// sent the same words.
    fn quoted(&mut self, passage: &BriefPassage, base: &str) {
        let link = permalink(base, &passage.permalink);
        self.passage("", &passage.text, &[&passage.citation, &link]);
        if !passage.also_from.is_empty() {
            let also = format!("Also sent by: {}", passage.also_from.join(", "));
            self.paragraph("", &[Run::Italic(&also)]);
        }
    }

    /// A text of one or more lines, a paragraph each, the last one marked with a new
    /// footnote holding `note`, one paragraph per line.
    fn passage(&mut self, style: &str, text: &str, note: &[&str]) {
        let id = self.footnote(note);
        let lines = lines(text);
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            if i == last {
                self.paragraph(style, &[Run::Text(line), Run::Note(id)]);
            } else {
                self.paragraph(style, &[Run::Text(line)]);
            }
        }
        if lines.is_empty() {
            self.paragraph(style, &[Run::Note(id)]);
        }
    }

    /// A new footnote, one paragraph per line that holds something; returns its id.
    fn footnote(&mut self, lines: &[&str]) -> u32 {
        let id = self.notes + 2;
        self.notes += 1;
        self.footnotes
            .push_str(&format!("<w:footnote w:id=\"{id}\">"));
        let mut lines: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.trim().is_empty())
            .collect();
        if lines.is_empty() {
            // The mark alone: a footnote needs a paragraph to hold it.
            lines.push("");
        }
        for (i, line) in lines.iter().enumerate() {
            let mark = (i == 0).then_some(
                "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr><w:footnoteRef/></w:r>\
                 <w:r><w:t xml:space=\"preserve\"> </w:t></w:r>",
            );
            paragraph(
                &mut self.footnotes,
                "FootnoteText",
                mark,
                &[Run::Text(line)],
            );
        }
        self.footnotes.push_str("</w:footnote>");
        id
    }

    /// The counts table: a header row repeated on each page, numbers aligned right.
    fn table(&mut self, header: [&str; 4], rows: &[[String; 4]]) {
        // An A4 page's text width (11906 - 2 * 1440 twips), shared by the columns.
        const WIDTHS: [u32; 4] = [3626, 2600, 1200, 1600];
        let out = &mut self.body;
        out.push_str(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/>\
             <w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"1\" \
             w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
        );
        for width in WIDTHS {
            out.push_str(&format!("<w:gridCol w:w=\"{width}\"/>"));
        }
        out.push_str("</w:tblGrid>");
        let header = header.map(str::to_string);
        for (r, row) in std::iter::once(&header).chain(rows).enumerate() {
            out.push_str("<w:tr>");
            if r == 0 {
                out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
            }
            for (c, (cell, width)) in row.iter().zip(WIDTHS).enumerate() {
                out.push_str(&format!(
                    "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr><w:p>"
                ));
                if c > 0 {
                    out.push_str("<w:pPr><w:jc w:val=\"right\"/></w:pPr>");
                }
                run(out, if r == 0 { "<w:b/>" } else { "" }, cell);
                out.push_str("</w:p></w:tc>");
            }
            out.push_str("</w:tr>");
        }
        out.push_str("</w:tbl>");
    }

    fn document_xml(&self) -> String {
        format!(
            "{XML_DECLARATION}<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{}\
             <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" \
             w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" w:footer=\"708\" \
             w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
            self.body
        )
    }

    fn footnotes_xml(&self) -> String {
        // The separator line above the footnotes, and the one where they go on to the
        // next page, as Word writes them (settings.xml names both).
        format!(
            "{XML_DECLARATION}<w:footnotes xmlns:w=\"{W}\" xmlns:r=\"{R}\">\
             <w:footnote w:type=\"separator\" w:id=\"0\"><w:p><w:pPr><w:spacing w:after=\"0\" \
             w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>\
             <w:footnote w:type=\"continuationSeparator\" w:id=\"1\"><w:p><w:pPr><w:spacing \
             w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:r><w:continuationSeparator/>\
             </w:r></w:p></w:footnote>{}</w:footnotes>",
            self.footnotes
        )
    }
}

/// One `<w:p>`: its style, right to left when its text is, then `lead` (raw XML) and the runs.
fn paragraph(out: &mut String, style: &str, lead: Option<&str>, runs: &[Run]) {
    out.push_str("<w:p>");
    let rtl = runs.iter().find_map(|r| match r {
        Run::Text(t) | Run::Italic(t) => right_to_left(t),
        Run::Note(_) => None,
    }) == Some(true);
    if !style.is_empty() || rtl {
        out.push_str("<w:pPr>");
        if !style.is_empty() {
            out.push_str(&format!("<w:pStyle w:val=\"{style}\"/>"));
        }
        if rtl {
            out.push_str("<w:bidi/>");
        }
        out.push_str("</w:pPr>");
    }
    out.push_str(lead.unwrap_or_default());
    for r in runs {
        match r {
            Run::Text(t) => run(out, "", t),
            Run::Italic(t) => run(out, "<w:i/><w:iCs/>", t),
            Run::Note(id) => out.push_str(&format!(
                "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/></w:rPr>\
                 <w:footnoteReference w:id=\"{id}\"/></w:r>"
            )),
        }
    }
    out.push_str("</w:p>");
}

/// One `<w:r>` with its properties (raw XML); a line break or tab in the text becomes
/// Word's own, since Word reads them in `<w:t>` as spaces.
fn run(out: &mut String, properties: &str, text: &str) {
    out.push_str("<w:r>");
    if !properties.is_empty() {
        out.push_str(&format!("<w:rPr>{properties}</w:rPr>"));
    }
    for (i, line) in text.replace("\r\n", "\n").split(['\n', '\r']).enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                out.push_str("<w:t xml:space=\"preserve\">");
                escape(out, piece);
                out.push_str("</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
}

/// The text's lines that hold something, each a paragraph of its own.
fn lines(text: &str) -> Vec<&str> {
    text.split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// Whether the text's first letter is written right to left (Arabic, Hebrew, Syriac,
/// Thaana and their presentation forms); `None` when it has no letter.
fn right_to_left(text: &str) -> Option<bool> {
    text.chars().find(|c| c.is_alphabetic()).map(|c| {
        matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
    })
}

/// The permalink under `base`; relative when `base` is empty.
fn permalink(base: &str, link: &str) -> String {
    if base.is_empty() || link.contains("://") {
        return link.to_string();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        link.trim_start_matches('/')
    )
}

/// Appends the text escaped for XML, without the characters XML 1.0 forbids (control
/// characters other than tab, newline and carriage return; U+FFFE, U+FFFF) and without C1
/// controls, which XML allows but only a misread file puts in a passage.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape(&mut out, text);
    out
}

fn core_properties(title: &str, call: &str) -> String {
    format!(
        "{XML_DECLARATION}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title>\
         <dc:subject>{}</dc:subject></cp:coreProperties>",
        escaped(title),
        escaped(call)
    )
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/numbering.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>\
<Override PartName=\"/word/footnotes.xml\" \
ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml\"/>\
<Override PartName=\"/docProps/core.xml\" \
ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" \
Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" \
Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" \
Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" \
Target=\"settings.xml\"/>\
<Relationship Id=\"rId3\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" \
Target=\"numbering.xml\"/>\
<Relationship Id=\"rId4\" \
Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes\" \
Target=\"footnotes.xml\"/>\
</Relationships>";

// Word's schema fixes the order of the children of settings, styles and their properties.
const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"720\"/>\
<w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:footnotePr><w:footnote w:id=\"0\"/><w:footnote w:id=\"1\"/></w:footnotePr>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" \
w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>";

/// Bullets for the list of submitters with no input (style ListBullet).
const NUMBERING: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>
<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/>\
<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"•\"/>\
<w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"360\" w:hanging=\"360\"/></w:pPr></w:lvl>\
</w:abstractNum>\
<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>\
</w:numbering>";

/// Word's built-in names ("heading 1", "footnote text") make Word treat the styles as its
/// own: headings in the navigation pane, footnotes styled as the user's template says.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" \
w:cs=\"Times New Roman\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>\
<w:lang w:val=\"en-GB\" w:eastAsia=\"en-US\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr>\
</w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>\
<w:qFormat/></w:style>\
<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
<w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/>\
<w:unhideWhenUsed/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
<w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" \
w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>\
</w:style>\
<w:style w:type=\"numbering\" w:default=\"1\" w:styleId=\"NoList\"><w:name w:val=\"No List\"/>\
<w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"10\"/><w:qFormat/>\
<w:pPr><w:spacing w:after=\"240\"/></w:pPr>\
<w:rPr><w:b/><w:bCs/><w:kern w:val=\"28\"/><w:sz w:val=\"40\"/><w:szCs w:val=\"40\"/></w:rPr>\
</w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"360\" w:after=\"120\"/>\
<w:outlineLvl w:val=\"0\"/></w:pPr>\
<w:rPr><w:b/><w:bCs/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/>\
<w:unhideWhenUsed/><w:qFormat/>\
<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"240\" w:after=\"120\"/>\
<w:outlineLvl w:val=\"1\"/></w:pPr>\
<w:rPr><w:b/><w:bCs/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Quote\"><w:name w:val=\"Quote\"/>\
<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"29\"/><w:qFormat/>\
<w:pPr><w:ind w:left=\"567\" w:right=\"567\"/></w:pPr><w:rPr><w:i/><w:iCs/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"ListBullet\"><w:name w:val=\"List Bullet\"/>\
<w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/>\
<w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr><w:spacing w:after=\"60\"/>\
</w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"FootnoteText\"><w:name w:val=\"footnote text\"/>\
<w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/>\
<w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>\
<w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>\
<w:style w:type=\"character\" w:styleId=\"FootnoteReference\"><w:name w:val=\"footnote reference\"/>\
<w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr>\
</w:style>\
<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>\
<w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/>\
<w:pPr><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>\
<w:tblPr><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
</w:tblBorders></w:tblPr></w:style>\
</w:styles>";

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read as _;
    use std::path::{Path, PathBuf};

    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};

    use super::*;
    use crate::brief::{BriefSection, BriefSubmission, CategoryCount, NoInput};

    const BASE: &str = "http://127.0.0.1:8080";
    const SPECIAL: &str = "Rights & \"safety\" <online> for 'all'\u{7}, said the network.";

    fn passage(id: &str, submitter: &str, text: &str, page: u32) -> BriefPassage {
        BriefPassage {
            passage_id: id.into(),
            submitter: submitter.into(),
            text: text.into(),
            place: format!("p. {page}"),
            citation: format!(
                "{submitter}, submission to the call for input (\"Children's rights & the \
                 digital environment\"), 2024, p. {page}."
            ),
            permalink: format!("/?view=passage&id={id}"),
            source: "heading".into(),
            confidence: 1.0,
            centrality: 0.5,
            key: false,
            also_from: Vec::new(),
            confidential: false,
        }
    }

    fn submission(
        submitter: &str,
        country: Option<&str>,
        passages: Vec<BriefPassage>,
    ) -> BriefSubmission {
        BriefSubmission {
            submission_id: submitter.to_lowercase().replace(' ', "-"),
            submitter: submitter.into(),
            country: country.map(str::to_string),
            confidential: false,
            passages,
            more: 0,
        }
    }

    fn count(category: &str, submissions: usize, of: usize, passages: usize) -> CategoryCount {
        CategoryCount {
            category: category.into(),
            submissions,
            passages,
            of_submissions: of,
        }
    }

    /// Two categories, a confidential submission, a key quote, a passage sent twice, text
    /// that XML must escape and a control character XML forbids.
    fn sample() -> Brief {
        let mut kenya = passage(
            "states-kenya-004",
            "Ministry of Interior",
            "The Data Protection Act applies to platforms.\r\nIt covers every child under 18.",
            4,
        );
        kenya.key = true;
        let mut network = passage("csos-network-002", "Child Rights Network", SPECIAL, 2);
        network.also_from = vec!["Kids Online Coalition".into(), "Safe Play".into()];
        let arabic = passage(
            "csos-hidden-001",
            "Confidential NGO",
            "حماية الأطفال على الإنترنت مسؤولية مشتركة.",
            1,
        );
        let mut states = submission("Ministry of Interior", Some("Kenya"), vec![kenya.clone()]);
        states.more = 2;
        let mut hidden = submission("Confidential NGO", None, vec![arabic]);
        hidden.confidential = true;
        Brief {
            call: "sr-children-digital-2024".into(),
            title: "Children's rights & the digital environment".into(),
            mandate: "Special Rapporteur on the sale and sexual exploitation of children".into(),
            question: 7,
            short: "Online safety".into(),
            text: "What measures protect children online?\nPlease give examples.".into(),
            category: None,
            counts: vec![count("States", 1, 2, 3), count("CSOs", 2, 2, 2)],
            key_quotes: vec![kenya],
            sections: vec![
                BriefSection {
                    category: "States".into(),
                    submissions: vec![states],
                },
                BriefSection {
                    category: "CSOs".into(),
                    submissions: vec![
                        submission("Child Rights Network", None, vec![network]),
                        hidden,
                    ],
                },
            ],
            possible: vec![],
            no_input: vec![
                NoInput {
                    submitter: "Republic of Chile".into(),
                    category: "States".into(),
                    country: Some("Chile".into()),
                },
                NoInput {
                    submitter: "Institute of Play".into(),
                    category: "Academia".into(),
                    country: None,
                },
            ],
        }
    }

    /// The package's parts by name.
    fn parts(bytes: &[u8]) -> BTreeMap<String, String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut parts = BTreeMap::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).expect("zip entry");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("UTF-8 part");
            parts.insert(file.name().expect("entry name").into_owned(), text);
        }
        parts
    }

    fn legal(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }

    /// Panics unless the part is well-formed XML 1.0: one root, tags matched, attributes
    /// and entities sound, no character XML forbids.
    fn assert_well_formed(name: &str, xml: &str) {
        assert!(
            xml.starts_with("<?xml version=\"1.0\""),
            "{name}: no XML declaration"
        );
        assert!(
            xml.chars().all(legal),
            "{name}: a character XML 1.0 forbids"
        );
        let mut reader = Reader::from_str(xml);
        let (mut depth, mut roots) = (0usize, 0);
        loop {
            let event = reader.read_event().unwrap_or_else(|e| {
                panic!(
                    "{name}: not well-formed at {}: {e}",
                    reader.buffer_position()
                )
            });
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    roots += usize::from(depth == 0);
                    for attribute in e.attributes() {
                        let attribute =
                            attribute.unwrap_or_else(|e| panic!("{name}: attribute: {e}"));
                        attribute
                            .normalized_value(XmlVersion::Explicit1_0)
                            .unwrap_or_else(|e| panic!("{name}: attribute value: {e}"));
                    }
                    depth += usize::from(matches!(event, Event::Start(_)));
                }
                Event::End(_) => depth -= 1,
                Event::GeneralRef(r) => {
                    let known = r.resolve_char_ref().expect("char ref").is_some()
                        || quick_xml::escape::resolve_predefined_entity(r).is_some();
                    assert!(known, "{name}: undeclared entity &{};", &**r);
                }
                Event::Text(t) => assert!(
                    depth > 0 || t.trim().is_empty(),
                    "{name}: text outside the root"
                ),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(
            (depth, roots),
            (0, 1),
            "{name}: elements left open or several roots"
        );
    }

    /// A paragraph as Word shows it.
    #[derive(Debug, Default)]
    struct Para {
        style: String,
        text: String,
        italic: bool,
        /// Ids of the footnotes it marks.
        notes: Vec<String>,
        /// The footnote it belongs to (footnotes.xml).
        footnote: Option<String>,
    }

    fn paragraphs(xml: &str) -> Vec<Para> {
        let mut reader = Reader::from_str(xml);
        let mut out = Vec::new();
        let mut current: Option<Para> = None;
        let mut footnote: Option<String> = None;
        let mut in_text = false;
        loop {
            let event = reader.read_event().expect("well-formed");
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let value = |key: &str| {
                        e.try_get_attribute(key)
                            .expect("attribute")
                            .map(|a| {
                                a.normalized_value(XmlVersion::Explicit1_0)
                                    .expect("value")
                                    .into_owned()
                            })
                            .unwrap_or_default()
                    };
                    let start = matches!(event, Event::Start(_));
                    match (e.name().as_ref(), current.as_mut()) {
                        ("w:footnote", _) if start => footnote = Some(value("w:id")),
                        ("w:p", _) => {
                            let p = Para {
                                footnote: footnote.clone(),
                                ..Para::default()
                            };
                            if start {
                                current = Some(p);
                            } else {
                                out.push(p);
                            }
                        }
                        ("w:pStyle", Some(p)) => p.style = value("w:val"),
                        ("w:i", Some(p)) => p.italic = true,
                        ("w:t", Some(_)) => in_text = start,
                        ("w:tab", Some(p)) => p.text.push('\t'),
                        ("w:br", Some(p)) => p.text.push('\n'),
                        ("w:footnoteReference", Some(p)) => p.notes.push(value("w:id")),
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    "w:p" => out.extend(current.take()),
                    "w:t" => in_text = false,
                    "w:footnote" => footnote = None,
                    _ => {}
                },
                Event::Text(t) if in_text => {
                    if let Some(p) = current.as_mut() {
                        p.text.push_str(t);
                    }
                }
                Event::GeneralRef(r) if in_text => {
                    let c =
                        quick_xml::escape::resolve_predefined_entity(r).expect("predefined entity");
                    if let Some(p) = current.as_mut() {
                        p.text.push_str(c);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    fn texts<'a>(paras: &'a [Para], style: &str) -> Vec<&'a str> {
        paras
            .iter()
            .filter(|p| p.style == style)
            .map(|p| p.text.as_str())
            .collect()
    }

    fn written(brief: &Brief, base: &str) -> BTreeMap<String, String> {
        parts(&docx(brief, base).expect("docx written"))
    }

    #[test]
    fn a_key_quote_from_a_confidential_submission_says_so() {
        let mut brief = sample();
        let mut quote = passage("csos-hidden-001", "Confidential NGO", "Hidden words.", 1);
        quote.confidential = true;
        quote.citation = "Confidential NGO, p. 1".into();
        brief.key_quotes = vec![quote];
        let parts = written(&brief, BASE);
        assert!(
            parts["word/footnotes.xml"].contains("Confidential NGO, p. 1 (confidential)"),
            "{}",
            parts["word/footnotes.xml"]
        );
        // A public one does not.
        let public = written(&sample(), BASE);
        assert!(!public["word/footnotes.xml"].contains("p. 4 (confidential)"));
    }

    #[test]
    fn every_part_is_there_and_well_formed() {
        let parts = written(&sample(), BASE);
        let names: Vec<&str> = parts.keys().map(String::as_str).collect();
        for needed in [
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "word/_rels/document.xml.rels",
            "word/document.xml",
            "word/footnotes.xml",
            "word/numbering.xml",
            "word/settings.xml",
            "word/styles.xml",
        ] {
            assert!(names.contains(&needed), "{needed} missing from {names:?}");
        }
        for (name, xml) in &parts {
            assert_well_formed(name, xml);
        }
        let core = paragraphs(&parts["docProps/core.xml"]);
        assert!(core.is_empty());
        assert!(
            parts["docProps/core.xml"].contains("<dc:title>Question 7: Online safety</dc:title>")
        );
    }

    #[test]
    fn headings_are_word_headings_in_the_briefs_order() {
        let parts = written(&sample(), BASE);
        let styles = &parts["word/styles.xml"];
        for (id, level) in [("Heading1", 0), ("Heading2", 1)] {
            let style = styles
                .split("<w:style ")
                .find(|s| s.contains(&format!("w:styleId=\"{id}\"")))
                .unwrap_or_else(|| panic!("no style {id}"));
            assert!(
                style.contains(&format!("<w:outlineLvl w:val=\"{level}\"/>")),
                "{style}"
            );
        }
        let paras = paragraphs(&parts["word/document.xml"]);
        assert_eq!(texts(&paras, "Title"), ["Question 7: Online safety"]);
        assert_eq!(
            texts(&paras, "Heading1"),
            [
                "Overview",
                "Key quotes",
                "States",
                "CSOs",
                "No input on this question from:"
            ]
        );
        assert_eq!(
            texts(&paras, "Heading2"),
            [
                "Ministry of Interior, Kenya",
                "Child Rights Network",
                "Confidential NGO (confidential)"
            ]
        );
        assert_eq!(
            texts(&paras, "Quote")[..2],
            [
                "What measures protect children online?",
                "Please give examples."
            ]
        );
        assert_eq!(
            texts(&paras, "ListBullet"),
            [
                "Republic of Chile (States, Chile)",
                "Institute of Play (Academia)"
            ]
        );
        // The overview: a table whose header row repeats, one row per category.
        let document = &parts["word/document.xml"];
        assert!(document.contains("<w:tblStyle w:val=\"TableGrid\"/>"));
        assert!(document.contains("<w:tblHeader/>"));
        let cells: Vec<&str> = paras.iter().map(|p| p.text.as_str()).collect();
        let header = cells
            .iter()
            .position(|t| *t == "Category")
            .expect("header row");
        assert_eq!(
            cells[header..header + 12],
            [
                "Category",
                "Submissions on this question",
                "of",
                "Passages",
                "States",
                "1",
                "2",
                "3",
                "CSOs",
                "2",
                "2",
                "2"
            ]
        );
        assert!(!cells.iter().any(|t| t.starts_with("Only ")));
        let mut only = sample();
        only.category = Some("CSOs".into());
        let paras = paragraphs(&written(&only, BASE)["word/document.xml"]);
        assert!(paras.iter().any(|p| p.text == "Only CSOs" && p.italic));
    }

    #[test]
    fn each_passage_carries_its_citation_and_permalink_in_a_footnote() {
        let brief = sample();
        let parts = written(&brief, BASE);
        let body = paragraphs(&parts["word/document.xml"]);
        let notes = paragraphs(&parts["word/footnotes.xml"]);
        let note = |id: &str| -> Vec<String> {
            notes
                .iter()
                .filter(|p| p.footnote.as_deref() == Some(id))
                .map(|p| p.text.trim().to_string())
                .collect()
        };
        // The separators Word expects, named in settings.
        assert!(
            parts["word/footnotes.xml"].contains("<w:footnote w:type=\"separator\" w:id=\"0\">")
        );
        assert!(
            parts["word/footnotes.xml"]
                .contains("<w:footnote w:type=\"continuationSeparator\" w:id=\"1\">")
        );
        assert!(parts["word/settings.xml"].contains(
            "<w:footnotePr><w:footnote w:id=\"0\"/><w:footnote w:id=\"1\"/></w:footnotePr>"
        ));
        let marked: Vec<&Para> = body.iter().filter(|p| !p.notes.is_empty()).collect();
        // Three passages in the sections, one key quote.
        assert_eq!(marked.len(), 4, "{marked:?}");
        let mut ids: Vec<&str> = marked
            .iter()
            .flat_map(|p| p.notes.iter().map(String::as_str))
            .collect();
        ids.dedup();
        assert_eq!(ids, ["2", "3", "4", "5"]);

        let quote = &brief.key_quotes[0];
        let last_line = "It covers every child under 18.";
        let key = marked
            .iter()
            .find(|p| p.style == "Quote")
            .expect("key quote");
        assert_eq!(key.text, last_line);
        assert_eq!(note(&key.notes[0]), [quote.citation.as_str()]);

        for submission in brief.sections.iter().flat_map(|s| &s.submissions) {
            for passage in &submission.passages {
                let last = passage
                    .text
                    .lines()
                    .last()
                    .expect("a line")
                    .replace('\u{7}', "");
                let para = marked
                    .iter()
                    .find(|p| p.style.is_empty() && p.text == last)
                    .unwrap_or_else(|| panic!("no marked paragraph {last:?} in {marked:?}"));
                assert_eq!(
                    note(&para.notes[0]),
                    [
                        passage.citation.clone(),
                        format!("{BASE}{}", passage.permalink)
                    ]
                );
            }
        }
        // A passage of two lines is two paragraphs, the footnote on the second.
        let first = body
            .iter()
            .position(|p| {
                p.text == "The Data Protection Act applies to platforms." && p.style.is_empty()
            })
            .expect("first line");
        assert!(body[first].notes.is_empty());
        assert_eq!(body[first + 1].text, last_line);

        // Without a base the permalink stays relative.
        let parts = written(&brief, "");
        let notes = paragraphs(&parts["word/footnotes.xml"]);
        assert!(
            notes
                .iter()
                .any(|p| p.text == "/?view=passage&id=csos-network-002")
        );
    }

    #[test]
    fn special_characters_survive_and_forbidden_ones_go() {
        let parts = written(&sample(), BASE);
        let body = paragraphs(&parts["word/document.xml"]);
        let kept = "Rights & \"safety\" <online> for 'all', said the network.";
        assert!(body.iter().any(|p| p.text == kept), "{body:?}");
        assert!(body.iter().any(|p| {
            p.text
                .starts_with("Children's rights & the digital environment — ")
        }));
        assert!(
            body.iter()
                .any(|p| p.text == "Also sent by: Kids Online Coalition, Safe Play" && p.italic)
        );
        assert!(
            body.iter()
                .any(|p| p.text == "2 more passages on this question" && p.italic)
        );
        assert!(parts.values().all(|xml| !xml.contains('\u{7}')));
        // The Arabic passage reads right to left.
        let arabic = parts["word/document.xml"]
            .split("<w:p>")
            .find(|p| p.contains("حماية"))
            .expect("arabic passage");
        assert!(arabic.contains("<w:bidi/>"), "{arabic}");
    }

    /// The tool's path, when it is installed.
    fn installed(tool: &str) -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join(tool))
            .find(|p| p.is_file())
    }

    /// As crates/extract/tests/common/skip.rs: says the test is skipped, but fails on CI,
    /// which installs every tool the tests need (.ci/run).
    fn skip_without(tool: &str) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is needed on CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: {tool} not installed");
    }

    #[test]
    fn libreoffice_prints_the_headings_passages_and_footnotes() {
        let Some(soffice) = installed("soffice") else {
            skip_without("LibreOffice (soffice)");
            return;
        };
        let Some(pdftotext) = installed("pdftotext") else {
            skip_without("pdftotext (poppler-utils)");
            return;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("brief.docx");
        std::fs::write(&file, docx(&sample(), BASE).expect("docx written")).expect("write docx");
        let output = std::process::Command::new(soffice)
            .env("HOME", dir.path())
            .arg(format!(
                "-env:UserInstallation=file://{}/profile",
                dir.path().display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&file)
            .output()
            .expect("run soffice");
        let pdf = dir.path().join("brief.pdf");
        assert!(
            output.status.success() && pdf.is_file(),
            "soffice failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = pdf_text(&pdftotext, &pdf);
        let brief = sample();
        for expected in [
            "Question 7: Online safety",
            "Ministry of Interior, Kenya",
            "Confidential NGO (confidential)",
            "The Data Protection Act applies to platforms.",
            "Rights & \"safety\" <online> for 'all', said the network.",
            &brief.sections[1].submissions[0].passages[0].citation,
            "http://127.0.0.1:8080/?view=passage&id=csos-network-002",
            "Republic of Chile (States, Chile)",
        ] {
            assert!(
                text.contains(expected),
                "the PDF lacks {expected:?}:\n{text}"
            );
        }
    }

    /// The PDF's text, its white space collapsed so that wrapped lines read as one.
    fn pdf_text(pdftotext: &Path, pdf: &Path) -> String {
        let output = std::process::Command::new(pdftotext)
            .arg(pdf)
            .arg("-")
            .output()
            .expect("run pdftotext");
        assert!(output.status.success(), "pdftotext failed");
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}
