//! The words of call pages in the languages the UN publishes them in: the labels of their
//! fields, the names of stakeholder categories, the words of links to submission files.
//! Site vocabulary, the same for every call, never one call's topic.

use unicode_normalization::UnicodeNormalization;

/// Lowercase, accents removed, apostrophes unified, whitespace collapsed: how labels and
/// names are compared.
pub fn fold(text: &str) -> String {
    let lowered: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '’' | '‘' | '`' | '´' => '\'',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    crate::lines::collapse(&lowered)
}

/// Lowercase words of letters and digits, accents removed.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Words for matching names across scripts: [`tokens`], with Cyrillic words written in
/// Latin letters ("Светлый берег" -> "svetlyi bereg"), so a page that names a submitter in
/// one script finds its file named in the other.
pub fn match_tokens(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .map(|w| {
            if w.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)) {
                w.chars().map(latin).collect()
            } else {
                w
            }
        })
        .collect()
}

/// A lowercase Cyrillic letter in Latin letters (after BGN/PCGN, simplified).
fn latin(c: char) -> String {
    let s = match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'є' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ї' => "yi",
        'й' | 'ы' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        other => return other.to_string(),
    };
    s.to_string()
}

/// Labels naming who issued a call.
pub const ISSUED_BY: [&str; 8] = [
    "issued by",
    "emitido por",
    "emitida por",
    "publicado por",
    "publie par",
    "emis par",
    "lance par",
    "опубликовано",
];

/// Labels of the deadline for submissions.
pub const DEADLINE: [&str; 12] = [
    "deadline",
    "submission deadline",
    "deadline for submissions",
    "deadline for submission",
    "fecha limite",
    "plazo",
    "date limite",
    "date limite de soumission",
    "date butoir",
    "delai",
    "крайний срок",
    "срок",
];

/// Labels of the date a call was issued.
pub const ISSUED: [&str; 10] = [
    "issued",
    "date issued",
    "published",
    "date of publication",
    "publication date",
    "opening date",
    "fecha de publicacion",
    "publicado",
    "date de publication",
    "publie le",
];

/// Headings of the list of inputs received.
pub const INPUTS_RECEIVED: [&str; 19] = [
    "inputs received",
    "aportaciones recibidas",
    "comunicaciones recibidas",
    "presentaciones recibidas",
    "soumissions recues",
    "communications recues",
    "input received",
    "submissions received",
    "contributions received",
    "responses received",
    "replies received",
    "contribuciones recibidas",
    "aportes recibidos",
    "respuestas recibidas",
    "insumos recibidos",
    "contributions recues",
    "reponses recues",
    "полученные материалы",
    "полученные ответы",
];

/// Lines that end a page's content ("VIEW THIS PAGE IN:" before the language links).
pub const PAGE_END: [&str; 11] = [
    "view this page in",
    "also available in",
    "available in",
    "aussi disponible en",
    "disponible en",
    "tambien disponible en",
    "ver esta pagina en",
    "voir cette page en",
    "consulter cette page en",
    "просмотреть эту страницу на",
    "عرض هذه الصفحة",
];

/// How the site's footer starts, when a page saved as text keeps it.
pub const FOOTER_START: [&str; 14] = [
    "last updated",
    "ultima actualizacion",
    "derniere mise a jour",
    "privacy notice",
    "cookie",
    "back to top",
    "legal notice",
    "terms of use",
    "privacy policy",
    "mentions legales",
    "aviso legal",
    "politique de confidentialite",
    "politica de privacidad",
    "all rights reserved",
];

/// Column headings of a table of inputs ("Submitter | Documents").
const COLUMN_HEADERS: [&str; 12] = [
    "documents",
    "document",
    "files",
    "links",
    "fichiers",
    "liens",
    "documentos",
    "archivos",
    "enlaces",
    "документы",
    "inputs",
    "contributions",
];

/// Whether a table cell is a column's heading.
pub fn is_column_header(cell: &str) -> bool {
    COLUMN_HEADERS.contains(&fold(cell.trim()).as_str())
}

