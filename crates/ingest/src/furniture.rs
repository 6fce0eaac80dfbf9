//! Page furniture and letter closings: lines that are not part of any answer (page
//! numbers, "Geneva, 30 April 2024", "Yours sincerely").

/// Month names as dates write them: Russian in the genitive ("4 апреля 2024") and in the
/// nominative ("апрель 2024").
const MONTHS: [&str; 60] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];
const CLOSINGS: [&str; 40] = [
    "pour le ministère",
    "pour la mission",
    "por el ministerio",
    "for the ministry",
    "on behalf of",
    "en nombre de",
    "signed",
    "firmado",
    "signé",
    "yours sincerely",
    "sincerely",
    "respectfully",
    "atentamente",
    "cordialmente",
    "veuillez agréer",
    "cordialement",
    "с уважением",
    "please accept the assurances",
    "the permanent mission of",
    "kind regards",
    "best regards",
    "with best regards",
    "with respect",
    "in solidarity",
    "with gratitude",
    "saludos cordiales",
    "un saludo cordial",
    "con respeto",
    "con todo respeto",
    "respetuosamente",
    "en solidaridad",
    "fraternalmente",
    "bien cordialement",
    "respectueusement",
    "solidairement",
    "en toute solidarité",
    "avec nos salutations",
    "с наилучшими пожеланиями",
    "с искренним уважением",
    "с благодарностью",
];

/// Openings of a last line giving a contact ("For further information, please contact…"),
/// in a line of at most 40 words.
const CONTACTS: [&str; 9] = [
    "for further information",
    "for more information",
    "para más información",
    "para mayor información",
    "pour plus d'informations",
    "pour toute information",
    "за дополнительной информацией",
    "contact:",
    "contacto:",
];

/// The formula that closes a letter or a diplomatic note, wherever it stands in its
/// sentence: the sender remains at the addressee's disposal, or offers its highest
/// consideration.
const COURTESIES: [&str; 24] = [
    "remain at your disposal",
    "remains at your disposal",
    "remain at the disposal",
    "remains at the disposal",
    "queda a disposición",
    "quedamos a disposición",
    "queda a su disposición",
    "quedamos a su disposición",
    "se tient à la disposition",
    "se tient à votre disposition",
    "reste à la disposition",
    "reste à votre disposition",
    "остаемся в вашем распоряжении",
    "остаётся в распоряжении",
    "avails itself of this opportunity",
    "highest consideration",
    "hago propicia la ocasión",
    "aprovecha la oportunidad para reiterar",
    "aprovecha esta oportunidad para reiterar",
    "distinguida consideración",
    "saisit cette occasion",
    "haute considération",
    "пользуется случаем",
    "уверения в своем",
];

/// A line that only numbers the page: "3", "- 3 -", "Page 3 of 8", "Página 3 de 8",
/// "3 / 8", "Стр. 3".
pub(crate) fn is_page_number(text: &str) -> bool {
    const WORDS: [&str; 12] = [
        "page",
        "pages",
        "página",
        "pagina",
        "pág",
        "p",
        "стр",
        "страница",
        "of",
        "de",
        "sur",
        "из",
    ];
    let lower = text.trim().to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '/' | '.'))
        .filter(|t| !t.is_empty())
        .collect();
    !tokens.is_empty()
        && tokens.len() <= 5
        && (1..=2).contains(
            &tokens
                .iter()
                .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
                .count(),
        )
        && tokens
            .iter()
            .all(|t| t.chars().all(|c| c.is_ascii_digit()) || WORDS.contains(t))
}

/// A closing line: a place and date ("Geneva, 4 April 2024") or a complimentary close.
pub(crate) fn is_closing(text: &str) -> bool {
    let lower = lowercase_colons(text.trim());
    let words = lower.split_whitespace().count();
    if words <= 20 && CLOSINGS.iter().any(|c| lower.starts_with(c)) {
        return true;
    }
    if words <= 40 && CONTACTS.iter().any(|c| lower.starts_with(c)) {
        return true;
    }
    if words <= 60 && COURTESIES.iter().any(|c| lower.contains(c)) {
        return true;
    }
    is_place_and_date(&lower)
}

/// A short paragraph opening with a place and date that ends its first sentence ("Issued
/// at Lyon, May 2024. For further information…"): a closing where a document ends, not
/// where a dated paragraph opens a section.
pub(crate) fn opens_with_place_and_date(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    lower.split_whitespace().count() <= 40
        && lower.split_once(". ").is_some_and(|(first, _)| {
            // The sentence ends in the year ("…, May 2024", "…, апрель 2024 г").
            let ends_in_year = first
                .trim_end_matches(['.', ' ', 'г'])
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .is_some_and(|year| year.len() == 4);
            ends_in_year && is_place_and_date(first)
        })
}

