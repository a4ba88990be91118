//! A small strict JSON reader and writer for the safetensors header: objects, arrays,
//! strings (with every escape, `\uXXXX` surrogate pairs included), numbers kept as text,
//! `true`, `false`, `null`. Nesting is limited to [`MAX_DEPTH`] levels, so no input can
//! exhaust the stack; everything it allocates is bounded by the input's length.
//!
//! Why not `serde_json` (through the `safetensors` crate): that brings serde's derive macros
//! and their parser generator into every build of a student's project (measured: 17 s of CPU
//! on a clean build, against a library that builds in a few seconds), for a header whose
//! grammar fits in this file. `testsuite/tests/io_fuzz.rs` feeds it random and mutated bytes.

use std::fmt::Write;

/// Nesting deeper than this is refused (the safetensors header needs 3 levels).
pub(crate) const MAX_DEPTH: usize = 32;

/// A parsed JSON value. Numbers keep their text: the header's integers are read exactly,
/// never through `f64`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in order (duplicate keys kept; the caller decides).
    Object(Vec<(String, Json)>),
}

/// Parses one JSON value filling `text` (surrounding whitespace allowed).
///
/// # Errors
/// A message naming the byte offset and what was found.
pub(crate) fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected {} after the JSON value", p.found()));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn found(&self) -> String {
        match self.s.get(self.i) {
            None => "end of input".to_string(),
            Some(&b) if b.is_ascii_graphic() => format!("'{}' at byte {}", b as char, self.i),
            Some(&b) => format!("byte 0x{b:02x} at byte {}", self.i),
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}', found {}", b as char, self.found()))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "nesting deeper than {MAX_DEPTH} levels at byte {}",
                self.i
            ));
        }
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(format!("expected a JSON value, found {}", self.found())),
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(format!("expected {w}, found {}", self.found()))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(format!("expected a string key, found {}", self.found()));
            }
            let key = self.string()?;
            self.ws();
            self.expect(b':')?;
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(format!("expected ',' or '}}', found {}", self.found())),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(format!("expected ',' or ']', found {}", self.found())),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if !digits(self) {
            return Err(format!("malformed number at byte {start}"));
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(format!("malformed number at byte {start}"));
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(format!("malformed number at byte {start}"));
            }
        }
        // The bytes are ASCII digits, signs, '.' and 'e': valid UTF-8.
        let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        Ok(Json::Number(text))
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err("unterminated string".to_string());
            };
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err("unterminated escape".to_string());
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(format!("invalid escape '\\{}'", e as char)),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1f => {
                    return Err(format!(
                        "control byte 0x{b:02x} in a string at byte {}",
                        self.i - 1
                    ));
                }
                _ => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| "a string is not valid UTF-8".to_string())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let hex = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| "truncated \\u escape".to_string())?;
        let text = std::str::from_utf8(hex).map_err(|_| "invalid \\u escape".to_string())?;
        let v =
            u32::from_str_radix(text, 16).map_err(|_| format!("invalid \\u escape {text:?}"))?;
        self.i += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            // A surrogate pair: \uD8xx\uDCxx.
            if !self.s[self.i..].starts_with(b"\\u") {
                return Err("unpaired surrogate in a \\u escape".to_string());
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err("unpaired surrogate in a \\u escape".to_string());
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| "invalid code point in a \\u escape".to_string())
    }
}

/// `s` as a JSON string literal, with quotes and escapes.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_safetensors_header() {
        let v = parse(
            r#"{"__metadata__":{"k":"v"},"w":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]}}"#,
        )
        .unwrap();
        let Json::Object(m) = v else { panic!() };
        assert_eq!(m[0].0, "__metadata__");
        assert_eq!(
            m[1].1,
            Json::Object(vec![
                ("dtype".into(), Json::String("F64".into())),
                (
                    "shape".into(),
                    Json::Array(vec![Json::Number("2".into()), Json::Number("3".into())])
                ),
                (
                    "data_offsets".into(),
                    Json::Array(vec![Json::Number("0".into()), Json::Number("48".into())])
                ),
            ])
        );
    }

    #[test]
    fn strings_round_trip_through_quote() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "new\nline",
            "\u{1}ctl",
            "π ✓ 😀",
        ] {
            assert_eq!(parse(&quote(s)).unwrap(), Json::String(s.to_string()));
        }
        assert_eq!(
            parse(r#""\ud83d\ude00""#).unwrap(),
            Json::String("😀".into())
        );
    }

    #[test]
    fn refuses_malformed_input_with_a_position() {
        for (text, want) in [
            ("{", "expected a string key, found end of input"),
            ("[1,]", "expected a JSON value, found ']' at byte 3"),
            ("{\"a\" 1}", "expected ':', found '1' at byte 5"),
            ("\"abc", "unterminated string"),
            ("01x", "unexpected 'x' at byte 2 after the JSON value"),
            ("\"\\ud800\"", "unpaired surrogate"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{text:?}: {err}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep).unwrap_err().contains("nesting deeper than 32"));
    }

    /// Fuzz-style: random text from JSON's own alphabet, and random mutations (a byte
    /// replaced, inserted or removed) of a valid document, 40,000 inputs from a fixed seed:
    /// `parse` returns `Ok` or `Err` and never panics.
    #[test]
    fn random_and_mutated_text_never_panics() {
        let mut rng = crate::Rng::new(0x7a9e_97ad);
        let valid = br#"{"a":[1,-2.5e3,{"b":"c\n\u00e9\ud83d\ude00"}],"d":null,"e":true}"#;
        let alphabet = br#"{}[]:,"\ u0123456789abcdefnrt.-+eE"#;
        for case in 0..40_000 {
            let bytes: Vec<u8> = if case % 2 == 0 {
                let len = rng.index(48);
                (0..len)
                    .map(|_| alphabet[rng.index(alphabet.len())])
                    .collect()
            } else {
                let mut b = valid.to_vec();
                for _ in 0..1 + rng.index(4) {
                    let at = rng.index(b.len() + 1);
                    let byte = (rng.next_u64() & 0xff) as u8;
                    match rng.index(3) {
                        0 if at < b.len() => b[at] = byte,
                        1 => b.insert(at, byte),
                        _ if at < b.len() => {
                            b.remove(at);
                        }
                        _ => {}
                    }
                }
                b
            };
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }
    }
}
