//! The brief as Markdown (footnotes in the `[^n]` syntax pandoc and GitHub read) and as a
//! standalone HTML page (footnotes as numbered endnotes with links back).

use std::fmt::Write;

use super::{Brief, BriefPassage, who};

/// A permalink made absolute with `base` (or left as it is when `base` is empty).
pub(crate) fn link(base: &str, permalink: &str) -> String {
    format!("{}{permalink}", base.trim_end_matches('/'))
}

/// Text safe inside Markdown: characters that would start markup are escaped.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The brief as Markdown; `base` makes permalinks absolute.
pub fn markdown(brief: &Brief, base: &str) -> String {
    let mut out = String::new();
    let mut notes: Vec<String> = Vec::new();
    let mut quote = |out: &mut String, p: &BriefPassage| {
        notes.push(format!(
            "{} <{}>",
            md_escape(&p.citation),
            link(base, &p.permalink)
        ));
        let lines: Vec<String> = p
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("> {}", md_escape(l.trim())))
            .collect();
        let _ = writeln!(out, "{}[^{}]\n", lines.join("\n>\n"), notes.len());
        if !p.also_from.is_empty() {
            let _ = writeln!(
                out,
                "*Also sent by: {}*\n",
                md_escape(&p.also_from.join(", "))
            );
        }
    };
    let _ = writeln!(
        out,
        "# Question {}: {}\n",
        brief.question,
        md_escape(&brief.short)
    );
    let _ = writeln!(
        out,
        "{} — {}\n",
        md_escape(&brief.title),
        md_escape(&brief.mandate)
    );
    let _ = writeln!(out, "> {}\n", md_escape(&brief.text));
    if let Some(category) = &brief.category {
        let _ = writeln!(out, "Only {}.\n", md_escape(category));
    }
    let _ = writeln!(out, "## Overview\n");
    let _ = writeln!(
        out,
        "| Category | Submissions on this question | of | Passages |\n| --- | ---: | ---: | ---: |"
    );
    for c in &brief.counts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md_escape(&c.category),
            c.submissions,
            c.of_submissions,
            c.passages
        );
    }
    out.push('\n');
    if !brief.key_quotes.is_empty() {
        let _ = writeln!(out, "## Key quotes\n");
        for p in &brief.key_quotes {
            let _ = writeln!(
                out,
                "**{}**\n",
                md_escape(&who(&p.submitter, None, p.confidential))
            );
            quote(&mut out, p);
        }
    }
    for section in &brief.sections {
        let _ = writeln!(out, "## {}\n", md_escape(&section.category));
        for sub in &section.submissions {
            let _ = writeln!(
                out,
                "### {}\n",
                md_escape(&who(
                    &sub.submitter,
                    sub.country.as_deref(),
                    sub.confidential
                ))
            );
            for p in &sub.passages {
                quote(&mut out, p);
            }
            if sub.more > 0 {
                let _ = writeln!(out, "*{} more passages on this question*\n", sub.more);
            }
        }
    }
    if !brief.possible.is_empty() {
        let _ = writeln!(
            out,
            "## May also address this question\n\n*Not tagged with it; their passage closest to the answers above. Check, and tag where it answers.*\n"
        );
        for p in &brief.possible {
            let _ = writeln!(
                out,
                "**{}**\n",
                md_escape(&who(&p.submitter, None, p.confidential))
            );
            quote(&mut out, p);
        }
    }
    let _ = writeln!(out, "## No input on this question from:\n");
    if brief.no_input.is_empty() {
        let _ = writeln!(out, "Every submission addressed it.\n");
    }
    for n in &brief.no_input {
        let _ = writeln!(
            out,
            "- {} ({})",
            md_escape(&n.submitter),
            md_escape(&place_of(&n.category, n.country.as_deref()))
        );
    }
    if !brief.no_input.is_empty() {
        out.push('\n');
    }
    for (i, note) in notes.iter().enumerate() {
        let _ = writeln!(out, "[^{}]: {note}", i + 1);
    }
    out
}

fn place_of(category: &str, country: Option<&str>) -> String {
    match country {
        Some(country) if !country.is_empty() => format!("{category}, {country}"),
        _ => category.to_string(),
    }
}

