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

/// The formula that closes a diplomatic note, wherever it stands in its sentence.
const COURTESIES: [&str; 10] = [
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
