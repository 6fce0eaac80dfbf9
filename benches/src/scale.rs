//! A scale corpus: thousands of synthetic submissions, or a million passages, re-combined
//! from the sentences of the fixture calls' labelled paragraphs, deterministic from a seed.
//!
//! Two outputs:
//! - [`write_call`] writes a call folder (call.toml, manifest.csv, DOCX and PDF files) for
//!   the end-to-end ingest benchmark;
//! - [`build_index`] puts passages straight into an index for the search benchmarks, and
//!   hands the same passages to the competing engines through [`Corpus::passages`].
//!
//! Every generated document says it is synthetic. Nothing is written into the project.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SubmissionInfo};

/// The marker every generated document starts with.
pub const SYNTHETIC: &str =
    "SYNTHETIC TEST DOCUMENT - generated for the cfi scale benchmark; not a real submission.";

/// Submitters' countries the generator picks from (States under their real names; every
/// document is marked synthetic).
const COUNTRIES: &[&str] = &[
    "Chile",
    "Spain",
    "France",
    "Estonia",
    "Malaysia",
    "Qatar",
    "Colombia",
    "Kenya",
    "Ghana",
    "India",
    "Philippines",
    "Brazil",
    "Mexico",
    "Canada",
    "Australia",
    "Morocco",
    "Senegal",
    "Georgia",
    "Ukraine",
    "Kazakhstan",
    "Argentina",
    "Peru",
    "Italy",
    "Germany",
    "Japan",
    "Thailand",
    "Nigeria",
    "South Africa",
    "Egypt",
    "Jordan",
];

/// A small deterministic generator (xorshift64*), so the corpus is the same on every run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed odd number).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// The sentences of the fixture calls' labelled paragraphs, by language and question.
#[derive(Debug, Default)]
pub struct Corpus {
    /// (language, question) → sentences; question 0 holds untagged text.
    sentences: BTreeMap<(String, u32), Vec<String>>,
    /// Languages present, most sentences first.
    languages: Vec<String>,
    /// The demo call.
    pub call: Option<cfi_core::Call>,
    /// The demo call's call.toml, as text.
    pub call_toml: String,
}

#[derive(serde::Deserialize)]
struct Label {
    text: String,
    #[serde(default)]
    questions: Vec<u32>,
}

impl Corpus {
    /// Reads `labels.jsonl` of every call under `fixtures/calls`.
    pub fn load(fixtures: &Path) -> anyhow::Result<Corpus> {
        let calls = fixtures.join("calls");
        let demo = calls.join("sr-children-digital-2024");
        let call_toml = std::fs::read_to_string(demo.join("call.toml"))
            .with_context(|| format!("reading {}", demo.join("call.toml").display()))?;
        let call = cfi_core::Call::parse(&demo.join("call.toml"), &call_toml)?;
        let detector = whatlang::Detector::new();
        let mut corpus = Corpus {
            call: Some(call),
            call_toml,
            ..Corpus::default()
        };
        let mut folders: Vec<PathBuf> = std::fs::read_dir(&calls)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        folders.sort();
        for folder in folders {
            let Ok(text) = std::fs::read_to_string(folder.join("labels.jsonl")) else {
                continue;
            };
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let label: Label = serde_json::from_str(line)?;
                if label.text.split_whitespace().count() < 12 || label.text.contains("SYNTHETIC") {
                    continue;
                }
                let language = match detector.detect_lang(&label.text) {
                    Some(whatlang::Lang::Spa) => "es",
                    Some(whatlang::Lang::Fra) => "fr",
                    Some(whatlang::Lang::Rus) => "ru",
                    _ => "en",
                };
                let question = label
                    .questions
                    .iter()
                    .copied()
                    .find(|q| *q > 0)
                    .unwrap_or(0);
                let entry = corpus
                    .sentences
                    .entry((language.to_string(), question))
                    .or_default();
                entry.extend(split_sentences(&label.text));
            }
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for ((language, _), list) in &corpus.sentences {
            *counts.entry(language.clone()).or_default() += list.len();
        }
        let mut languages: Vec<(String, usize)> = counts.into_iter().collect();
        languages.sort_by_key(|l| std::cmp::Reverse(l.1));
        corpus.languages = languages.into_iter().map(|(l, _)| l).collect();
        anyhow::ensure!(
            !corpus.sentences.is_empty(),
            "no labelled paragraphs under {}",
            calls.display()
        );
        Ok(corpus)
    }