/// Openings of a line signing for the submitter ("For the Association: the Chair…", "Pour
/// le Réseau, la présidente…"), in a short line among a document's last ones.
const SIGNING: [&str; 10] = [
    "for the ",
    "on behalf of ",
    "pour le ",
    "pour la ",
    "pour l'",
    "au nom de ",
    "por el ",
    "por la ",
    "от имени ",
    "по поручению ",
];

/// A short line signing for the submitter: a closing where a document ends (elsewhere
/// "For the first time…" opens a sentence).
pub(crate) fn signs_for(text: &str) -> bool {
    let lower = text.trim().to_lowercase().replace('’', "'");
    lower.split_whitespace().count() <= 30 && SIGNING.iter().any(|s| lower.starts_with(s))
}

/// Labels opening a run-in list of references ("References: A. Author, Title, 2028").
const REFERENCES: [&str; 10] = [
    "references:",
    "sources:",
    "bibliography:",
    "referencias:",
    "fuentes:",
    "bibliografía:",
    "références:",
    "bibliographie:",
    "источники:",
    "литература:",
];

/// A reference written as a paragraph: an endnote ("[2] A. Author, Title, 2029.") or a
/// run-in list of references. Like a footnote, it answers no question.
pub(crate) fn is_reference(text: &str) -> bool {
    // Only its opening is looked at, and every paragraph is.
    let opening: String = text.trim_start().chars().take(24).collect();
    let lower = lowercase_colons(&opening);
    let endnote = lower.strip_prefix('[').is_some_and(|rest| {
        rest.split_once(']').is_some_and(|(n, _)| {
            (1..=3).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit())
        })
    });
    endnote || REFERENCES.iter().any(|r| lower.starts_with(r))
}

/// `text` lowercased, with a colon after its word as English writes it: French sets a space
/// (often a no-break or narrow one) before it ("Contact : …", "Références : …").
fn lowercase_colons(text: &str) -> String {
    text.to_lowercase()
        .replace(['\u{a0}', '\u{202f}'], " ")
        .replace(" :", ":")
}

/// "Geneva, 4 April 2024", "Lima, abril de 2024": a few words, a comma, a month, a year.
fn is_place_and_date(lower: &str) -> bool {
    let has_year = lower
        .split(|c: char| !c.is_ascii_digit())
        .any(|d| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")));
    let has_month = lower
        .split(|c: char| !c.is_alphabetic())
        .any(|w| MONTHS.contains(&w));
    lower.split_whitespace().count() <= 12 && has_year && has_month && lower.contains(',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lines_and_offers_of_further_help_close_a_submission() {
        for line in [
            "For further information, please contact the policy team at policy@example.org.",
            "Contact: coordination, 12 rue des Tanneurs, Lyon.",
            "The Foundation remains at the disposal of the Special Rapporteur for any further information.",
            "La Fundación queda a disposición de la Relatora Especial para ampliar la información.",
            "Le Collectif se tient à la disposition de la Rapporteuse spéciale.",
            "Yours sincerely,",
            "Geneva, 4 April 2024",
            "Contact : coordination@example.org",
            "Министерство труда, Москва, апрель 2024",
            "In solidarity, the board of the Example Union.",
            "Con respeto, la coordinación de la Red Ejemplo.",
        ] {
            assert!(is_closing(line), "{line}");
        }
        for line in [
            "Hotlines received more reports than ever; for further information see the table below, which sets out the number of reports by year, by platform and by the age of the child concerned, as collected by the national hotline and the police over the last three years in all regions of the country and abroad.",
            "Tenants who contact the tribunal wait a year for a hearing.",
        ] {
            assert!(!is_closing(line), "{line}");
        }
        assert!(opens_with_place_and_date(
            "Issued at Lyon, May 2024. For further information, please write to the secretariat."
        ));
        assert!(!opens_with_place_and_date(
            "In May 2024, the court ruled that evictions need notice. Since then, tenants have won most of their cases."
        ));
        assert!(signs_for(
            "For the Association: A. Example, Chair, and B. Example, Secretary"
        ));
        assert!(is_reference(
            "[2] Example Network, A survey of 1,200 young people, 2029."
        ));
        assert!(is_reference(
            "Références : Observatoire, Rapport annuel, 2028."
        ));
        assert!(!is_reference(
            "[Translated from Spanish] The Ministry reports that…"
        ));
        assert!(!is_reference(
            "Sources of funding are scarce in rural districts."
        ));
        assert!(signs_for("Pour le Réseau, la présidente, A. Exemple"));
        assert!(!signs_for(
            "Hotlines received more reports than ever before, and the figures below set out how many came in each year from every region, by platform, by the age of the child and by the kind of material reported to them."
        ));
    }
}
