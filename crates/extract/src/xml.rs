//! Small helpers over quick-xml shared by the DOCX reader.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

/// The part's text: BOM stripped, UTF-16 decoded, invalid UTF-8 replaced.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0;
    }
    String::from_utf8_lossy(bytes)
}

/// An attribute's unescaped value, matched on its local name (any namespace prefix).
pub(crate) fn attr(element: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner().as_bytes() == local)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// An element's name without its namespace prefix.
pub(crate) fn local<'a>(element: &'a BytesStart<'_>) -> &'a [u8] {
    element.local_name().into_inner().as_bytes()
}

/// The text an entity or character reference stands for.
pub(crate) fn resolve(reference: &BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = reference.clone().into_inner();
    let c = match name.as_ref() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    };
    Some(c.to_string())
}
