//! The content-stream interpreter: runs a page's operators and records every shown glyph with
//! its text, position, advance and size in the page's reading frame.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::Font;
use super::lexer::{Operand, Operations};
use super::{get, get_dict, get_number, stream_bytes};
use crate::Result;
use crate::limits::{Budget, MAX_FORM_DEPTH, MAX_PDF_OPERATIONS, exceeded};

pub(crate) type Matrix = [f64; 6];

pub(crate) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

pub(crate) fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

pub(crate) fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// A shown glyph in the reading frame of its line direction: x grows along the line, y up.
#[derive(Debug, Clone)]
pub(crate) struct TextChar {
    pub(crate) text: String,
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) size: f64,
    pub(crate) bold: bool,
    /// 0: upright; 1, 2, 3: rotated by that many quarter turns; 4: vertical writing.
    pub(crate) orientation: u8,
}

#[derive(Clone)]
struct GraphicsState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
    leading: f64,
    rise: f64,
}

/// Fonts loaded once per document.
#[derive(Default)]
pub(crate) struct FontCache {
    by_id: HashMap<ObjectId, Rc<Font>>,
}

pub(crate) struct Interpreter<'a> {
    doc: &'a Document,
    path: &'a Path,
    fonts: &'a mut FontCache,
    /// Device space to the displayed page (page rotation).
    display: Matrix,
    pub(crate) chars: Vec<TextChar>,
    /// Bounding boxes of the images drawn, on the displayed page: [min x, min y, max x, max y].
    pub(crate) images: Vec<[f64; 4]>,
    operations: usize,
    budget: &'a Budget,
    /// 1-based page number, for messages.
    page: usize,
}

/// Nested q without Q beyond this are ignored.
const MAX_SAVED_STATES: usize = 256;
/// Images recorded per page; a scan is one or a few, a mosaic of thousands adds nothing.
const MAX_IMAGES_PER_PAGE: usize = 10_000;

impl<'a> Interpreter<'a> {
    pub(crate) fn new(
        doc: &'a Document,
        path: &'a Path,
        fonts: &'a mut FontCache,
        display: Matrix,
        budget: &'a Budget,
        page: usize,
    ) -> Self {
        Interpreter {
            doc,
            path,
            fonts,
            display,
            chars: Vec::new(),
            images: Vec::new(),
            operations: 0,
            budget,
            page,
        }
    }

    pub(crate) fn run_page(
        &mut self,
        content: &[u8],
        resources: Option<&Dictionary>,
    ) -> Result<()> {
        let state = GraphicsState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scaling: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        self.run(content, resources, state, 0)
    }

