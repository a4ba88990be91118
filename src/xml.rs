//! The one escape for text the crate writes into XML (the tape's SVG and page, every plot):
//! a name can come from a file (a safetensors header), so nothing it holds may break the
//! document.

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