/// Words a category heading may add to the names below ("Défenseurs", "mécanismes").
const CATEGORY_EXTRA: [&str; 29] = [
    "independent",
    "trade",
    "unions",
    "sindicatos",
    "syndicats",
    "workers",
    "employers",
    "associations",
    "foundations",
    "experts",
    "authorities",
    "autorites",
    "autoridades",
    "bodies",
    "institutions",
    "defenseurs",
    "defensores",
    "defensorias",
    "mediateurs",
    "ombudsman",
    "ombudsmen",
    "organismes",
    "organismos",
    "mecanismes",
    "mecanismos",
    "mechanisms",
    "organisations",
    "agencies",
    "entities",
];

/// Whether a short line is made only of the words stakeholder categories are named with
/// (in any of the languages of [`CATEGORIES`]): a category heading of a text page.
pub fn is_category_like(line: &str) -> bool {
    let line = line.trim_end_matches(':');
    if line.split_whitespace().count() > 8
        || line.ends_with('.')
        || line.chars().any(|c| c.is_ascii_digit())
    {
        return false;
    }
    let singular = |w: &str| w.strip_suffix('s').unwrap_or(w).to_string();
    let vocabulary: std::collections::BTreeSet<String> = CATEGORIES
        .iter()
        .flat_map(|names| names.iter())
        .flat_map(|name| tokens(name))
        .chain(CATEGORY_EXTRA.iter().map(|w| (*w).to_string()))
        .map(|w| singular(&w))
        .collect();
    let content: Vec<String> = tokens(line)
        .into_iter()
        .filter(|w| !is_generic(w) && w.chars().count() > 1)
        .collect();
    !content.is_empty() && content.iter().all(|w| vocabulary.contains(&singular(w)))
}

/// Words that name a body that can send an input: an organisation, an office, a school.
const BODY_WORDS: [&str; 58] = [
    "agency",
    "alliance",
    "association",
    "asociacion",
    "associacao",
    "center",
    "centre",
    "centro",
    "coalition",
    "coalicion",
    "collective",
    "colectivo",
    "collectif",
    "commission",
    "comision",
    "committee",
    "comite",
    "council",
    "consejo",
    "conseil",
    "defensoria",
    "federation",
    "federacion",
    "forum",
    "foundation",
    "fundacion",
    "fondation",
    "fund",
    "government",
    "gobierno",
    "gouvernement",
    "group",
    "grupo",
    "initiative",
    "institute",
    "instituto",
    "institut",
    "league",
    "liga",
    "ministry",
    "ministerio",
    "ministere",
    "mission",
    "mision",
    "network",
    "red",
    "reseau",
    "office",
    "oficina",
    "ombudsman",
    "organization",
    "organisation",
    "organizacion",
    "society",
    "sociedad",
    "trust",
    "union",
    "university",
];

