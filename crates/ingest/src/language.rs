//! Language of a passage: whatlang over the text, limited to the languages submissions
//! come in, falling back to the manifest's declared language for short or unclear text.

use whatlang::{Detector, Lang};

const ALLOWED: [(Lang, &str); 13] = [
    (Lang::Eng, "en"),
    (Lang::Spa, "es"),
    (Lang::Fra, "fr"),
    (Lang::Rus, "ru"),
    (Lang::Ara, "ar"),
    (Lang::Cmn, "zh"),
    (Lang::Por, "pt"),
    (Lang::Deu, "de"),
    (Lang::Ita, "it"),
    (Lang::Nld, "nl"),
    (Lang::Swe, "sv"),
    (Lang::Tur, "tr"),
    (Lang::Ukr, "uk"),
];

/// Detects languages among those submissions are usually written in.
pub struct LanguageDetector {
    detector: Detector,
}

impl Default for LanguageDetector {
    fn default() -> Self {
        LanguageDetector {
            detector: Detector::with_allowlist(ALLOWED.iter().map(|(l, _)| *l).collect()),
        }
    }
}

impl LanguageDetector {
    /// The ISO 639-1 code of `text`, or `fallback` when the text is too short or unclear.
    pub fn detect(&self, text: &str, fallback: Option<&str>) -> Option<String> {
        let words = text.split_whitespace().count();
        let info = self.detector.detect(text);
        let code = info.and_then(|i| {
            ALLOWED
                .iter()
                .find(|(l, _)| *l == i.lang())
                .map(|(_, c)| (*c, i.confidence()))
        });
        match (code, fallback) {
            (Some((code, confidence)), Some(fb)) if words < 8 || confidence < 0.5 => {
                let _ = code;
                Some(fb.to_string())
            }
            (Some((code, _)), _) => Some(code.to_string()),
            (None, fb) => fb.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_languages_of_the_call() {
        let d = LanguageDetector::default();
        let cases = [
            (
                "The State has adopted a national strategy to protect children online from sexual exploitation.",
                "en",
            ),
            (
                "El Estado ha adoptado una estrategia nacional para proteger a los niños en línea frente a la explotación sexual.",
                "es",
            ),
            (
                "L'État a adopté une stratégie nationale pour protéger les enfants en ligne contre l'exploitation sexuelle.",
                "fr",
            ),
            (
                "Государство приняло национальную стратегию защиты детей в интернете от сексуальной эксплуатации.",
                "ru",
            ),
        ];
        for (text, code) in cases {
            assert_eq!(d.detect(text, None).as_deref(), Some(code), "{text}");
        }
    }

    #[test]
    fn short_text_takes_the_declared_language() {
        let d = LanguageDetector::default();
        assert_eq!(d.detect("Pregunta 3", Some("es")).as_deref(), Some("es"));
    }
}
