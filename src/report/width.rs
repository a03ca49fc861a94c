//! Terminal display width of text, for aligned columns of Chinese and ASCII.
//!
//! East Asian wide and fullwidth characters (CJK ideographs, fullwidth punctuation,
//! Hangul, …) take two columns, combining marks none, everything else one. A small
//! table rather than a dependency: the ranges below cover what policies and records
//! are written in.

/// Columns a string takes in a monospace terminal.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
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

fn char_width(c: char) -> usize {
    let u = u32::from(c);
    if (0x0300..=0x036F).contains(&u) || (0x200B..=0x200F).contains(&u) {
        return 0;
    }
    const WIDE: [(u32, u32); 12] = [
        (0x1100, 0x115F),
        (0x2E80, 0x303E),
        (0x3041, 0x33FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA000, 0xA4CF),
        (0xAC00, 0xD7A3),
        (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F),
        (0xFF00, 0xFF60),
        (0xFFE0, 0xFFE6),
        (0x20000, 0x3FFFD),
    ];
    if WIDE.iter().any(|(lo, hi)| (*lo..=*hi).contains(&u)) {
        2
    } else {
        1
    }
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