/// The sender a title page names in its first lines (the letterhead): a short line, not a
/// sentence, naming a body ("... Collective", "Permanent Mission of ...", "... Union
/// (SAWU)"). For a file the call page does not list, until staff name its submitter.
pub fn letterhead(head: &str) -> Option<String> {
    head.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(4)
        // "Name: submission to ...", "Name – Contribution": the part before.
        .map(|line| {
            [": ", " – ", " — ", " - ", " | "]
                .iter()
                .filter_map(|sep| line.split_once(sep).map(|(name, _)| name))
                .min_by_key(|name| name.len())
                .unwrap_or(line)
                .trim()
        })
        .find(|line| {
            let words = line.split_whitespace().count();
            let last = line.chars().last().unwrap_or('.');
            (2..=12).contains(&words)
                && line.chars().count() <= 100
                && !line.chars().any(|c| c.is_ascii_digit())
                && !matches!(last, '.' | ':' | ',' | ';')
                && line.chars().next().is_some_and(char::is_uppercase)
                && tokens(line)
                    .iter()
                    .any(|w| BODY_WORDS.contains(&w.as_str()))
        })
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Headings of what follows the inputs on a page (related links, sharing, contact).
pub const AFTER_INPUTS: [&str; 16] = [
    "related",
    "related content",
    "related links",
    "related calls",
    "see also",
    "share",
    "share this page",
    "contact",
    "contact us",
    "contenido relacionado",
    "vease tambien",
    "compartir",
    "contenu associe",
    "voir aussi",
    "partager",
    "смотрите также",
];

/// Stakeholder categories as call pages name them, each with the names it goes by in
/// English, Spanish, French and Russian; the first is the one `call.toml` uses when a page
/// gives none.
pub const CATEGORIES: [&[&str]; 10] = [
    &[
        "States",
        "Member States",
        "States and territories",
        "Governments",
        "Government",
        "Estados",
        "Estados miembros",
        "Gobiernos",
        "Estados miembros de las Naciones Unidas",
        "Etats",
        "Etats membres",
        "Gouvernements",
        "Государства",
    ],
    &[
        "NHRIs",
        "NHRI",
        "National human rights institutions",
        "National human rights institution",
        "INDH",
        "Instituciones nacionales de derechos humanos",
        "Institutions nationales des droits de l'homme",
        "Institutions nationales des droits humains",
        "НПУ",
    ],
    &[
        "UN entities",
        "UN agencies",
        "United Nations entities",
        "United Nations agencies",
        "UN bodies",
        "Entidades de las Naciones Unidas",
        "Organismos de las Naciones Unidas",
        "Entites des Nations Unies",
        "Organismes des Nations Unies",
    ],
    &[
        "Regional mechanism",
        "Regional mechanisms",
        "Regional organizations",
        "Regional organisations",
        "Intergovernmental organizations",
        "International organizations",
        "Organizaciones intergubernamentales",
        "Organisations intergouvernementales",
        "Mecanismos regionales",
        "Organizaciones regionales",
        "Mecanismes regionaux",
        "Organisations regionales",
    ],
    &[
        "National mechanism",
        "National mechanisms",
        "National preventive mechanisms",
        "Mecanismos nacionales",
        "Mecanismes nationaux",
    ],
    &[
        "Children's Commissioners",
        "Children's Commissioner",
        "Ombudspersons",
        "Ombudspersons for children",
        "Defensorias de la ninez",
        "Defensores de la ninez",
        "Defenseurs des enfants",
    ],
    &[
        "CSOs",
        "CSO",
        "Civil society",
        "Civil society organizations",
        "Civil society organisations",
        "NGOs",
        "Non-governmental organizations",
        "OSC",
        "Organizaciones de la sociedad civil",
        "Sociedad civil",
        "ONG",
        "Societe civile",
        "Organisations de la societe civile",
        "Гражданское общество",
    ],
    &[
        "Academia",
        "Academics",
        "Academic institutions",
        "Universities",
        "Research institutions",
        "Academia e instituciones de investigacion",
        "Instituciones academicas",
        "Institutions academiques",
        "Universidades",
        "Milieu universitaire",
        "Universites",
        "Академические круги",
    ],
    &[
        "Private sector",
        "Business",
        "Business enterprises",
        "Companies",
        "Sector privado",
        "Empresas",
        "Secteur prive",
        "Entreprises",
        "Частный сектор",
    ],
    &[
        "Other stakeholders",
        "Others",
        "Other",
        "Individuals",
        "Otras partes interesadas",
        "Otros",
        "Autres parties prenantes",
        "Autres",
        "Другие заинтересованные стороны",
    ],
];

/// Whether `line` names a stakeholder category (in any of its names and languages).
pub fn is_category(line: &str) -> bool {
    let folded = fold(line.trim_end_matches(':'));
    CATEGORIES
        .iter()
        .flat_map(|names| names.iter())
        .any(|name| fold(name) == folded)
}

/// The usual category a page's heading stands for, by any of its names.
pub fn usual_category(line: &str) -> Option<&'static str> {
    let folded = fold(line.trim_end_matches(':'));
    CATEGORIES
        .iter()
        .find(|names| names.iter().any(|name| fold(name) == folded))
        .and_then(|names| names.first().copied())
}

