//! Text the crate writes that can come from anywhere (a name from a safetensors header, a
//! field of a CSV file): the one escape for XML (the tape's SVG and page, every plot), and the
//! cuts that keep a message or a table short.

/// `text` made safe for XML 1.0 text and attribute values: `& < > " '` escaped, and the
/// characters XML forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF) replaced by
/// U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` with at most `max` characters: a longer one is cut to `max - 1` and an ellipsis.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).chain(['…']).collect()
    }
}

/// The most characters of an input an error message quotes.
const QUOTE_CHARS: usize = 200;

/// `s` quoted for an error message (as `{:?}` does), cut to 200 characters with the full
/// length said when longer: a 200 MB field or a 1 MB name is not copied into a message.
pub(crate) fn quote_short(s: &str) -> String {
    let n = s.chars().count();
    if n <= QUOTE_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(QUOTE_CHARS).collect();
        format!("{head:?}... ({n} characters)")
    }
}

/// `s` as a message shows it unquoted: 200 characters at most, then an ellipsis.
pub(crate) fn clip_message(s: &str) -> String {
    clip(s, QUOTE_CHARS + 1)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_makes_any_text_xml() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(escape("\t\n\r"), "\t\n\r");
        assert_eq!(
            escape("x\u{0}\u{1f}\u{fffe}\u{ffff}é"),
            "x\u{fffd}\u{fffd}\u{fffd}\u{fffd}é"
        );
    }
}
