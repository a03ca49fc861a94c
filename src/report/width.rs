//! Terminal display width of text, for aligned columns of Chinese and ASCII.
//!
//! East Asian wide and fullwidth characters (CJK ideographs, fullwidth punctuation,
//! Hangul, …) take two columns, combining marks none, everything else one: the
//! Unicode East Asian Width rules, as the `unicode-width` crate implements them.

use unicode_width::UnicodeWidthStr;

/// Columns a string takes in a monospace terminal.
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The string padded with spaces to at least `width` columns.
pub fn pad_to(s: &str, width: usize) -> String {
    let w = display_width(s);
    let mut out = String::with_capacity(s.len() + width.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// The string right-aligned in `width` columns.
pub fn pad_left(s: &str, width: usize) -> String {
    let w = display_width(s);
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(w)).collect();
    out.push_str(s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_two_columns() {
        assert_eq!(display_width("园区 PH-001"), 11);
        assert_eq!(display_width("（现行）"), 8);
        assert_eq!(pad_to("建设补助", 10), "建设补助  ");
        assert_eq!(pad_left("5", 3), "  5");
    }
}
