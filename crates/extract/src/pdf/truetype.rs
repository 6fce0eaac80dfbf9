//! Text for CID fonts without a ToUnicode map: the embedded TrueType font's `cmap` table read
//! backwards (glyph -> character), with /CIDToGIDMap applied.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::{get, stream_bytes};

/// Glyphs mapped from one font; a bigger table is cut.
const MAX_GLYPHS: usize = 1 << 17;

/// CID -> character for a CIDFontType2 descendant font with an embedded TrueType program.
pub(crate) fn cid_to_unicode(
    doc: &Document,
    descendant: &Dictionary,
) -> Option<HashMap<u32, char>> {
    let descriptor = get(doc, descendant, b"FontDescriptor")?.as_dict().ok()?;
    let program = get(doc, descriptor, b"FontFile2")?.as_stream().ok()?;
    let font = stream_bytes(program)?;
    let by_glyph = glyph_to_char(&font)?;
    let mut out = HashMap::new();
    match get(doc, descendant, b"CIDToGIDMap") {
        Some(Object::Stream(stream)) => {
            let map = stream_bytes(stream)?;
            for (cid, pair) in map.chunks_exact(2).enumerate().take(MAX_GLYPHS) {
                let gid = u16::from_be_bytes([pair.first().copied()?, pair.get(1).copied()?]);
                if let Some(c) = by_glyph.get(&gid) {
                    out.insert(cid as u32, *c);
                }
            }
        }
        _ => {
            for (gid, c) in by_glyph {
                out.insert(u32::from(gid), c);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
        *data.get(at + 2)?,
        *data.get(at + 3)?,
    ]))
}

/// Glyph id -> the lowest character mapped to it by the best Unicode `cmap` subtable.
pub(crate) fn glyph_to_char(font: &[u8]) -> Option<HashMap<u16, char>> {
    let tables = usize::from(u16_at(font, 4)?);
    let mut cmap = None;
    for i in 0..tables.min(64) {
        let record = 12 + i * 16;
        if font.get(record..record + 4)? == b"cmap" {
            cmap = Some(u32_at(font, record + 8)? as usize);
        }
    }
    let cmap = cmap?;
    let subtables = usize::from(u16_at(font, cmap + 2)?);
    let mut best: Option<(u8, usize)> = None;
    for i in 0..subtables.min(64) {
        let record = cmap + 4 + i * 8;
        let platform = u16_at(font, record)?;
        let encoding = u16_at(font, record + 2)?;
        let offset = cmap + u32_at(font, record + 4)? as usize;
        let rank = match (platform, encoding) {
            (3, 10) => 4,
            (3, 1) => 3,
            (0, _) => 2,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, offset));
        }
    }
    let (_, offset) = best?;
    let mut out: HashMap<u16, char> = HashMap::new();
    let mut add = |code: u32, gid: u32| {
        if gid == 0 || out.len() >= MAX_GLYPHS {
            return;
        }
        let (Ok(gid), Some(c)) = (u16::try_from(gid), char::from_u32(code)) else {
            return;
        };
        out.entry(gid)
            .and_modify(|e| {
                if c < *e {
                    *e = c
                }
            })
            .or_insert(c);
    };
    match u16_at(font, offset)? {
        4 => {
            let segments = usize::from(u16_at(font, offset + 6)? / 2);
            let ends = offset + 14;
            let starts = ends + segments * 2 + 2;
            let deltas = starts + segments * 2;
            let range_offsets = deltas + segments * 2;
            for s in 0..segments {
                let end = u16_at(font, ends + s * 2)?;
                let start = u16_at(font, starts + s * 2)?;
                let delta = u16_at(font, deltas + s * 2)?;
                let range_offset = u16_at(font, range_offsets + s * 2)?;
                if start > end || start == 0xffff {
                    continue;
                }
                for c in start..=end {
                    let gid = if range_offset == 0 {
                        c.wrapping_add(delta)
                    } else {
                        let at = range_offsets
                            + s * 2
                            + usize::from(range_offset)
                            + usize::from(c - start) * 2;
                        match u16_at(font, at) {
                            Some(0) | None => 0,
                            Some(g) => g.wrapping_add(delta),
                        }
                    };
                    add(u32::from(c), u32::from(gid));
                    if c == 0xffff {
                        break;
                    }
                }
            }
        }
        12 => {
            let groups = u32_at(font, offset + 12)? as usize;
            for g in 0..groups.min(MAX_GLYPHS) {
                let at = offset + 16 + g * 12;
                let (start, end, glyph) = (
                    u32_at(font, at)?,
                    u32_at(font, at + 4)?,
                    u32_at(font, at + 8)?,
                );
                for c in start..=end.min(start.saturating_add(MAX_GLYPHS as u32)) {
                    add(c, glyph + (c - start));
                }
            }
        }
        6 => {
            let first = u32::from(u16_at(font, offset + 6)?);
            let count = usize::from(u16_at(font, offset + 8)?);
            for i in 0..count {
                add(
                    first + i as u32,
                    u32::from(u16_at(font, offset + 10 + i * 2)?),
                );
            }
        }
        0 => {
            for c in 0..256usize {
                add(c as u32, u32::from(*font.get(offset + 6 + c)?));
            }
        }
        _ => return None,
    }
    (!out.is_empty()).then_some(out)
}

/// An Adobe character collection with a CID -> Unicode table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collection {
    Japan1,
    Gb1,
    Cns1,
    Korea1,
}

impl Collection {
    /// The collection a CIDSystemInfo /Ordering names.
    pub(crate) fn from_ordering(ordering: &[u8]) -> Option<Collection> {
        Some(match ordering {
            b"Japan1" => Collection::Japan1,
            b"GB1" => Collection::Gb1,
            b"CNS1" => Collection::Cns1,
            b"Korea1" => Collection::Korea1,
            _ => return None,
        })
    }

    fn table(self) -> &'static [u8] {
        static TABLES: [std::sync::OnceLock<Vec<u8>>; 4] =
            [const { std::sync::OnceLock::new() }; 4];
        let (index, compressed): (usize, &[u8]) = match self {
            Collection::Japan1 => (0, include_bytes!("cid/adobe-japan1.bin")),
            Collection::Gb1 => (1, include_bytes!("cid/adobe-gb1.bin")),
            Collection::Cns1 => (2, include_bytes!("cid/adobe-cns1.bin")),
            Collection::Korea1 => (3, include_bytes!("cid/adobe-korea1.bin")),
        };
        match TABLES.get(index) {
            Some(cell) => cell.get_or_init(|| {
                let mut out = Vec::new();
                let _ = std::io::Read::read_to_end(
                    &mut flate2::read::ZlibDecoder::new(compressed),
                    &mut out,
                );
                out
            }),
            None => &[],
        }
    }

    pub(crate) fn lookup(self, cid: u32) -> Option<char> {
        let at = usize::try_from(cid).ok()?.checked_mul(3)?;
        let bytes = self.table().get(at..at + 3)?;
        let value = bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        (value != 0).then(|| char::from_u32(value)).flatten()
    }
}
