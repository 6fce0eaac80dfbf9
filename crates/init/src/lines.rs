//! A saved call page as lines of text, whatever form it was saved in: the visible text of
//! an HTML page, block by block, with its links; or a text page, line by line.

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// Most bytes of a page read; a page past it is read up to it (call pages are ~100 KB).
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;
/// Most lines kept from one page.
const MAX_LINES: usize = 200_000;
/// Longest line kept, in characters (a minified page can be one line).
const MAX_LINE_CHARS: usize = 20_000;

/// One line of visible text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// The text, whitespace collapsed.
    pub text: String,
    /// The links in it (HTML only), in order.
    pub links: Vec<Link>,
    /// 1-6 for an HTML heading, 7 for a block whose text is all bold; 0 otherwise.
    pub heading: u8,
    /// A machine-readable date the line carries (`<time datetime="2024-04-30">`).
    pub datetime: Option<String>,
}

/// A link in a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Its visible text.
    pub text: String,
    /// Where it points.
    pub href: String,
    /// Byte offset of its text in the line's text.
    pub start: usize,
}

/// A page as lines, with the `<title>` of an HTML page.
#[derive(Debug, Clone, Default)]
pub struct PageLines {
    /// The visible lines, in reading order.
    pub lines: Vec<Line>,
    /// The HTML `<title>`, if any.
    pub title: Option<String>,
    /// The `lang` of the HTML root, if any.
    pub lang: Option<String>,
    /// Whether the page was HTML.
    pub html: bool,
    /// Whether the page was cut at [`MAX_PAGE_BYTES`].
    pub truncated: bool,
}

/// Reads a page's bytes: HTML when it looks like HTML, else text.
pub fn page_lines(bytes: &[u8]) -> PageLines {
    let truncated = bytes.len() > MAX_PAGE_BYTES;
    let bytes = bytes.get(..MAX_PAGE_BYTES).unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut page = if looks_like_html(text) {
        html_lines(text)
    } else {
        text_lines(text)
    };
    page.truncated = truncated;
    page
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect::<String>().to_lowercase();
    head.contains("<html")
        || head.contains("<!doctype html")
        || head.contains("<body")
        || (head.contains("<p>") && head.contains("</"))
}

fn text_lines(text: &str) -> PageLines {
    PageLines {
        lines: text
            .lines()
            .take(MAX_LINES)
            .map(|l| Line {
                text: table_row(l).chars().take(MAX_LINE_CHARS).collect(),
                ..Line::default()
            })
            .collect(),
        ..PageLines::default()
    }
}

/// A line of a page saved as text; a table row keeps its cells apart ("Name\tinput |
/// annex" -> "Name: input | annex"), as an entry written inline would have them.
fn table_row(line: &str) -> String {
    let cells: Vec<String> = line
        .split('\t')
        .map(collapse)
        .filter(|c| !c.is_empty())
        .collect();
    match cells.split_first() {
        Some((first, rest)) if !rest.is_empty() && !first.ends_with(':') => {
            format!("{first}: {}", rest.join(" | "))
        }
        _ => cells.join(" "),
    }
}

/// Whether a character is a space a page's text is laid out with (no-break spaces are the
/// text's own: French puts one before "?", and questions are kept verbatim).
fn is_layout_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

