//! A tolerant tokenizer for content streams and CMaps: bad bytes are skipped, never fatal,
//! so a damaged stream still yields the text before and after the damage.

/// An operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Number(f64),
    Name(Vec<u8>),
    String(Vec<u8>),
    Array(Vec<Operand>),
    /// Dictionaries, booleans, null: kept only as placeholders.
    Other,
}

impl Operand {
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Operand::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

/// A token of the PostScript-like syntax.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Number(f64),
    Name(Vec<u8>),
    String(Vec<u8>),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    Keyword(Vec<u8>),
}

pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer { data, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.data.get(self.pos + offset).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(b) = self.peek() {
                    if b == b'\n' || b == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Skips inline image data after `ID`, up to the `EI` that ends it.
    pub(crate) fn skip_inline_image(&mut self) {
        // One white-space byte follows ID.
        self.pos += 1;
        while self.pos < self.data.len() {
            if self.data.get(self.pos..self.pos + 2) == Some(b"EI")
                && self
                    .data
                    .get(self.pos.wrapping_sub(1))
                    .is_none_or(|b| is_white(*b))
                && self.data.get(self.pos + 2).is_none_or(|b| is_white(*b))
            {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
    }

    pub(crate) fn next_token(&mut self) -> Option<Token> {
        loop {
            self.skip_space();
            let b = self.peek()?;
            match b {
                b'[' => {
                    self.pos += 1;
                    return Some(Token::ArrayStart);
                }
                b']' => {
                    self.pos += 1;
                    return Some(Token::ArrayEnd);
                }
                b'<' if self.peek_at(1) == Some(b'<') => {
                    self.pos += 2;
                    return Some(Token::DictStart);
                }
                b'>' if self.peek_at(1) == Some(b'>') => {
                    self.pos += 2;
                    return Some(Token::DictEnd);
                }
                b'<' => return Some(Token::String(self.hex_string())),
                b'(' => return Some(Token::String(self.literal_string())),
                b'/' => {
                    self.pos += 1;
                    return Some(Token::Name(self.name()));
                }
                b'+' | b'-' | b'.' | b'0'..=b'9' => {
                    if let Some(n) = self.number() {
                        return Some(Token::Number(n));
                    }
                }
                b')' | b'>' | b'{' | b'}' => {
                    self.pos += 1;
                }
                _ => {
                    let start = self.pos;
                    while let Some(b) = self.peek() {
                        if is_white(b) || is_delimiter(b) {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos > start {
                        return Some(Token::Keyword(self.data.get(start..self.pos)?.to_vec()));
                    }
                    self.pos += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            if b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text = std::str::from_utf8(self.data.get(start..self.pos)?).ok()?;
        if let Ok(n) = text.parse::<f64>() {
            return Some(n);
        }
        // Producers write things like "--5" or "5.-3"; keep the leading sign and digits.
        let negative = text.starts_with('-');
        let cleaned: String = text
            .trim_start_matches(['+', '-'])
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let value = cleaned.parse::<f64>().unwrap_or(0.0);
        Some(if negative { -value } else { value })
    }

    fn name(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            if is_white(b) || is_delimiter(b) {
                break;
            }
            self.pos += 1;
            if b == b'#'
                && let (Some(h), Some(l)) =
                    (self.peek().and_then(hex), self.peek_at(1).and_then(hex))
            {
                self.pos += 2;
                out.push(h * 16 + l);
                continue;
            }
            out.push(b);
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if let Some(v) = hex(b) {
                match high.take() {
                    Some(h) => out.push(h * 16 + v),
                    None => high = Some(v),
                }
            }
        }
        if let Some(h) = high {
            out.push(h * 16);
        }
        out
    }

    fn literal_string(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut value = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        self.pos += 1;
                                        value = value * 8 + u32::from(d - b'0');
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A content-stream operation.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) operator: Vec<u8>,
    pub(crate) operands: Vec<Operand>,
}

/// Content-stream operations, read one at a time.
pub(crate) struct Operations<'a> {
    lexer: Lexer<'a>,
}

/// Operands kept before an operator; more is garbage.
const MAX_OPERANDS: usize = 4096;
/// Deepest array or dictionary nesting kept in an operand.
const MAX_NESTING: usize = 32;

impl<'a> Operations<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Operations<'a> {
        Operations {
            lexer: Lexer::new(data),
        }
    }

    /// Reads one operand that starts with `token`; arrays and dictionaries are read whole.
    fn operand(&mut self, token: Token, depth: usize) -> Option<Operand> {
        Some(match token {
            Token::Number(n) => Operand::Number(n),
            Token::Name(n) => Operand::Name(n),
            Token::String(s) => Operand::String(s),
            Token::ArrayStart => {
                let mut items = Vec::new();
                while let Some(token) = self.lexer.next_token() {
                    if token == Token::ArrayEnd {
                        break;
                    }
                    if let Token::Keyword(_) = token {
                        continue;
                    }
                    if depth < MAX_NESTING
                        && let Some(item) = self.operand(token, depth + 1)
                        && items.len() < MAX_OPERANDS
                    {
                        items.push(item);
                    }
                }
                Operand::Array(items)
            }
            Token::DictStart => {
                let mut level = 1usize;
                while let Some(token) = self.lexer.next_token() {
                    match token {
                        Token::DictStart => level += 1,
                        Token::DictEnd => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Operand::Other
            }
            Token::ArrayEnd | Token::DictEnd | Token::Keyword(_) => return None,
        })
    }
}

impl Iterator for Operations<'_> {
    type Item = Operation;

    fn next(&mut self) -> Option<Operation> {
        let mut operands = Vec::new();
        loop {
            let token = self.lexer.next_token()?;
            match token {
                Token::Keyword(word) => {
                    match word.as_slice() {
                        b"true" | b"false" | b"null" => {
                            operands.push(Operand::Other);
                            continue;
                        }
                        b"ID" => self.lexer.skip_inline_image(),
                        _ => {}
                    }
                    return Some(Operation {
                        operator: word,
                        operands,
                    });
                }
                token => {
                    if let Some(operand) = self.operand(token, 0)
                        && operands.len() < MAX_OPERANDS
                    {
                        operands.push(operand);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_operations() {
        let ops: Vec<Operation> =
            Operations::new(b"BT /F1 12 Tf 10 20 Td (a\\(b\\)\\101) Tj [<0041> -250 (B)] TJ ET")
                .collect();
        let names: Vec<&[u8]> = ops.iter().map(|o| o.operator.as_slice()).collect();
        assert_eq!(names, [&b"BT"[..], b"Tf", b"Td", b"Tj", b"TJ", b"ET"]);
        assert_eq!(
            ops.get(3).map(|o| o.operands.clone()),
            Some(vec![Operand::String(b"a(b)A".to_vec())])
        );
        assert_eq!(
            ops.get(4).map(|o| o.operands.clone()),
            Some(vec![Operand::Array(vec![
                Operand::String(vec![0, 0x41]),
                Operand::Number(-250.0),
                Operand::String(b"B".to_vec())
            ])])
        );
    }

    #[test]
    fn survives_garbage_and_inline_images() {
        let ops: Vec<Operation> =
            Operations::new(b"q BI /W 2 /H 2 ID \xff\x00)( EI Q ))) \xfe BT (x) Tj ET").collect();
        let names: Vec<&[u8]> = ops.iter().map(|o| o.operator.as_slice()).collect();
        assert!(names.contains(&&b"Tj"[..]));
        assert!(names.contains(&&b"Q"[..]));
    }
}