    fn font(&mut self, resources: Option<&Dictionary>, name: &[u8]) -> Rc<Font> {
        let doc = self.doc;
        let fonts = resources.and_then(|r| get_dict(doc, r, b"Font"));
        let entry = fonts.and_then(|f| f.get(name).ok());
        match entry {
            Some(Object::Reference(id)) => {
                if let Some(font) = self.fonts.by_id.get(id) {
                    return font.clone();
                }
                let font = match doc.get_object(*id).ok().and_then(|o| o.as_dict().ok()) {
                    Some(dict) => Font::load(doc, dict),
                    None => Font::fallback(),
                };
                let font = Rc::new(font);
                self.fonts.by_id.insert(*id, font.clone());
                font
            }
            Some(Object::Dictionary(dict)) => Rc::new(Font::load(doc, dict)),
            _ => Rc::new(Font::fallback()),
        }
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&Dictionary>,
        mut gs: GraphicsState,
        depth: usize,
    ) -> Result<()> {
        let mut saved: Vec<GraphicsState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in Operations::new(content) {
            self.operations += 1;
            if self.operations > MAX_PDF_OPERATIONS {
                break;
            }
            let page = self.page;
            self.budget.tick(self.path, || format!("at page {page}"))?;
            let operands = &op.operands;
            let num = |i: usize| operands.get(i).and_then(Operand::number).unwrap_or(0.0);
            let nums6 = || -> Option<Matrix> {
                let values: Vec<f64> = operands.iter().filter_map(Operand::number).collect();
                <[f64; 6]>::try_from(values.get(values.len().checked_sub(6)?..)?).ok()
            };
            match op.operator.as_slice() {
                b"q" if saved.len() < MAX_SAVED_STATES => saved.push(gs.clone()),
                b"Q" => {
                    if let Some(state) = saved.pop() {
                        gs = state;
                    }
                }
                b"cm" => {
                    if let Some(m) = nums6() {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    if let Some(Operand::Name(name)) = operands.first() {
                        gs.font = Some(self.font(resources, name));
                    }
                    gs.size = num(1);
                }
                b"Tc" => gs.char_spacing = num(0),
                b"Tw" => gs.word_spacing = num(0),
                b"Tz" => gs.scaling = num(0) / 100.0,
                b"TL" => gs.leading = num(0),
                b"Ts" => gs.rise = num(0),
                b"Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, num(0), num(1)], &tlm);
                    tm = tlm;
                }
                b"TD" => {
                    gs.leading = -num(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, num(0), num(1)], &tlm);
                    tm = tlm;
                }
                b"Tm" => {
                    if let Some(m) = nums6() {
                        tm = m;
                        tlm = m;
                    }
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                b"Tj" => {
                    if let Some(Operand::String(s)) = operands.last() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                b"'" | b"\"" => {
                    if op.operator.as_slice() == b"\"" && operands.len() >= 3 {
                        gs.word_spacing = num(0);
                        gs.char_spacing = num(1);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                    if let Some(Operand::String(s)) = operands.last() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = operands.last() {
                        for item in items {
                            match item {
                                Operand::String(s) => self.show(&gs, &mut tm, s),
                                Operand::Number(n) if n.is_finite() => {
                                    let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                    let shift = -n / 1000.0 * gs.size;
                                    let m = if vertical {
                                        [1.0, 0.0, 0.0, 1.0, 0.0, shift]
                                    } else {
                                        [1.0, 0.0, 0.0, 1.0, shift * gs.scaling, 0.0]
                                    };
                                    tm = mul(&m, &tm);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = operands.first() {
                        self.form(resources, name, &gs, depth)?;
                    }
                }
                // Inline image data follows ID; it fills the unit square of the current matrix.
                b"ID" => self.image(&gs),
                b"gs" => {
                    // An ExtGState may set the font: /Font [ref size].
                    if let Some(Operand::Name(name)) = operands.first()
                        && let Some(font) = self.ext_gstate_font(resources, name)
                    {
                        gs.font = Some(font.0);
                        gs.size = font.1;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn ext_gstate_font(
        &mut self,
        resources: Option<&Dictionary>,
        name: &[u8],
    ) -> Option<(Rc<Font>, f64)> {
        let doc = self.doc;
        let states = get_dict(doc, resources?, b"ExtGState")?;
        let state = get(doc, states, name)?.as_dict().ok()?;
        let font = get(doc, state, b"Font")?.as_array().ok()?;
        let id = font.first()?.as_reference().ok()?;
        let size = font.get(1)?.as_float().ok()?;
        let loaded = match self.fonts.by_id.get(&id) {
            Some(font) => font.clone(),
            None => {
                let font = Rc::new(Font::load(doc, doc.get_object(id).ok()?.as_dict().ok()?));
                self.fonts.by_id.insert(id, font.clone());
                font
            }
        };
        Some((loaded, f64::from(size)))
    }

    fn form(
        &mut self,
        resources: Option<&Dictionary>,
        name: &[u8],
        gs: &GraphicsState,
        depth: usize,
    ) -> Result<()> {
        let doc = self.doc;
        let Some(xobjects) = resources.and_then(|r| get_dict(doc, r, b"XObject")) else {
            return Ok(());
        };
        let Some(Object::Stream(stream)) = get(doc, xobjects, name) else {
            return Ok(());
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name).ok() {
            Some(b"Form") => {}
            Some(b"Image") => {
                self.image(gs);
                return Ok(());
            }
            _ => return Ok(()),
        }
        if depth + 1 > MAX_FORM_DEPTH {
            return Err(exceeded(
                self.path,
                format!("form XObjects nested deeper than {MAX_FORM_DEPTH}"),
            ));
        }
        let Some(content) = stream_bytes(stream) else {
            return Ok(());
        };
        let matrix: Matrix = super::get_array(doc, &stream.dict, b"Matrix")
            .map(|a| {
                a.iter()
                    .filter_map(|o| o.as_float().ok().map(f64::from))
                    .collect::<Vec<_>>()
            })
            .and_then(|v| <[f64; 6]>::try_from(v).ok())
            .unwrap_or(IDENTITY);
        let own = get_dict(doc, &stream.dict, b"Resources");
        let mut inner = gs.clone();
        inner.ctm = mul(&matrix, &gs.ctm);
        self.run(&content, own.or(resources), inner, depth + 1)
    }

    /// Records an image drawn into the unit square of the current transformation.
    fn image(&mut self, gs: &GraphicsState) {
        if self.images.len() >= MAX_IMAGES_PER_PAGE {
            return;
        }
        let m = mul(&gs.ctm, &self.display);
        let corners =
            [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)].map(|(x, y)| apply(&m, x, y));
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (x, y) in corners {
            bbox = [
                bbox[0].min(x),
                bbox[1].min(y),
                bbox[2].max(x),
                bbox[3].max(y),
            ];
        }
        if bbox.iter().all(|v| v.is_finite()) {
            self.images.push(bbox);
        }
    }

    fn show(&mut self, gs: &GraphicsState, tm: &mut Matrix, bytes: &[u8]) {
        let font = match &gs.font {
            Some(font) => font.clone(),
            None => Rc::new(Font::fallback()),
        };
        let size = gs.size;
        let th = gs.scaling;
        for shown in font.decode(bytes) {
            let trm = mul(
                &mul(&[size * th, 0.0, 0.0, size, 0.0, gs.rise], tm),
                &gs.ctm,
            );
            let trm = mul(&trm, &self.display);
            let origin = apply(&trm, 0.0, 0.0);
            let spacing = gs.char_spacing
                + if shown.word_space {
                    gs.word_spacing
                } else {
                    0.0
                };
            let (end, height_axis) = if font.vertical {
                let advance = font.vertical_advance();
                (apply(&trm, 0.0, advance), apply(&trm, 1.0, 0.0))
            } else {
                (apply(&trm, shown.advance, 0.0), apply(&trm, 0.0, 1.0))
            };
            let glyph_size =
                (height_axis.0 - origin.0).hypot(height_axis.1 - origin.1) * font.size_scale;
            let (mut dx, mut dy) = (end.0 - origin.0, end.1 - origin.1);
            let width = dx.hypot(dy);
            if width < 1e-9 {
                // Zero-width glyph: take the direction from the text matrix.
                let axis = if font.vertical {
                    apply(&trm, 0.0, -1.0)
                } else {
                    apply(&trm, 1.0, 0.0)
                };
                dx = axis.0 - origin.0;
                dy = axis.1 - origin.1;
            }
            if font.vertical {
                let advance = font.vertical_advance() * size + spacing;
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, advance], tm);
            } else {
                let advance = (shown.advance * size + spacing) * th;
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], tm);
            }
            if shown.text.is_empty()
                || !origin.0.is_finite()
                || !origin.1.is_finite()
                || !glyph_size.is_finite()
            {
                continue;
            }
            // Quarter turns of the baseline, counter-clockwise.
            let angle = dy.atan2(dx).to_degrees();
            let turns = (((angle / 90.0).round() as i64).rem_euclid(4)) as u8;
            let (x, y) = match turns {
                0 => (origin.0, origin.1),
                1 => (origin.1, -origin.0),
                2 => (-origin.0, -origin.1),
                _ => (-origin.1, origin.0),
            };
            let orientation = if font.vertical && turns == 3 {
                4
            } else {
                turns
            };
            self.chars.push(TextChar {
                text: shown.text,
                x,
                y,
                width,
                size: glyph_size,
                bold: font.bold,
                orientation,
            });
        }
    }
}

/// The page's resources, inherited from the page tree when the page has none.
pub(crate) fn page_resources<'d>(
    doc: &'d Document,
    page: &'d Dictionary,
) -> Option<&'d Dictionary> {
    let mut node = page;
    for _ in 0..32 {
        if let Some(resources) = get_dict(doc, node, b"Resources") {
            return Some(resources);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

/// An inheritable page attribute (MediaBox, CropBox, Rotate).
pub(crate) fn inherited<'d>(
    doc: &'d Document,
    page: &'d Dictionary,
    key: &[u8],
) -> Option<&'d Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Some(value) = get(doc, node, key) {
            return Some(value);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

pub(crate) fn page_rotation(doc: &Document, page: &Dictionary) -> i64 {
    let mut node = page;
    for _ in 0..32 {
        if let Some(r) = get_number(doc, node, b"Rotate") {
            return (r as i64).rem_euclid(360);
        }
        match get_dict(doc, node, b"Parent") {
            Some(parent) => node = parent,
            None => break,
        }
    }
    0
}