/// Collapses runs of layout whitespace into one space, trimmed.
pub fn collapse(text: &str) -> String {
    text.split(is_layout_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Elements whose content is not the page's own text: scripts, styles, the site's
/// navigation and footer, forms; and a table's header row and caption ("Submitter |
/// Documents"), which name its columns, not an entry.
const SKIPPED: [&str; 15] = [
    "script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "form", "select",
    "iframe", "object", "head", "thead", "caption",
];
/// Elements that start and end a line.
const BLOCKS: [&str; 31] = [
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "main",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "hr",
    "address",
    "details",
    "summary",
    "body",
    "html",
];

/// The line being built.
#[derive(Default)]
struct Builder {
    text: String,
    links: Vec<Link>,
    heading: u8,
    datetime: Option<String>,
    /// Characters of text written while inside bold, and in all.
    bold_chars: usize,
    all_chars: usize,
}

struct HtmlReader {
    page: PageLines,
    line: Builder,
    /// The element being skipped and how deep in it the reader is.
    skipping: Option<(String, usize)>,
    /// Inside `<title>`.
    in_title: bool,
    title: String,
    /// Open `<a href>`: its href and where its text starts in the line.
    link: Option<(String, usize)>,
    /// Counters of the open lists (`Some(n)` for `<ol>`, `None` for `<ul>`).
    lists: Vec<Option<u32>>,
    /// How many `<li>` are open: blocks inside one do not break its line.
    open_items: usize,
    bold: usize,
}

fn html_lines(html: &str) -> PageLines {
    let mut emitter = DefaultEmitter::default();
    // Script and style content is raw text, not tags.
    emitter.naively_switch_states(true);
    let mut reader = HtmlReader {
        page: PageLines {
            html: true,
            ..PageLines::default()
        },
        line: Builder::default(),
        skipping: None,
        in_title: false,
        title: String::new(),
        link: None,
        lists: Vec::new(),
        open_items: 0,
        bold: 0,
    };
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        if reader.page.lines.len() >= MAX_LINES {
            break;
        }
        reader.token(token);
    }
    reader.flush();
    let title = collapse(&reader.title);
    reader.page.title = (!title.is_empty()).then_some(title);
    reader.page
}

fn name_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

impl HtmlReader {
    fn token(&mut self, token: Token) {
        match token {
            Token::StartTag(tag) => {
                let name = name_of(&tag.name);
                let attribute = |key: &str| {
                    tag.attributes
                        .get(key.as_bytes())
                        .map(|v| String::from_utf8_lossy(&v.value).to_string())
                };
                if let Some((skipped, depth)) = &mut self.skipping {
                    if *skipped == name && !tag.self_closing {
                        *depth += 1;
                    }
                    if name == "title" {
                        self.in_title = true;
                    }
                    return;
                }
                if name == "html" {
                    self.page.lang = attribute("lang");
                }
                if SKIPPED.contains(&name.as_str()) && !tag.self_closing {
                    self.skipping = Some((name, 1));
                    return;
                }
                self.start(&name, tag.self_closing, &attribute);
            }
            Token::EndTag(tag) => {
                let name = name_of(&tag.name);
                if name == "title" {
                    self.in_title = false;
                }
                if let Some((skipped, depth)) = &mut self.skipping {
                    if *skipped == name {
                        *depth -= 1;
                        if *depth == 0 {
                            self.skipping = None;
                        }
                    }
                    return;
                }
                self.end(&name);
            }
            Token::String(text) => {
                let text = String::from_utf8_lossy(&text.value);
                if self.in_title {
                    self.title.push_str(&text);
                } else if self.skipping.is_none() {
                    self.push_text(&text);
                }
            }
            _ => {}
        }
    }

    fn start(
        &mut self,
        name: &str,
        self_closing: bool,
        attribute: &dyn Fn(&str) -> Option<String>,
    ) {
        match name {
            "a" => {
                if let Some(href) = attribute("href") {
                    self.close_link();
                    self.link = Some((href, self.line.text.len()));
                }
            }
            "strong" | "b" => self.bold += 1,
            "time" => {
                if let Some(datetime) = attribute("datetime") {
                    self.line.datetime = Some(datetime);
                }
            }
            "td" | "th" => self.push_text(" "),
            "ol" => {
                self.flush();
                let start = attribute("start").and_then(|s| s.trim().parse::<u32>().ok());
                self.lists.push(Some(start.unwrap_or(1)));
            }
            "ul" => {
                self.flush();
                self.lists.push(None);
            }
            "li" => {
                self.flush();
                self.open_items += 1;
                if let Some(Some(n)) = self.lists.last_mut() {
                    let label = format!("{n}. ");
                    *n = n.saturating_add(1);
                    self.line.text.push_str(&label);
                }
            }
            _ if name.len() == 2 && name.starts_with('h') => {
                self.flush();
                self.line.heading = name[1..].parse().unwrap_or(0);
            }
            _ if BLOCKS.contains(&name) => {
                // Inside a list item, a paragraph or break continues the item's line.
                if self.open_items > 0 {
                    self.push_text(" ");
                } else {
                    self.flush();
                }
            }
            _ => {}
        }
        let _ = self_closing;
    }

    fn end(&mut self, name: &str) {
        match name {
            "a" => self.close_link(),
            "strong" | "b" => self.bold = self.bold.saturating_sub(1),
            "li" => {
                self.flush();
                self.open_items = self.open_items.saturating_sub(1);
            }
            "ol" | "ul" => {
                self.flush();
                self.lists.pop();
            }
            _ if BLOCKS.contains(&name) => {
                if self.open_items > 0 && !(name.len() == 2 && name.starts_with('h')) {
                    self.push_text(" ");
                } else {
                    self.flush();
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if self.line.text.len() >= MAX_LINE_CHARS * 4 {
            return;
        }
        for c in text.chars() {
            let c = if is_layout_space(c) { ' ' } else { c };
            if c == ' ' && (self.line.text.is_empty() || self.line.text.ends_with(' ')) {
                continue;
            }
            self.line.text.push(c);
            if c != ' ' {
                self.line.all_chars += 1;
                if self.bold > 0 {
                    self.line.bold_chars += 1;
                }
            }
        }
    }

    fn close_link(&mut self) {
        let Some((href, start)) = self.link.take() else {
            return;
        };
        let text = self.line.text.get(start..).unwrap_or("").trim();
        if text.is_empty() {
            return;
        }
        let lead = self.line.text.get(start..).unwrap_or("").len()
            - self.line.text.get(start..).unwrap_or("").trim_start().len();
        self.line.links.push(Link {
            text: text.to_string(),
            href,
            start: start + lead,
        });
    }

    /// Ends the line being built (a link open across it is cut there and goes on in the
    /// next line).
    fn flush(&mut self) {
        let open = self.link.as_ref().map(|(href, _)| href.clone());
        self.close_link();
        let line = std::mem::take(&mut self.line);
        let text = line.text.trim_end().to_string();
        if !text.is_empty() {
            let bold = line.all_chars > 0 && line.bold_chars == line.all_chars;
            let heading = match line.heading {
                0 if bold && line.links.is_empty() => 7,
                h => h,
            };
            self.page.lines.push(Line {
                text: text.chars().take(MAX_LINE_CHARS).collect(),
                links: line.links,
                heading,
                datetime: line.datetime,
            });
        }
        self.link = open.map(|href| (href, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_blocks_become_lines_with_their_links() {
        let page = page_lines(
            br#"<!DOCTYPE html><html lang="en"><head><title>A call | OHCHR</title>
            <script>var x = "<p><a href='x.pdf'>trap</a></p>";</script></head><body>
            <nav><ul><li><a href="/">Home</a></li></ul></nav>
            <h1>Call for input: <span>Things</span></h1>
            <div><div>Deadline</div><div><time datetime="2024-04-30T12:00:00Z">30 April 2024</time></div></div>
            <ol><li>First question?</li><li><p>Second</p><p>question?</p></li></ol>
            <h4>States</h4>
            <p>Albania: <a href="https://x.org/a%20b.pdf">input</a> | <a href="/c.docx">annex</a></p>
            <p><a href="d.pdf"><span>Children&#039;s Rights Org</span></a></p>
            <p><strong>CSOs</strong></p>
            <footer><a href="/contact">Contact us</a></footer></body></html>"#,
        );
        assert!(page.html);
        assert_eq!(page.title.as_deref(), Some("A call | OHCHR"));
        assert_eq!(page.lang.as_deref(), Some("en"));
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Call for input: Things",
                "Deadline",
                "30 April 2024",
                "1. First question?",
                "2. Second question?",
                "States",
                "Albania: input | annex",
                "Children's Rights Org",
                "CSOs",
            ]
        );
        assert_eq!(page.lines[0].heading, 1);
        assert_eq!(
            page.lines[2].datetime.as_deref(),
            Some("2024-04-30T12:00:00Z")
        );
        let albania = &page.lines[6];
        assert_eq!(albania.links.len(), 2);
        assert_eq!(albania.links[0].text, "input");
        assert_eq!(albania.links[0].href, "https://x.org/a%20b.pdf");
        assert_eq!(&albania.text[albania.links[1].start..], "annex");
        assert_eq!(page.lines[7].links[0].text, "Children's Rights Org");
        assert_eq!(page.lines[8].heading, 7, "a bold-only block is a heading");
    }

    #[test]
    fn text_pages_are_read_line_by_line() {
        let page = page_lines("Inputs Received\r\n\r\nAlbania: input | annex\n".as_bytes());
        assert!(!page.html);
        assert_eq!(page.lines[2].text, "Albania: input | annex");
        assert!(page.lines[2].links.is_empty());
    }

    #[test]
    fn hostile_pages_are_read_within_bounds() {
        let mut huge = b"<html><body>".to_vec();
        huge.extend(std::iter::repeat_n(b"<div><p>x</p>".as_slice(), 3_000_000).flatten());
        let page = page_lines(&huge);
        assert!(page.truncated);
        assert!(page.lines.len() <= MAX_LINES);
        let unclosed = page_lines(b"<html><script>never closed <p>a</p>");
        assert!(unclosed.lines.is_empty());
    }
}
