//! Page furniture and letter closings: lines that are not part of any answer (page
//! numbers, "Geneva, 30 April 2024", "Yours sincerely").

const MONTHS: [&str; 48] = [
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
];
const CLOSINGS: [&str; 19] = [
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
    let lower = text.trim().to_lowercase();
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
    let has_year = lower
        .split(|c: char| !c.is_ascii_digit())
        .any(|d| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")));
    let has_month = lower
        .split(|c: char| !c.is_alphabetic())
        .any(|w| MONTHS.contains(&w));
    words <= 12 && has_year && has_month && lower.contains(',')
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
        ] {
            assert!(is_closing(line), "{line}");
        }
        for line in [
            "Hotlines received more reports than ever; for further information see the table below, which sets out the number of reports by year, by platform and by the age of the child concerned, as collected by the national hotline and the police over the last three years in all regions of the country and abroad.",
            "Tenants who contact the tribunal wait a year for a hearing.",
        ] {
            assert!(!is_closing(line), "{line}");
        }
    }
}