/// First words of the text of a link to an annex.
const ANNEX_WORDS: [&str; 10] = [
    "annex",
    "anex",
    "appendix",
    "apendice",
    "attachment",
    "adjunto",
    "piece jointe",
    "pieces jointes",
    "приложение",
    "ملحق",
];

/// First words of the text of a link to a submission or one of its files.
const LINK_WORDS: [&str; 66] = [
    "traduccion",
    "traduction",
    "translated",
    "francais",
    "espanol",
    "portugues",
    "deutsch",
    "русский",
    "english",
    "arabe",
    "ruso",
    "chino",
    "ingles",
    "input",
    "submission",
    "contribution",
    "contribucion",
    "aporte",
    "aportacion",
    "insumo",
    "respuesta",
    "response",
    "reply",
    "reponse",
    "letter",
    "carta",
    "lettre",
    "note",
    "nota",
    "report",
    "informe",
    "rapport",
    "document",
    "documento",
    "version",
    "english",
    "spanish",
    "french",
    "russian",
    "arabic",
    "chinese",
    "espanol",
    "ingles",
    "frances",
    "anglais",
    "espagnol",
    "en",
    "es",
    "fr",
    "ru",
    "ar",
    "zh",
    "pdf",
    "word",
    "docx",
    "doc",
    "part",
    "parte",
    "partie",
    "summary",
    "resumen",
    "resume",
    "translation",
    "original",
    "вклад",
    "ответ",
];

/// Whether a link's text says it leads to an annex.
pub fn is_annex_label(label: &str) -> bool {
    let folded = fold(label);
    ANNEX_WORDS.iter().any(|w| folded.starts_with(w))
}

/// Whether a piece of text after a submitter's name is the text of a link to one of its
/// files ("input", "annex-2", "input (PDF)", "contribución", "EN").
pub fn is_link_label(label: &str) -> bool {
    let folded = fold(label);
    let first = folded
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    // The first or second word says it ("input (PDF)", "Unofficial translation (EN)").
    let second = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .nth(1)
        .unwrap_or("");
    let link_word = |w: &str| LINK_WORDS.iter().any(|x| fold(x) == w);
    !first.is_empty()
        && folded.split_whitespace().count() <= 4
        && (is_annex_label(&folded)
            || link_word(first)
            || link_word(second)
            || first.chars().all(|c| c.is_ascii_digit()))
}

/// Words that say nothing about who sent a file: articles and prepositions, and the words
/// every submission's name or title page carries.
pub const GENERIC: [&str; 98] = [
    "a",
    "an",
    "and",
    "the",
    "of",
    "for",
    "on",
    "in",
    "to",
    "by",
    "at",
    "with",
    "from",
    "de",
    "del",
    "la",
    "las",
    "los",
    "el",
    "y",
    "e",
    "en",
    "por",
    "para",
    "le",
    "les",
    "des",
    "du",
    "et",
    "pour",
    "sur",
    "au",
    "aux",
    "l",
    "d",
    "s",
    "dr",
    "mr",
    "ms",
    "prof",
    "professor",
    "input",
    "inputs",
    "submission",
    "submissions",
    "contribution",
    "contributions",
    "contribucion",
    "aporte",
    "aportacion",
    "respuesta",
    "response",
    "reponse",
    "reply",
    "annex",
    "annexe",
    "anexo",
    "final",
    "draft",
    "version",
    "v1",
    "v2",
    "v3",
    "copy",
    "pdf",
    "docx",
    "doc",
    "xlsx",
    "un",
    "united",
    "nations",
    "naciones",
    "unidas",
    "unies",
    "sr",
    "special",
    "rapporteur",
    "relatora",
    "relator",
    "rapporteuse",
    "especial",
    "speciale",
    "call",
    "cfi",
    "ohchr",
    "subm",
    "questionnaire",
    "cuestionario",
    "report",
    "informe",
    "rapport",
    "letter",
    "note",
    "nota",
    "email",
    "att",
    "submitter",
    "documents",
];

