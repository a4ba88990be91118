//! The CSV reader's tokenizer: records split at line breaks outside quoted fields, and a
//! record split into its fields.

/// The records of a CSV text with the line each starts on: split at line breaks (`\n`,
/// `\r\n`, or a lone `\r` as old Mac files end lines) outside quoted fields, so a quoted
/// field may hold a line break (as `to_string` writes a name with one). A quote opens a
/// quoted field only at the start of a field (after spaces); a quote inside an unquoted field
/// or a comment line (`#`) is an ordinary character, so a stray one cannot join lines.
pub(super) struct Records<'a> {
    text: &'a str,
    delimiter: u8,
    pos: usize,
    line: usize,
}

impl<'a> Records<'a> {
    pub(super) fn new(text: &'a str, delimiter: char) -> Records<'a> {
        Records {
            text,
            // A multi-byte delimiter never matches a byte: quotes then open only at the
            // start of a record, which is all such files need.
            delimiter: u8::try_from(delimiter).unwrap_or(0),
            pos: 0,
            line: 1,
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let (start, first_line) = (self.pos, self.line);
        let comment = bytes[start..]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t'))
            .is_some_and(|&b| b == b'#');
        let (mut quoted, mut field_start) = (false, !comment);
        let mut i = start;
        while i < bytes.len() {
            let b = bytes[i];
            if quoted {
                match b {
                    b'"' if bytes.get(i + 1) == Some(&b'"') => i += 1,
                    b'"' => quoted = false,
                    b'\n' => self.line += 1,
                    b'\r' if bytes.get(i + 1) != Some(&b'\n') => self.line += 1,
                    _ => {}
                }
            } else {
                match b {
                    b'\n' | b'\r' => break,
                    b'"' if field_start => quoted = true,
                    b' ' | b'\t' => {}
                    _ => field_start = !comment && b == self.delimiter,
                }
                if b == b'"' {
                    field_start = false;
                }
            }
            i += 1;
        }
        let record = &self.text[start..i];
        // Past the break: \r\n counts once.
        if i < bytes.len() {
            i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            self.line += 1;
        }
        self.pos = i;
        Some((first_line, record))
    }
}

/// Splits one line into fields, unquoting `"..."` fields (`""` is a quote); unquoted fields
/// are trimmed. The error carries the 1-based column.
pub(super) fn split_fields(line: &str, delim: char) -> Result<Vec<String>, (usize, String)> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        // Leading spaces, then a quoted or a plain field.
        while chars.peek().is_some_and(|&c| c == ' ' || c == '\t') && delim != '\t' {
            chars.next();
        }
        let col = fields.len() + 1;
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err((col, "unterminated quoted field".into())),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            // Only spaces may follow the closing quote before the delimiter.
            while chars.peek().is_some_and(|&c| c != delim) {
                let c = chars.next().expect("peeked");
                if !c.is_whitespace() {
                    return Err((col, format!("unexpected {c:?} after a quoted field")));
                }
            }
            fields.push(field.trim().to_string());
        } else {
            while let Some(&c) = chars.peek() {
                if c == delim {
                    break;
                }
                field.push(c);
                chars.next();
            }
            fields.push(field.trim().to_string());
        }
        match chars.next() {
            Some(_) => continue, // the delimiter
            None => return Ok(fields),
        }
    }
}