    /// A paragraph of 2-6 sentences answering `question` in `language` (falling back to
    /// English, then to any text of the question).
    pub fn paragraph(&self, rng: &mut Rng, language: &str, question: u32) -> String {
        let list = self
            .sentences
            .get(&(language.to_string(), question))
            .filter(|l| !l.is_empty())
            .or_else(|| self.sentences.get(&("en".to_string(), question)))
            .or_else(|| self.sentences.values().find(|l| !l.is_empty()));
        let Some(list) = list else {
            return String::new();
        };
        let count = 2 + rng.below(5);
        (0..count)
            .filter_map(|_| rng.pick(list))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A language for a new submission: English most often, then the others.
    pub fn language(&self, rng: &mut Rng) -> String {
        let roll = rng.below(100);
        let wanted = match roll {
            0..60 => "en",
            60..75 => "es",
            75..90 => "fr",
            _ => "ru",
        };
        if self.languages.iter().any(|l| l == wanted) {
            wanted.to_string()
        } else {
            "en".to_string()
        }
    }

    fn categories(&self) -> Vec<String> {
        self.call
            .as_ref()
            .map(|c| c.categories.clone())
            .unwrap_or_else(|| vec!["CSOs".into()])
    }
}

/// Cuts text into sentences at ". ", "? " and "! " followed by a capital letter.
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for window in chars.windows(3) {
        let [(_, a), (_, b), (i, c)] = [window[0], window[1], window[2]];
        if matches!(a, '.' | '?' | '!') && b == ' ' && c.is_uppercase() {
            let sentence = text[start..i].trim();
            if sentence.split_whitespace().count() >= 4 {
                out.push(sentence.to_string());
            }
            start = i;
        }
    }
    let rest = text[start..].trim();
    if rest.split_whitespace().count() >= 4 {
        out.push(rest.to_string());
    }
    out
}

/// One generated submission: who sent it and its sections (question, paragraphs).
#[derive(Debug, Clone)]
pub struct Generated {
    /// Submission id (file stem).
    pub id: String,
    /// Submitter name.
    pub submitter: String,
    /// Stakeholder category.
    pub category: String,
    /// Submitter's country.
    pub country: String,
    /// ISO 639-1 language.
    pub language: String,
    /// Sections: a guiding question and its paragraphs.
    pub sections: Vec<(u32, Vec<String>)>,
}

impl Generated {
    /// Submission `n` of a scale corpus.
    pub fn new(corpus: &Corpus, rng: &mut Rng, n: usize) -> Generated {
        let language = corpus.language(rng);
        let categories = corpus.categories();
        let category = rng.pick(&categories).cloned().unwrap_or_default();
        let country = rng.pick(COUNTRIES).copied().unwrap_or("Chile").to_string();
        // Lengths vary like real inputs: most short, a few long.
        let questions = 2 + rng.below(8);
        let mut numbers: Vec<u32> = (1..=9).collect();
        for i in (1..numbers.len()).rev() {
            numbers.swap(i, rng.below(i + 1));
        }
        numbers.truncate(questions);
        numbers.sort_unstable();
        let long = rng.below(10) == 0;
        let sections = numbers
            .into_iter()
            .map(|q| {
                let paragraphs = 1 + rng.below(if long { 8 } else { 3 });
                let list = (0..paragraphs)
                    .map(|_| corpus.paragraph(rng, &language, q))
                    .collect();
                (q, list)
            })
            .collect();
        Generated {
            id: format!("scale-{n:05}"),
            submitter: format!("Synthetic submitter {n:05}"),
            category,
            country,
            language,
            sections,
        }
    }

    /// The text bytes the document carries (the raw text an index stores).
    pub fn text_bytes(&self) -> usize {
        SYNTHETIC.len()
            + self
                .sections
                .iter()
                .map(|(_, list)| 12 + list.iter().map(String::len).sum::<usize>())
                .sum::<usize>()
    }
}

/// What [`write_call`] wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    /// Submissions.
    pub files: usize,
    /// PDF pages written (DOCX have none).
    pub pdf_pages: usize,
    /// Bytes of text in the documents.
    pub text_bytes: usize,
    /// Bytes of files.
    pub file_bytes: u64,
}