/// Whether a word says nothing about who sent a file.
pub fn is_generic(word: &str) -> bool {
    GENERIC.contains(&word) || word.chars().all(|c| c.is_ascii_digit())
}

/// English month names with the Spanish, French and Russian ones, for dates as pages
/// write them ("30 April 2024", "30 de abril de 2024", "30 avril 2024").
pub const MONTHS: [&[&str]; 12] = [
    &["january", "jan", "enero", "janvier", "января", "январь"],
    &[
        "february",
        "feb",
        "febrero",
        "fevrier",
        "февраля",
        "февраль",
    ],
    &["march", "mar", "marzo", "mars", "марта", "март"],
    &["april", "apr", "abril", "avril", "апреля", "апрель"],
    &["may", "mayo", "mai", "мая", "май"],
    &["june", "jun", "junio", "juin", "июня", "июнь"],
    &["july", "jul", "julio", "juillet", "июля", "июль"],
    &["august", "aug", "agosto", "aout", "августа", "август"],
    &[
        "september",
        "sep",
        "sept",
        "septiembre",
        "setiembre",
        "septembre",
        "сентября",
        "сентябрь",
    ],
    &["october", "oct", "octubre", "octobre", "октября", "октябрь"],
    &[
        "november",
        "nov",
        "noviembre",
        "novembre",
        "ноября",
        "ноябрь",
    ],
    &[
        "december",
        "dec",
        "diciembre",
        "decembre",
        "декабря",
        "декабрь",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letterhead_names_its_sender() {
        assert_eq!(
            letterhead(
                "Red de Defensoras Comunitarias\nCiudad de Guatemala\nSubmission to the call"
            ),
            Some("Red de Defensoras Comunitarias".into())
        );
        assert_eq!(
            letterhead("From: the secretariat, 3 June 2025\nUnion of Fishers (UF)\n"),
            Some("Union of Fishers (UF)".into())
        );
        assert_eq!(
            letterhead("Harbour Child Alliance: submission to the Special Rapporteur"),
            Some("Harbour Child Alliance".into())
        );
        for head in [
            "Submission to the call for input on heat.\nWe are a small union of fishers.",
            "Response of 12 May 2025",
            "",
        ] {
            assert_eq!(letterhead(head), None, "{head}");
        }
    }

    #[test]
    fn categories_are_known_in_every_language() {
        assert!(is_category("Children’s Commissioners"));
        assert!(is_category("Organizaciones de la sociedad civil"));
        assert!(is_category("États:"));
        assert!(!is_category("Meta"));
        assert_eq!(usual_category("Sociedad civil"), Some("CSOs"));
        assert!(is_category_like("Défenseurs des droits de l'enfant"));
        assert!(is_category_like(
            "Organismes des Nations Unies et mécanismes régionaux"
        ));
        assert!(is_category_like(
            "Civil society organizations and trade unions"
        ));
        assert!(is_category_like("Workers' and employers' organizations"));
        for entry in [
            "Child Rights International Network",
            "Meta",
            "Plan International",
            "Chile",
        ] {
            assert!(!is_category_like(entry), "{entry}");
        }
    }

    #[test]
    fn cyrillic_names_meet_their_latin_spelling() {
        assert_eq!(
            match_tokens("Вклад ОФ «Светлый берег»"),
            ["vklad", "of", "svetlyi", "bereg"]
        );
    }

    #[test]
    fn link_labels_and_annexes() {
        for label in [
            "input",
            "annex-2",
            "input (PDF)",
            "Contribución",
            "EN",
            "anexo 1",
        ] {
            assert!(is_link_label(label), "{label}");
        }
        for name in ["Dr Francis Rees", "University of Essex", "Sweden branch"] {
            assert!(!is_link_label(name), "{name}");
        }
        assert!(is_annex_label("Annexe 3"));
        assert!(!is_annex_label("input"));
    }
}