/// Text safe inside HTML elements and attributes (the index's escaping of snippets).
fn h(text: &str) -> String {
    cfi_index::html_escape(text)
}

/// The brief as a standalone HTML page; `base` makes permalinks absolute.
pub fn html(brief: &Brief, base: &str) -> String {
    let mut out = String::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut quote = |out: &mut String, p: &BriefPassage| {
        notes.push((p.citation.clone(), link(base, &p.permalink)));
        let n = notes.len();
        let _ = write!(out, "<blockquote id=\"ref{n}\">");
        for line in p.text.lines().filter(|l| !l.trim().is_empty()) {
            let _ = write!(out, "<p>{}</p>", h(line.trim()));
        }
        let _ = writeln!(out, "<sup><a href=\"#note{n}\">{n}</a></sup></blockquote>");
        if !p.also_from.is_empty() {
            let _ = writeln!(
                out,
                "<p><em>Also sent by: {}</em></p>",
                h(&p.also_from.join(", "))
            );
        }
    };
    let title = format!("Question {}: {}", brief.question, brief.short);
    let _ = writeln!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}}blockquote{{border-left:3px solid #999;margin:1rem 0;padding-left:1rem}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .6rem}}</style></head><body>",
        h(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", h(&title));
    let _ = writeln!(
        out,
        "<p>{} — {}</p>\n<blockquote class=\"question\">{}</blockquote>",
        h(&brief.title),
        h(&brief.mandate),
        h(&brief.text)
    );
    if let Some(category) = &brief.category {
        let _ = writeln!(out, "<p>Only {}.</p>", h(category));
    }
    let _ = writeln!(
        out,
        "<h2>Overview</h2>\n<table><tr><th>Category</th><th>Submissions on this question</th><th>of</th><th>Passages</th></tr>"
    );
    for c in &brief.counts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(&c.category),
            c.submissions,
            c.of_submissions,
            c.passages
        );
    }
    let _ = writeln!(out, "</table>");
    if !brief.key_quotes.is_empty() {
        let _ = writeln!(out, "<h2>Key quotes</h2>");
        for p in &brief.key_quotes {
            let _ = writeln!(
                out,
                "<p><strong>{}</strong></p>",
                h(&who(&p.submitter, None, p.confidential))
            );
            quote(&mut out, p);
        }
    }
    for section in &brief.sections {
        let _ = writeln!(out, "<h2>{}</h2>", h(&section.category));
        for sub in &section.submissions {
            let _ = writeln!(
                out,
                "<h3>{}</h3>",
                h(&who(
                    &sub.submitter,
                    sub.country.as_deref(),
                    sub.confidential
                ))
            );
            for p in &sub.passages {
                quote(&mut out, p);
            }
            if sub.more > 0 {
                let _ = writeln!(
                    out,
                    "<p><em>{} more passages on this question</em></p>",
                    sub.more
                );
            }
        }
    }
    if !brief.possible.is_empty() {
        let _ = writeln!(
            out,
            "<h2>May also address this question</h2>\n<p><em>Not tagged with it; their passage closest to the answers above. Check, and tag where it answers.</em></p>"
        );
        for p in &brief.possible {
            let _ = writeln!(
                out,
                "<p><strong>{}</strong></p>",
                h(&who(&p.submitter, None, p.confidential))
            );
            quote(&mut out, p);
        }
    }
    let _ = writeln!(out, "<h2>No input on this question from:</h2>\n<ul>");
    for n in &brief.no_input {
        let _ = writeln!(
            out,
            "<li>{} ({})</li>",
            h(&n.submitter),
            h(&place_of(&n.category, n.country.as_deref()))
        );
    }
    let _ = writeln!(out, "</ul>\n<hr><ol class=\"notes\">");
    for (i, (citation, permalink)) in notes.iter().enumerate() {
        let n = i + 1;
        let _ = writeln!(
            out,
            "<li id=\"note{n}\">{} <a href=\"{}\">{}</a> <a href=\"#ref{n}\">↩</a></li>",
            h(citation),
            h(permalink),
            h(permalink)
        );
    }
    let _ = writeln!(out, "</ol></body></html>");
    out
}