/// Writes a call folder of `n` submissions into `out` (created): about two thirds DOCX and
/// one third PDF (Russian only as DOCX: the generator's PDFs use a Latin-1 font).
pub fn write_call(corpus: &Corpus, out: &Path, n: usize, seed: u64) -> anyhow::Result<Written> {
    let files = out.join("files");
    std::fs::create_dir_all(&files)?;
    let toml = corpus
        .call_toml
        .replacen(
            "id = \"sr-children-digital-2024\"",
            &format!("id = \"scale-{n}\""),
            1,
        )
        .replace(
            "SYNTHETIC",
            "SYNTHETIC (scale corpus generated by benches/src/scale.rs)",
        );
    std::fs::write(out.join("call.toml"), toml)?;
    let mut manifest = std::io::BufWriter::new(std::fs::File::create(out.join("manifest.csv"))?);
    writeln!(
        manifest,
        "file,submitter,category,country,kind,annex_of,language,confidential,received"
    )?;
    let mut rng = Rng::new(seed);
    let mut written = Written::default();
    for i in 0..n {
        let doc = Generated::new(corpus, &mut rng, i);
        let pdf = doc.language != "ru" && rng.below(3) == 0;
        let name = format!("{}.{}", doc.id, if pdf { "pdf" } else { "docx" });
        let path = files.join(&name);
        if pdf {
            written.pdf_pages += write_pdf(&doc, &path)?;
        } else {
            write_docx(&doc, &path)?;
        }
        written.files += 1;
        written.text_bytes += doc.text_bytes();
        written.file_bytes += std::fs::metadata(&path)?.len();
        let confidential = if rng.below(20) == 0 { "yes" } else { "no" };
        let received = format!("2024-05-{:02}", 1 + rng.below(28));
        cfi_core::write_csv_row(
            &mut manifest,
            [
                format!("files/{name}").as_str(),
                &doc.submitter,
                &doc.category,
                &doc.country,
                "input",
                "",
                &doc.language,
                confidential,
                &received,
            ],
        )?;
    }
    manifest.flush()?;
    Ok(written)
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A minimal WordprocessingML package: headings styled `Heading1`, body paragraphs.
fn write_docx(doc: &Generated, path: &Path) -> anyhow::Result<()> {
    let mut body = String::with_capacity(doc.text_bytes() * 2);
    let paragraph = |body: &mut String, style: Option<&str>, text: &str| {
        body.push_str("<w:p>");
        if let Some(style) = style {
            body.push_str(&format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>"));
        }
        body.push_str("<w:r><w:t xml:space=\"preserve\">");
        body.push_str(&xml_escape(text));
        body.push_str("</w:t></w:r></w:p>");
    };
    paragraph(&mut body, Some("Title"), SYNTHETIC);
    paragraph(
        &mut body,
        None,
        &format!("Input of {} ({})", doc.submitter, doc.country),
    );
    for (question, list) in &doc.sections {
        paragraph(&mut body, Some("Heading1"), &format!("Question {question}"));
        for text in list {
            paragraph(&mut body, None, text);
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let styles = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:pPr><w:outlineLvl w:val=\"0\"/></w:pPr></w:style>\
</w:styles>";
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";
    let document_rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";
    let file = std::fs::File::create(path)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("word/_rels/document.xml.rels", document_rels),
        ("word/styles.xml", styles),
        ("word/document.xml", document.as_str()),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(data.as_bytes())?;
    }
    zip.finish()?;
    Ok(())
}

/// Wraps text into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A PDF string literal in WinAnsi (characters outside it become '?').
fn pdf_string(text: &str) -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for &b in bytes.iter() {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// A PDF of Helvetica text on A4 pages, headings in bold; returns the page count.
fn write_pdf(doc: &Generated, path: &Path) -> anyhow::Result<usize> {
    use lopdf::{Document, Object, Stream, dictionary};
    const TOP: i64 = 780;
    const BOTTOM: i64 = 72;
    let mut lines: Vec<(bool, String)> =
        vec![(true, SYNTHETIC.to_string()), (false, String::new())];
    lines.push((
        false,
        format!("Input of {} ({})", doc.submitter, doc.country),
    ));
    for (question, list) in &doc.sections {
        lines.push((false, String::new()));
        lines.push((true, format!("Question {question}")));
        for text in list {
            lines.push((false, String::new()));
            lines.extend(wrap(text, 95).into_iter().map(|l| (false, l)));
        }
    }
    let mut pdf = Document::with_version("1.5");
    let pages_id = pdf.new_object_id();
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => Object::Name(name.as_bytes().to_vec()),
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let regular = pdf.add_object(font("Helvetica"));
    let bold = pdf.add_object(font("Helvetica-Bold"));
    let resources = pdf.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids = Vec::new();
    let mut chunks: Vec<&[(bool, String)]> = Vec::new();
    let per_page = usize::try_from((TOP - BOTTOM) / 14).unwrap_or(50);
    let mut rest = lines.as_slice();
    while !rest.is_empty() {
        let (page, tail) = rest.split_at(rest.len().min(per_page));
        chunks.push(page);
        rest = tail;
    }
    for (index, page) in chunks.iter().enumerate() {
        let mut content = Vec::new();
        let mut y = TOP;
        for (heading, line) in page.iter() {
            if !line.is_empty() {
                let (font, size) = if *heading { ("F2", 12) } else { ("F1", 10) };
                content.extend_from_slice(format!("BT /{font} {size} Tf 72 {y} Td ").as_bytes());
                content.extend_from_slice(&pdf_string(line));
                content.extend_from_slice(b" Tj ET\n");
            }
            y -= 14;
        }
        // The page number, as a footer.
        content
            .extend_from_slice(format!("BT /F1 9 Tf 290 40 Td ({}) Tj ET\n", index + 1).as_bytes());
        let stream = pdf.add_object(Stream::new(dictionary! {}, content));
        let page = pdf.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => stream,
            "Resources" => resources,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len();
    pdf.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => i64::try_from(count).unwrap_or(0),
        }),
    );
    let catalog = pdf.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    pdf.trailer.set("Root", catalog);
    pdf.compress();
    pdf.save(path)?;
    Ok(count)
}

/// Passages for the index-only benchmarks: `n` passages of 2-6 sentences in submissions of
/// 10-60 passages, with the question, language, category, countries and confidentiality a
/// real ingest would give. Calls `each` once per submission, so callers stream them.
pub fn passages(
    corpus: &Corpus,
    n: usize,
    seed: u64,
    each: &mut dyn FnMut(SubmissionInfo, Vec<Passage>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed);
    let mut made = 0;
    let mut s = 0;
    while made < n {
        let doc = Generated::new(corpus, &mut rng, s);
        let wanted = (10 + rng.below(50)).min(n - made);
        let mut list = Vec::with_capacity(wanted);
        push_sections(&mut list, &doc, &doc.sections, wanted);
        // Long submissions take more sections, with fresh sentences.
        while list.len() < wanted {
            let more = Generated::new(corpus, &mut rng, s);
            push_sections(&mut list, &doc, &more.sections, wanted);
        }
        made += list.len();
        let submission = Submission {
            id: doc.id.clone(),
            call: "scale".into(),
            submitter: doc.submitter.clone(),
            category: doc.category.clone(),
            country: Some(doc.country.clone()),
            kind: Kind::Input,
            annex_of: None,
            version_of: None,
            file: format!("files/{}.pdf", doc.id),
            language: Some(doc.language.clone()),
            confidential: s % 20 == 7,
            received: None,
        };
        let info = SubmissionInfo {
            submission,
            path: PathBuf::from(format!("files/{}.pdf", doc.id)),
            pages: Some(list.len().div_ceil(3).try_into().unwrap_or(u32::MAX)),
            passages: u32::try_from(list.len()).unwrap_or(u32::MAX),
            languages: vec![doc.language.clone()],
            problems: vec![],
        };
        each(info, list)?;
        s += 1;
    }
    Ok(())
}

/// Adds one passage per paragraph of `sections` to `list`, up to `wanted`.
fn push_sections(
    list: &mut Vec<Passage>,
    doc: &Generated,
    sections: &[(u32, Vec<String>)],
    wanted: usize,
) {
    for (question, paragraphs) in sections {
        for text in paragraphs {
            if list.len() >= wanted {
                return;
            }
            let ordinal = u32::try_from(list.len() + 1).unwrap_or(u32::MAX);
            let mentioned = COUNTRIES
                .iter()
                .filter(|c| text.contains(**c))
                .map(|c| (*c).to_string())
                .collect();
            list.push(Passage {
                id: format!("{}-{ordinal:04}", doc.id),
                ordinal,
                text: text.clone(),
                heading: Some(format!("Question {question}")),
                page: Some(ordinal / 3 + 1),
                page_end: None,
                page_label: None,
                paragraph: ordinal,
                language: Some(doc.language.clone()),
                questions: vec![QuestionTag {
                    number: *question,
                    source: TagSource::Heading,
                    confidence: 1.0,
                }],
                mentioned_countries: mentioned,
                duplicate_of: None,
                key: false,
                opens_section: false,
            });
        }
    }
}

/// Builds (or re-opens, when it already holds `n` passages) an index of `n` generated
/// passages in `dir`, committing every 100,000 passages to bound the writer's memory.
pub fn build_index(
    corpus: &Corpus,
    dir: &Path,
    n: usize,
    seed: u64,
) -> anyhow::Result<PassageIndex> {
    let index = PassageIndex::open(dir)?;
    if index.passage_count() == n as u64 {
        return Ok(index);
    }
    anyhow::ensure!(
        index.passage_count() == 0,
        "{} holds another corpus: remove it first",
        dir.display()
    );
    let mut batch = Some(index.batch()?);
    let mut since_commit = 0;
    passages(corpus, n, seed, &mut |info, list| {
        let Some(current) = batch.as_mut() else {
            anyhow::bail!("no open batch");
        };
        since_commit += list.len();
        current.put_submission(info, &list)?;
        if since_commit >= 100_000 {
            if let Some(done) = batch.take() {
                done.commit()?;
            }
            batch = Some(index.batch()?);
            since_commit = 0;
        }
        Ok(())
    })?;
    if let Some(done) = batch.take() {
        done.commit()?;
    }
    Ok(index)
}
